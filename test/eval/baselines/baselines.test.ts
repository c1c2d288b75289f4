import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, ImageSplit, TextSplit } from '../../../src/data/types.js';
import { initEngine } from '../../../src/engine/backend.js';
import { Rng } from '../../../src/engine/random.js';
import { createBaseline } from '../../../src/eval/baselines/index.js';
import { symmetricEigen } from '../../../src/eval/linalg.js';
import type { SparseCodes } from '../../../src/eval/method.js';
import type { DenseCodes } from '../../../src/train/codes.js';
import { evaluateCodes } from '../../../src/eval/retrieval.js';

function imageSplit(rng: Rng, n: number): ImageSplit {
  const labels = Int32Array.from({ length: n }, () => rng.int(3));
  // Class c brightens pixel block c, so the classes are separable.
  const pixels = Uint8Array.from({ length: n * 16 }, (_, i) => rng.int(60) + (Math.floor((i % 16) / 5) === labels[Math.floor(i / 16)] ? 150 : 0));
  return { kind: 'image', n, height: 4, width: 4, channels: 1, pixels, labels };
}

function dataset<S extends ImageSplit | TextSplit>(train: S, test: S): Dataset<S> {
  return { spec: 'test', name: 'test', domain: train.kind, classes: ['a', 'b', 'c'], train, test, splitInfo: { kind: 'given' } } as Dataset<S>;
}

const docs = [
  ['apple banana apple fruit', 0],
  ['banana fruit salad', 0],
  ['engine wheel car', 1],
  ['car engine road wheel car', 1],
  ['fruit car', 0],
] as const;
const textSplit = (rows: readonly (readonly [string, number])[]): TextSplit => ({
  kind: 'text',
  n: rows.length,
  texts: rows.map((r) => r[0]),
  labels: Int32Array.from(rows.map((r) => r[1])),
});

describe('baselines', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });
  const rng = new Rng(11);
  const images = dataset(imageSplit(rng, 60), imageSplit(rng, 12));

  it('raw: unit-norm pixel codes in [0, 1] scale', async () => {
    const m = createBaseline('raw');
    await m.fit(images, { seed: 0 });
    const c = (await m.encode(images.test)) as DenseCodes;
    expect(c.kind).toBe('dense');
    expect(c.dim).toBe(16);
    const p = images.test.pixels;
    const norm = Math.hypot(...Array.from(p.subarray(0, 16), (v) => v / 255));
    for (let t = 0; t < 16; t++) expect(c.codes[t]).toBeCloseTo(p[t] / 255 / norm, 6);
  });

  it('pca: codes are the projections on the covariance eigenvectors', async () => {
    const m = createBaseline('pca', { dims: 3 });
    await m.fit(images, { seed: 1 });
    const c = (await m.encode(images.test)) as DenseCodes;
    expect(c.dim).toBe(3);
    // Naive: covariance of the [0, 1] training pixels, its eigenvectors, projections of centred test rows.
    const tr = images.train;
    const x = Array.from({ length: tr.n }, (_, i) => Array.from(tr.pixels.subarray(i * 16, i * 16 + 16), (v) => v / 255));
    const mean = Array.from({ length: 16 }, (_, t) => x.reduce((s, r) => s + r[t], 0) / tr.n);
    const cov = new Float64Array(256);
    for (const r of x) for (let a = 0; a < 16; a++) for (let b = 0; b < 16; b++) cov[a * 16 + b] += ((r[a] - mean[a]) * (r[b] - mean[b])) / tr.n;
    const { vectors } = symmetricEigen(cov, 16);
    const signs: number[] = [];
    for (let i = 0; i < images.test.n; i++) {
      const row = Array.from(images.test.pixels.subarray(i * 16, i * 16 + 16), (v, t) => v / 255 - mean[t]);
      const proj = vectors.slice(0, 3).map((v) => v.reduce((s, w, t) => s + w * row[t], 0));
      const norm = Math.hypot(...proj);
      // Eigenvectors have an arbitrary sign: fix each component's sign on the first test row.
      if (i === 0) proj.forEach((p, k) => signs.push(Math.sign(c.codes[k]) * Math.sign(p)));
      proj.forEach((p, k) => expect(c.codes[i * 3 + k]).toBeCloseTo((signs[k] * p) / norm, 4));
    }
    const again = createBaseline('pca', { dims: 3 });
    await again.fit(images, { seed: 1 });
    expect(((await again.encode(images.test)) as DenseCodes).codes).toEqual(c.codes);
  });

  it('raw text: tf-idf cosine ranks same-topic documents first', async () => {
    const ds = dataset(textSplit(docs), textSplit([['apple fruit', 0], ['wheel road', 1]]));
    const m = createBaseline('raw', { vocabSize: 100 });
    await m.fit(ds, { seed: 0 });
    const q = (await m.encode(ds.test)) as SparseCodes;
    const d = (await m.encode(ds.train)) as SparseCodes;
    expect(q.kind).toBe('sparse');
    // Row norms are 1.
    for (let r = 0; r < d.rows.rows; r++) {
      let s = 0;
      for (let k = d.rows.indptr[r]; k < d.rows.indptr[r + 1]; k++) s += d.rows.values[k] ** 2;
      expect(s).toBeCloseTo(1, 5);
    }
    const res = await evaluateCodes(q, ds.test.labels, d, ds.train.labels);
    // Query "apple fruit": doc 0 (apple ×2, fruit) scores highest, then docs 1 and 4 (fruit); relevant 0, 1, 4
    // at ranks 1, 2 or 3 and the car documents score 0 → AP 1. Query "wheel road": docs 3 and 2 → AP 1.
    expect(res.mAP).toBeCloseTo(1, 12);
  });

  it('lsa: a 2-dimensional LSA separates two topics; errors name the method', async () => {
    const ds = dataset(textSplit(docs), textSplit([['apple banana', 0], ['engine car', 1]]));
    const m = createBaseline('lsa', { vocabSize: 100, dims: 2 });
    await m.fit(ds, { seed: 0 });
    const q = (await m.encode(ds.test)) as DenseCodes;
    expect(q.dim).toBe(2);
    const res = await evaluateCodes(q, ds.test.labels, await m.encode(ds.train), ds.train.labels);
    expect(res.precisionAt10).toBeGreaterThan(0);
    expect(res.rPrecision).toBeGreaterThanOrEqual(2 / 3);
    await expect(createBaseline('pca').fit(ds, { seed: 0 })).rejects.toThrow(/pca: images only/);
    await expect(createBaseline('lsa').fit(images, { seed: 0 })).rejects.toThrow(/lsa: documents only/);
    expect(() => createBaseline('nope')).toThrow(/unknown baseline "nope"/);
  });
});
