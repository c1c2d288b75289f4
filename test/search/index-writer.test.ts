import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_DEFAULTS } from '../../src/config.js';
import { initEngine } from '../../src/engine/backend.js';
import { CompactCodes } from '../../src/search/compact.js';
import { ExactBackend } from '../../src/search/exact.js';
import { Searcher } from '../../src/search/searcher.js';
import { openStore } from '../../src/search/store.js';
import { IndexWriter, defaultAnnIndex, rebuildAnn, recall } from '../../src/search/write.js';
import { topicCodes } from './fixtures.js';

const layout = { topics: 8, blockDim: 8 };
const dim = 64;
const n = 3000;
const { codes } = topicCodes(n, layout, 11);
const labels = Int32Array.from({ length: n }, (_, i) => i % 7);
const heldOut = topicCodes(20, layout, 12).codes;
const params = { dtype: 'int8', maxBlocks: 3, maxDroppedMass: 0.05 } as const;
const header = {
  model: { dir: '/nonexistent-model', fingerprint: 'f'.repeat(64) },
  dataset: { spec: 'synthetic', name: 'synthetic', domain: 'image' as const, classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] },
  split: 'train' as const,
  layout,
};
const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-writer-'));
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('index writer', () => {
  it('writes batches, sweeps the ANN search parameters against exact search and records the choice', async () => {
    const dir = path.join(tmp, 'ann');
    const w = await IndexWriter.create(await openStore(dir), header, { codes: params, ann: { dims: 64, index: { type: 'ivf_pq', partitions: 8, subVectors: 8 }, targetRecall: 0.9 }, heldOut });
    for (let s = 0; s < n; s += 700) await w.add(codes.subarray(s * dim, Math.min(n, s + 700) * dim), labels.subarray(s, Math.min(n, s + 700)));
    const m = await w.finish();
    const whole = CompactCodes.fromDense(codes, layout, params);
    expect(m).toMatchObject({ version: 3, n, dim, codes: { params, blocks: whole.blocks, meanBlocks: whole.blocks / n } });
    expect(m.codes.maxDroppedMass).toBe(whole.stats().maxDroppedMass);
    if (m.ann.type !== 'lance') throw new Error('expected an ANN stage');
    const { sweep, recall: chosen, k, queries } = m.ann.measured!;
    expect([k, queries]).toEqual([10, 20]);
    // Per nprobes, refine factors rise from the cheapest and stop at the first that reaches the target recall.
    for (const nprobes of INDEX_DEFAULTS.annSweepProbes) {
      const group = sweep.filter((s) => s.nprobes === nprobes);
      expect(group.map((s) => s.refineFactor)).toEqual(INDEX_DEFAULTS.annSweepRefine.slice(0, group.length));
      group.slice(0, -1).forEach((s) => expect(s.recall < 0.9 && 10 * s.refineFactor < n).toBe(true));
    }
    // The choice: the fastest setting that reached the target, else the one with the best recall.
    const ok = sweep.filter((s) => s.recall >= 0.9);
    const best = ok.length ? ok.reduce((a, b) => (b.qps > a.qps ? b : a)) : sweep.reduce((a, b) => (b.recall > a.recall || (b.recall === a.recall && b.qps > a.qps) ? b : a));
    expect(m.ann.search).toEqual({ nprobes: best.nprobes, refineFactor: best.refineFactor });
    expect(chosen).toBe(best.recall);
    // Probing every partition, enough candidates reach the target.
    expect(sweep.filter((s) => s.nprobes >= 8).every((s, i, g) => i < g.length - 1 || s.recall >= 0.9)).toBe(true);

    // Read back: the stored codes and labels are the written ones; the ANN stage answers with the chosen setting.
    const s = await Searcher.open(dir);
    expect(s.backend.name).toBe('lance');
    const exact = new ExactBackend(whole, labels, (r) => `train:${r}`);
    const truth = await exact.search(heldOut, 10);
    const got = await s.backend.search(heldOut, 10);
    expect(recall(got, truth)).toBeCloseTo(chosen, 5);
    expect(Array.from(await s.backend.codes([0, 2999]))).toEqual(Array.from(whole.dense([0, 2999])));
    expect(got[0][0].label).toBe(labels[got[0][0].row]);
    await Promise.all([s.close(), exact.close()]);
    // The manifest holds each binary file's size and SHA-256 as they are on disk.
    for (const name of ['codes.bin', 'labels.i32', 'projection.f32']) {
      const bytes = readFileSync(path.join(dir, name));
      expect(m.files[name]).toEqual({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
  });

  it('without an ANN stage is searched exactly; a truncated or old index is refused with the file named', async () => {
    const dir = path.join(tmp, 'flat');
    const w = await IndexWriter.create(await openStore(dir), header, { codes: params, ann: null });
    await w.add(codes.subarray(0, 500 * dim), labels.subarray(0, 500));
    const m = await w.finish();
    expect(m.ann).toEqual({ type: 'none' });
    const s = await Searcher.open(dir);
    expect(s.backend.name).toBe('exact');
    await s.close();
    await expect(Searcher.open(dir, { backend: 'lance' })).rejects.toThrow(/no ANN stage/);
    // One flipped byte (same size, still parseable labels) is caught by the checksum, with the file named.
    const labelsFile = path.join(dir, 'labels.i32');
    const good = readFileSync(labelsFile);
    const flipped = Buffer.from(good);
    flipped[5] ^= 1;
    writeFileSync(labelsFile, flipped);
    await expect(Searcher.open(dir)).rejects.toThrow(/labels\.i32: SHA-256 [0-9a-f]{16}… differs from the manifest's/);
    writeFileSync(labelsFile, good);
    const codesFile = path.join(dir, 'codes.bin');
    truncateSync(codesFile, readFileSync(codesFile).length - 100);
    await expect(Searcher.open(dir)).rejects.toThrow(/codes\.bin: .*truncated or corrupt index/);
    const manifest = path.join(dir, 'index.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version: 1 }));
    await expect(Searcher.open(dir)).rejects.toThrow(/index format version 1, this sadsl reads version 3; rebuild it/);
  });

  it('sizes the default index by the number of objects: IVF_RQ with √n partitions of at least 256 vectors', () => {
    expect(defaultAnnIndex(1_000_000, 256)).toEqual({ type: 'ivf_rq', partitions: 1000, bits: 1 });
    expect(defaultAnnIndex(60_000, 256)).toEqual({ type: 'ivf_rq', partitions: 234, bits: 1 });
    expect(defaultAnnIndex(3000, 64, 'ivf_pq')).toEqual({ type: 'ivf_pq', partitions: 11, subVectors: 8 });
    expect(defaultAnnIndex(100, 16, 'ivf_flat')).toEqual({ type: 'ivf_flat', partitions: 1 });
  });

  it('rebuilds only the ANN stage: another index type over the same vectors, measured again, codes untouched', async () => {
    const dir = path.join(tmp, 'rebuild');
    const w = await IndexWriter.create(await openStore(dir), header, { codes: params, ann: { dims: 64, index: { type: 'ivf_pq', partitions: 8, subVectors: 8 }, search: { nprobes: 2, refineFactor: 5 } } });
    await w.add(codes, labels);
    const before = await w.finish();
    const codesBytes = readFileSync(path.join(dir, 'codes.bin'));
    const m = await rebuildAnn(await openStore(dir), { ann: { indexType: 'ivf_flat', targetRecall: 0.99 }, heldOut });
    if (m.ann.type !== 'lance' || before.ann.type !== 'lance') throw new Error('expected an ANN stage');
    expect(m.ann.index).toEqual({ type: 'ivf_flat', partitions: 11 });
    expect(m.ann.dims).toBe(64);
    expect({ ...m, ann: null, createdAt: null }).toEqual({ ...before, ann: null, createdAt: null });
    expect(readFileSync(path.join(dir, 'codes.bin')).equals(codesBytes)).toBe(true);
    // The sweep ran on the held-out queries and its choice is what a reopened index searches with.
    expect(m.ann.measured!.queries).toBe(20);
    const s = await Searcher.open(dir);
    const exact = new ExactBackend(CompactCodes.fromDense(codes, layout, params), labels, (r) => `train:${r}`);
    expect(recall(await s.backend.search(heldOut, 10), await exact.search(heldOut, 10))).toBeCloseTo(m.ann.measured!.recall, 5);
    // Probing every partition, the flat index ranks the projected vectors exactly: with D = dim the candidates
    // are the exact top-k, so recall is 1.
    expect(m.ann.measured!.sweep.filter((x) => x.nprobes >= 11).every((x) => x.recall === 1)).toBe(true);
    await Promise.all([s.close(), exact.close()]);
    // The default type (RaBitQ codes): the sweep finds a setting that reaches the target.
    const rq = await rebuildAnn(await openStore(dir), { heldOut });
    if (rq.ann.type !== 'lance') throw new Error('expected an ANN stage');
    expect(rq.ann.index).toEqual({ type: 'ivf_rq', partitions: 11, bits: 1 });
    expect(rq.ann.measured!.recall).toBeGreaterThanOrEqual(INDEX_DEFAULTS.annTargetRecall);
    // An index without an ANN stage has nothing to rebuild.
    const flat = path.join(tmp, 'rebuild-none');
    const w2 = await IndexWriter.create(await openStore(flat), header, { codes: params, ann: null });
    await w2.add(codes.subarray(0, 100 * dim), labels.subarray(0, 100));
    await w2.finish();
    await expect(rebuildAnn(await openStore(flat), { heldOut })).rejects.toThrow(/no ANN stage to rebuild/);
  });
});

