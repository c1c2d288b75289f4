import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactBackend } from '../../src/search/exact.js';
import { LanceBackend, writeLanceTable } from '../../src/search/lance.js';
import { parseTopicWeights, weightVector } from '../../src/search/topics.js';
import { TopK } from '../../src/engine/topk.js';
import { bruteScores, topRows, unitCodes } from './fixtures.js';

const layout = { topics: 4, blockDim: 8 };
const dim = 32;
const n = 700;
const codes = unitCodes(n, dim, 1);
const labels = Int32Array.from({ length: n }, (_, i) => i % 5);
const ids = (row: number) => `train:${row}`;
const queries = unitCodes(5, dim, 2);
const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-backends-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TopK', () => {
  it('keeps the k largest, best first', () => {
    const t = new TopK(3);
    [0.1, 0.9, -1, 0.5, 0.95, 0.2].forEach((s, i) => t.push(s, i));
    expect(t.sorted()).toEqual([
      { row: 4, score: 0.95 },
      { row: 1, score: 0.9 },
      { row: 3, score: 0.5 },
    ]);
  });
});

describe('topic weights', () => {
  it('parses topic:weight lists and checks them against the layout', () => {
    expect(parseTopicWeights('3:2, 1:0')).toEqual({ 3: 2, 1: 0 });
    expect(() => parseTopicWeights('3=2')).toThrow(/topic:weight/);
    expect(Array.from(weightVector({ 3: 2, 1: 0 }, layout)!)).toEqual([1, 0, 1, 2]);
    expect(weightVector({}, layout)).toBeNull();
    expect(() => weightVector({ 4: 1 }, layout)).toThrow(/topic 4 is out of range/);
    expect(() => weightVector({ 0: -1 }, layout)).toThrow(/≥ 0/);
  });
});

describe('exact backend', () => {
  const exact = new ExactBackend(codes, labels, ids, layout);

  it('returns the brute-force top-k with contributions summing to the score', async () => {
    const hits = await exact.search(queries, 10);
    for (let q = 0; q < 5; q++) {
      const scores = bruteScores(codes, queries.subarray(q * dim, (q + 1) * dim), layout);
      expect(hits[q].map((h) => h.row)).toEqual(topRows(scores, 10));
      for (const h of hits[q]) {
        expect(h.score).toBeCloseTo(scores[h.row], 5);
        expect(h.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(h.score, 6);
        expect(h.id).toBe(`train:${h.row}`);
        expect(h.label).toBe(h.row % 5);
      }
    }
  });

  it('steers by topic: weight 0 removes a topic, others scale it', async () => {
    const w = [0, 1, 3, 1];
    const hits = (await exact.search(queries.subarray(0, dim), 10, { 0: 0, 2: 3 }))[0];
    const scores = bruteScores(codes, queries.subarray(0, dim), layout, w);
    expect(hits.map((h) => h.row)).toEqual(topRows(scores, 10));
    for (const h of hits) expect(h.contributions[0]).toBe(0);
    expect(hits[0].score).toBeCloseTo(scores[hits[0].row], 5);
  });

  it('finds a stored code as its own best hit with score 1', async () => {
    const hit = (await exact.search(await exact.codes([123]), 1))[0][0];
    expect(hit.row).toBe(123);
    expect(hit.score).toBeCloseTo(1, 5);
  });
});

describe('LanceDB backend', () => {
  it('without an ANN index, agrees with the exact backend (scores, steering, stored codes)', async () => {
    const dir = path.join(tmp, 'flat');
    await writeLanceTable(dir, { codes, labels, ids, dim }, { type: 'none' });
    const lance = await LanceBackend.open(dir, layout);
    const exact = new ExactBackend(codes, labels, ids, layout);
    expect(lance.size).toBe(n);
    for (const w of [undefined, { 1: 0, 3: 2 }]) {
      const a = await lance.search(queries, 10, w);
      const b = await exact.search(queries, 10, w);
      for (let q = 0; q < 5; q++) {
        expect(a[q].map((h) => h.id)).toEqual(b[q].map((h) => h.id));
        a[q].forEach((h, i) => h.contributions.forEach((c, k) => expect(c).toBeCloseTo(b[q][i].contributions[k], 5)));
      }
    }
    expect(Array.from(await lance.codes([5, 699]))).toEqual(Array.from(await exact.codes([5, 699])));
    await lance.close();
  });

  it('with IVF_PQ, recall@10 against exact stays high (refined scores are exact)', async () => {
    const dir = path.join(tmp, 'ivf');
    await writeLanceTable(dir, { codes, labels, ids, dim }, { type: 'ivf_pq', partitions: 4, subVectors: 4 });
    const lance = await LanceBackend.open(dir, layout, { nprobes: 4, refineFactor: 20 });
    const a = await lance.search(queries, 10);
    const b = await new ExactBackend(codes, labels, ids, layout).search(queries, 10);
    let found = 0;
    for (let q = 0; q < 5; q++) {
      const truth = new Set(b[q].map((h) => h.row));
      found += a[q].filter((h) => truth.has(h.row)).length;
      const scores = bruteScores(codes, queries.subarray(q * dim, (q + 1) * dim), layout);
      for (const h of a[q]) expect(h.score).toBeCloseTo(scores[h.row], 5);
    }
    expect(found / 50).toBeGreaterThanOrEqual(0.9);
    await lance.close();
  });
});
