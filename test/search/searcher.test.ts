import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/registry.js';
import type { ImageSplit } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import { Searcher } from '../../src/search/searcher.js';
import { readIndexManifest } from '../../src/search/manifest.js';
import { openStore } from '../../src/search/store.js';
import { TINY_INDEX_CODES, tinyIndex, type TinyIndex } from './tiny-index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-searcher-'));
let t: TinyIndex;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  // An ANN stage on 2,000 objects, searched with fixed parameters (the build's sweep is tested in index.test.ts).
  t = await tinyIndex(tmp, 'image', { dims: 16, index: { type: 'ivf_pq', partitions: 4, subVectors: 2 }, search: { nprobes: 4, refineFactor: 50 } });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('index built from a trained model', () => {
  it('records the model fingerprint, dataset, split and layout', async () => {
    const m = await readIndexManifest(await openStore(t.indexDir));
    const model = JSON.parse(readFileSync(path.join(t.modelDir, 'model.json'), 'utf8')).sadsl;
    expect(m.model.fingerprint).toBe(model.fingerprint);
    expect(m.dataset.spec).toBe('sample-images');
    expect(m.split).toBe('train');
    expect(m.layout).toEqual({ topics: 4, blockDim: 16 });
    expect(m.dim).toBe(64);
    expect(m.n).toBe((await loadDataset('sample-images')).train.n);
    expect(m.codes.params).toEqual(TINY_INDEX_CODES);
    expect(m.ann).toMatchObject({ type: 'lance', dims: 16, search: { nprobes: 4, refineFactor: 50 }, measured: { queries: 100, k: 10 } });
  });

  it('exact and LanceDB backends return the same hits; an object finds itself first', async () => {
    const exact = await Searcher.open(t.indexDir, { backend: 'exact' });
    const lance = await Searcher.open(t.indexDir, { backend: 'lance' });
    for (const id of ['train:0', 'train:17']) {
      const qe = await exact.query({ id });
      const ql = await lance.query({ id });
      expect(Array.from(ql.code)).toEqual(Array.from(qe.code));
      const he = await exact.search(qe.code, 5, { 1: 0 });
      const hl = await lance.search(ql.code, 5, { 1: 0 });
      expect(hl.map((h) => h.id)).toEqual(he.map((h) => h.id));
      expect(he.every((h) => h.contributions[1] === 0)).toBe(true);
      const plain = await exact.search(qe.code, 1);
      expect(plain[0].id).toBe(id);
      // The stored code is unit-norm up to ε, int8 rounding and the mass it (and the query's re-compaction) dropped.
      expect(plain[0].score).toBeLessThan(1.01);
      expect(plain[0].score).toBeGreaterThan(1 - plain[0].dropped.object - 0.03);
    }
    await exact.close();
    await lance.close();
  });

  it('θ of the database from the stored blocks: the model’s θ of those topics over their sum, rows summing to 1', async () => {
    const s = await Searcher.open(t.indexDir, { backend: 'exact' });
    const K = 4;
    const theta = s.theta!;
    const rows = Array.from({ length: s.manifest.n }, (_, i) => i);
    const enc = await (await s.model()).encode({ split: (await s.dataset()).train, indices: rows });
    const truth = enc.theta!.values;
    let renormalised = 0;
    for (const i of rows) {
      let sum = 0;
      let stored = 0;
      for (let k = 0; k < K; k++) {
        sum += theta[i * K + k];
        if (theta[i * K + k] > 0) stored += truth[i * K + k];
      }
      expect(sum).toBeCloseTo(1, 5);
      for (let k = 0; k < K; k++) if (theta[i * K + k] > 0) expect(theta[i * K + k]).toBeCloseTo(truth[i * K + k] / stored, 2);
      if (stored < 0.999) renormalised++;
    }
    expect(renormalised).toBeGreaterThan(0); // some rows dropped blocks, so the sums above test the renormalisation
    await s.close();
  });

  it('encodes a query from outside the index (test split, PNG upload) like the model does', async () => {
    const s = await Searcher.open(t.indexDir, { backend: 'exact' });
    const ds = await loadDataset('sample-images');
    const split = ds.test as ImageSplit;
    const q = await s.query({ id: 'test:2' });
    const model = await s.model();
    const direct = (await model.encode({ split, indices: [2] })).codes;
    expect(Array.from(q.code)).toEqual(Array.from(direct));
    // The same image as a PNG upload decodes to the same pixels and so the same code.
    const size = split.height * split.width;
    const png = await sharp(Buffer.from(split.pixels.subarray(2 * size, 3 * size)), { raw: { width: split.width, height: split.height, channels: 1 } }).png().toBuffer();
    const up = await s.query({ image: png });
    Array.from(up.code).forEach((v, i) => expect(v).toBeCloseTo(direct[i], 5));
    // The model's explanation is of the full-code score, which the compact score approximates within √δ(q) + √δ(x).
    const hit = (await s.search(q.code, 1))[0];
    const e = await s.explain(q.objects, (await s.lookup(hit.id))!);
    expect(Math.abs(e.score - hit.score)).toBeLessThanOrEqual(Math.sqrt(hit.dropped.query) + Math.sqrt(hit.dropped.object) + 0.01);
    await expect(s.query({ image: new Uint8Array([1, 2, 3]) })).rejects.toThrow(/not a PNG, JPEG or WebP image/);
    await expect(s.query({ text: 'hello' })).rejects.toThrow(/holds images/);
    await expect(s.query({ id: 'test:99999' })).rejects.toThrow(/not an object/);
    await s.close();
  });

  it('refuses a model with another fingerprint', async () => {
    const other = path.join(tmp, 'other-model');
    cpSync(t.modelDir, other, { recursive: true });
    const json = JSON.parse(readFileSync(path.join(other, 'model.json'), 'utf8'));
    json.sadsl.fingerprint = 'f'.repeat(64);
    writeFileSync(path.join(other, 'model.json'), JSON.stringify(json));
    await expect(Searcher.open(t.indexDir, { model: other })).rejects.toThrow(/model fingerprint ffffffffffff… differs from the one the index was built with/);
    await expect(Searcher.open(path.join(tmp, 'nope'))).rejects.toThrow(/index.json: not found/);
  });
});
