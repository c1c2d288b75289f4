import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import * as tf from '../../src/engine/tf.js';
import { QueryBatcher } from '../../src/search/batcher.js';
import { CompactCodes } from '../../src/search/compact.js';
import { ExactBackend } from '../../src/search/exact.js';
import { LanceBackend, LanceWriter } from '../../src/search/lance.js';
import { fitProjection, projectCompact, projectDense } from '../../src/search/projection.js';
import { parseTopicWeights, weightVector } from '../../src/search/topics.js';
import { TopK } from '../../src/engine/topk.js';
import { bruteScores, topRows, topicCodes, unitCodes } from './fixtures.js';

const layout = { topics: 4, blockDim: 8 };
const dim = 32;
const n = 5000; // more than one score tile (4,096 rows)
const { codes } = topicCodes(n, layout, 1);
const labels = Int32Array.from({ length: n }, (_, i) => i % 5);
const ids = (row: number) => `train:${row}`;
const queries = topicCodes(6, layout, 2).codes;
const lossless = { dtype: 'float32', maxBlocks: 4, maxDroppedMass: 0 } as const;
const compactParams = { dtype: 'int8', maxBlocks: 2, maxDroppedMass: 0.05 } as const;
const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-backends-'));
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Scores of the compact query against every compact code, by a plain loop over the dense forms. */
function compactBrute(params: typeof compactParams, w?: number[]): { scores: number[][]; db: CompactCodes; q: CompactCodes } {
  const db = CompactCodes.fromDense(codes, layout, params);
  const q = CompactCodes.fromDense(queries, layout, { ...params, dtype: 'float32' });
  const all = Array.from({ length: n }, (_, i) => i);
  const dense = db.dense(all);
  const qd = q.dense(Array.from({ length: q.n }, (_, i) => i));
  return { scores: Array.from({ length: q.n }, (_, i) => bruteScores(dense, qd.subarray(i * dim, (i + 1) * dim), layout, w)), db, q };
}

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
  it('with lossless codes returns the brute-force top-k of the full codes, contributions summing to the score', async () => {
    const exact = new ExactBackend(CompactCodes.fromDense(codes, layout, lossless), labels, ids, lossless);
    const hits = await exact.search(queries, 10);
    for (let q = 0; q < 6; q++) {
      const scores = bruteScores(codes, queries.subarray(q * dim, (q + 1) * dim), layout);
      expect(hits[q].map((h) => h.row)).toEqual(topRows(scores, 10));
      for (const h of hits[q]) {
        expect(h.score).toBeCloseTo(scores[h.row], 5);
        expect(h.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(h.score, 6);
        expect(h.dropped).toEqual({ query: 0, object: 0 });
        expect(h.id).toBe(`train:${h.row}`);
        expect(h.label).toBe(h.row % 5);
      }
    }
  });

  it('lists near-ties in the order of the scores it reports, as rank() does', async () => {
    // 500 copies of one code, each moved by ~1e-7: scores differ in the last float32 bits, where the engine's
    // product and the per-topic sums a hit reports can disagree.
    const base = codes.subarray(0, dim);
    const near = new Float32Array(500 * dim);
    for (let i = 0; i < 500; i++) for (let j = 0; j < dim; j++) near[i * dim + j] = base[j] * (1 + 1e-7 * (((i * 7 + j * 13) % 11) - 5));
    const exact = new ExactBackend(CompactCodes.fromDense(near, layout, lossless), new Int32Array(500), ids, lossless);
    const [hits] = await exact.search(base, 500);
    const rows = Array.from({ length: 500 }, (_, i) => i);
    expect(hits.map((h) => h.row)).toEqual(exact.rank(base, rows, 500).map((h) => h.row));
    for (let i = 1; i < 500; i++) expect(hits[i].score < hits[i - 1].score || (hits[i].score === hits[i - 1].score && hits[i].row > hits[i - 1].row)).toBe(true);
    await exact.close();
  });

  it('with compact codes scores the compact query against the stored blocks exactly, and says what was dropped', async () => {
    const { scores, db, q } = compactBrute(compactParams);
    const exact = new ExactBackend(db, labels, ids, compactParams);
    const hits = await exact.search(queries, 10);
    for (let i = 0; i < 6; i++) {
      expect(hits[i].map((h) => h.row)).toEqual(topRows(scores[i], 10));
      for (const h of hits[i]) {
        expect(h.score).toBeCloseTo(scores[i][h.row], 5);
        expect(h.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(h.score, 6);
        expect(h.dropped.object).toBe(db.dropped[h.row]);
        expect(h.dropped.query).toBe(q.dropped[i]);
        // A topic contributes only when both codes keep it.
        const kept = (c: CompactCodes, r: number) => new Set(Array.from(c.topics.subarray(c.offsets[r], c.offsets[r + 1])));
        h.contributions.forEach((c, k) => {
          if (!(kept(db, h.row).has(k) && kept(q, i).has(k))) expect(c).toBe(0);
        });
      }
    }
    // A block of queries gives what one query at a time gives.
    for (let i = 0; i < 6; i++) expect((await exact.search(queries.subarray(i * dim, (i + 1) * dim), 10))[0]).toEqual(hits[i]);
    // Re-ranking candidates scores them alike.
    const some = [...hits[0].map((h) => h.row).reverse(), 17, 4999];
    expect(exact.rank(queries.subarray(0, dim), some, 10)).toEqual(hits[0]);
  });

  it('by default scores the whole query against each object’s stored blocks (asymmetric), as a dense loop does', async () => {
    const db = CompactCodes.fromDense(codes, layout, compactParams);
    const dense = db.dense(Array.from({ length: n }, (_, i) => i));
    const exact = new ExactBackend(db, labels, ids);
    const hits = await exact.search(queries, 10);
    for (let i = 0; i < 6; i++) {
      const scores = bruteScores(dense, queries.subarray(i * dim, (i + 1) * dim), layout);
      expect(hits[i].map((h) => h.row)).toEqual(topRows(scores, 10));
      for (const h of hits[i]) {
        expect(h.score).toBeCloseTo(scores[h.row], 5);
        expect(h.dropped.query).toBe(0);
      }
    }
    await exact.close();
  });

  it('steers by topic: weight 0 removes a topic, others scale it', async () => {
    const w = [0, 1, 3, 1];
    const { scores, db } = compactBrute(compactParams, w);
    const exact = new ExactBackend(db, labels, ids, compactParams);
    const hits = (await exact.search(queries.subarray(0, dim), 10, { 0: 0, 2: 3 }))[0];
    expect(hits.map((h) => h.row)).toEqual(topRows(scores[0], 10));
    for (const h of hits) expect(h.contributions[0]).toBe(0);
    expect(hits[0].score).toBeCloseTo(scores[0][hits[0].row], 5);
  });

  it('finds a stored code as its own best hit', async () => {
    const exact = new ExactBackend(CompactCodes.fromDense(codes, layout, lossless), labels, ids, lossless);
    const hit = (await exact.search(await exact.codes([123]), 1))[0][0];
    expect(hit.row).toBe(123);
    expect(hit.score).toBeCloseTo(1, 5);
  });
});

describe('exact backend, pruned by head topics', () => {
  // 40 clusters: each object a noisy copy of one of 40 peaked topic codes, so a query's near neighbours share
  // its head topics and the bound rules out the other clusters.
  const K = 8;
  const lay = { topics: K, blockDim: 8 };
  const D = K * 8;
  const protos = topicCodes(40, lay, 7, 4).codes;
  const noisy = (count: number, seed: number, sigma: number) => {
    const noise = unitCodes(count, D, seed);
    const out = new Float32Array(count * D);
    for (let i = 0; i < count; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += (out[i * D + j] = protos[(i % 40) * D + j] + sigma * noise[i * D + j]) ** 2;
      for (let j = 0; j < D; j++) out[i * D + j] /= Math.sqrt(s);
    }
    return out;
  };
  const db = CompactCodes.fromDense(noisy(3000, 11, 0.25), lay, compactParams);
  const dense = db.dense(Array.from({ length: 3000 }, (_, i) => i));
  const labs = Int32Array.from({ length: 3000 }, (_, i) => i % 40);
  // Cluster queries and unstructured ones (whose best scores are low, so the bounds decide more).
  const qs = new Float32Array([...noisy(8, 12, 0.25), ...topicCodes(4, lay, 13).codes]);

  it('returns the exact top-k (a plain loop, and the unpruned search) across several tiles, scoring only candidates', async () => {
    const pruned = new ExactBackend(db, labs, ids, undefined, { tailMass: 0.2, range: 700 });
    const full = new ExactBackend(db, labs, ids, undefined, { tailMass: 0, range: 700 });
    // Pieces copied to the engine per pass instead of kept there: the same hits.
    const transient = new ExactBackend(db, labs, ids, undefined, { tailMass: 0.2, range: 700, resident: false });
    for (const weights of [undefined, { 0: 0, 2: 3 }]) {
      const w = weights ? Array.from({ length: K }, (_, k) => (k === 0 ? 0 : k === 2 ? 3 : 1)) : undefined;
      const hits = await pruned.search(qs, 10, weights);
      const stats = pruned.stats;
      const ref = await full.search(qs, 10, weights);
      for (let i = 0; i < 12; i++) {
        const scores = bruteScores(dense, qs.subarray(i * D, (i + 1) * D), lay, w);
        expect(hits[i].map((h) => h.row)).toEqual(topRows(scores, 10));
        expect(hits[i]).toEqual(ref[i]);
        for (const h of hits[i]) expect(h.score).toBeCloseTo(scores[h.row], 5);
      }
      expect(await transient.search(qs, 10, weights)).toEqual(hits);
      expect(stats.headTopics).toBeLessThan(K);
      expect(full.stats.headTopics).toBeGreaterThan(stats.headTopics);
    }
    // The cluster queries alone: a few clusters' worth of objects (75 each) are scored, not the 3,000; a search
    // leaves no tensor behind (non-resident pieces are made and disposed per pass).
    const before = tf.memory().numTensors;
    await pruned.search(qs.subarray(0, 8 * D), 10);
    await transient.search(qs.subarray(0, 8 * D), 10);
    expect(tf.memory().numTensors).toBe(before);
    expect(pruned.stats.candidates).toBeLessThan(100);
    await pruned.close();
    await full.close();
    await transient.close();
  });

  it('keeps an object whose tail topics lift it above one that leads on the head (the bound, by hand)', async () => {
    // q = (0.9, √0.19): with tailMass 0.2 the head is topic 0 and ‖q_T‖ = 0.4359. x1 = (0.5, 0.866) scores
    // 0.45 + 0.3775 = 0.8275 but only 0.45 on the head; x2 = (0.85, 0) scores 0.765, all of it on the head.
    const tiny = { topics: 2, blockDim: 1 };
    const codes = CompactCodes.fromDense(new Float32Array([0.5, 0.866, 0.85, 0, 0.1, 0.2]), tiny, lossless);
    const exact = new ExactBackend(codes, new Int32Array(3), ids, undefined, { tailMass: 0.2 });
    const [hits] = await exact.search(new Float32Array([0.9, Math.sqrt(0.19)]), 1);
    expect(exact.stats.headTopics).toBe(1);
    expect(hits.map((h) => h.row)).toEqual([0]);
    expect(hits[0].score).toBeCloseTo(0.45 + Math.sqrt(0.19) * 0.866, 5);
    await exact.close();
  });

  it('rejects a tail share outside [0, 1)', () => {
    expect(() => new ExactBackend(db, labs, ids, undefined, { tailMass: 1 })).toThrow(/tailMass/);
  });
});

describe('query batcher', () => {
  it('answers queries that arrive together in one pass, each as if alone', async () => {
    const exact = new ExactBackend(CompactCodes.fromDense(codes, layout, compactParams), labels, ids, compactParams);
    const batcher = new QueryBatcher(exact);
    const one = (i: number) => queries.subarray(i * dim, (i + 1) * dim);
    const hits = await Promise.all([0, 1, 2, 3].map((i) => batcher.search(one(i), 3 + i)));
    // Different weights go to another pass.
    const steered = await Promise.all([batcher.search(one(4), 5, { 1: 0 }), batcher.search(one(5), 5)]);
    expect(batcher.passes).toEqual([4, 1, 1]);
    for (let i = 0; i < 4; i++) expect(hits[i]).toEqual((await exact.search(one(i), 3 + i))[0]);
    expect(steered[0]).toEqual((await exact.search(one(4), 5, { 1: 0 }))[0]);
  });
});

describe('projection', () => {
  it('keeps inner products of the sample within the dropped spectrum, and projects compact codes like their dense forms', async () => {
    // Codes in a 6-dim subspace of 32 dims are projected losslessly with D = 6.
    const basis = unitCodes(6, dim, 5);
    const coef = unitCodes(400, 6, 6);
    const low = new Float32Array(400 * dim);
    for (let i = 0; i < 400; i++) for (let a = 0; a < 6; a++) for (let t = 0; t < dim; t++) low[i * dim + t] += coef[i * 6 + a] * basis[a * dim + t];
    const p = await fitProjection(low, dim, 6);
    const y = await projectDense(p, low);
    for (const [i, j] of [[0, 1], [5, 300], [42, 42]]) {
      let exact = 0;
      let approx = 0;
      for (let t = 0; t < dim; t++) exact += low[i * dim + t] * low[j * dim + t];
      for (let c = 0; c < 6; c++) approx += y[i * 6 + c] * y[j * 6 + c];
      expect(approx).toBeCloseTo(exact, 4);
    }
    const c = CompactCodes.fromDense(codes.subarray(0, 50 * dim), layout, compactParams);
    const q = await fitProjection(codes.subarray(0, 1000 * dim), dim, 8);
    const a = await projectCompact(q, c);
    const b = await projectDense(q, c.dense(Array.from({ length: 50 }, (_, i) => i)));
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
  });
});

describe('LanceDB backend', () => {
  it('proposes candidates that the exact backend re-scores: with every partition probed it equals exact search', async () => {
    const db = CompactCodes.fromDense(codes, layout, compactParams);
    const exact = new ExactBackend(db, labels, ids, compactParams);
    const p = await fitProjection(db.dense(Array.from({ length: 2000 }, (_, i) => i)), dim, 16);
    const w = await LanceWriter.open({ uri: path.join(tmp, 'ivf') }, p.D);
    await w.add({ start: 0, ids: Array.from({ length: 3000 }, (_, i) => ids(i)), labels: labels.subarray(0, 3000), vectors: await projectCompact(p, db.slice(0, 3000)) });
    await w.add({ start: 3000, ids: Array.from({ length: n - 3000 }, (_, i) => ids(3000 + i)), labels: labels.subarray(3000), vectors: await projectCompact(p, db.slice(3000, n)) });
    await w.createIndex({ type: 'ivf_pq', partitions: 8, subVectors: 2 });
    w.close();
    const lance = await LanceBackend.open({ uri: path.join(tmp, 'ivf') }, exact, p, { nprobes: 8, refineFactor: 500 });
    expect(lance.size).toBe(n);
    for (const wts of [undefined, { 1: 0, 3: 2 }]) {
      const a = await lance.search(queries, 10, wts);
      const b = await exact.search(queries, 10, wts);
      for (let q = 0; q < 6; q++) expect(a[q].map((h) => h.row)).toEqual(b[q].map((h) => h.row));
    }
    expect(Array.from(await lance.codes([5, 4999]))).toEqual(Array.from(await exact.codes([5, 4999])));
    await lance.close();
  });
});
