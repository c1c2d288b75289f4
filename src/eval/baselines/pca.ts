/**
 * Baseline `pca` (images, docs/model.md §6.2): cosine similarity of the top principal components of the pixels
 * ([0, 1], as `raw`), without whitening. The D×D covariance of the training split is accumulated on the tf
 * backend in row blocks; its top `dims` eigenvectors come from seeded subspace iteration (`linalg.ts`).
 */
import { BASELINE_DEFAULTS } from '../../config.js';
import type { Dataset, ImageSplit, Split } from '../../data/types.js';
import * as tf from '../../engine/tf.js';
import { Rng } from '../../engine/random.js';
import { ArgumentError, ModelError } from '../../errors.js';
import { topEigen } from '../linalg.js';
import type { Codes, FitOptions, Method } from '../method.js';
import { cosineNormalize } from '../retrieval.js';
import { unitPixels } from './raw.js';

const ROW_BLOCK = 4096;

/** Rows minus the mean, [rows, D], of rows r0..r1 of a [n, D] matrix. */
function centeredBlock(x: Float32Array, mean: Float32Array, r0: number, r1: number): Float32Array {
  const D = mean.length;
  const out = x.slice(r0 * D, r1 * D);
  for (let i = 0; i < out.length; i++) out[i] -= mean[i % D];
  return out;
}

export class PcaMethod implements Method {
  readonly id = 'pca';
  private model: { mean: Float32Array; components: Float32Array; D: number; k: number } | null = null;

  /** `dims`: principal components kept (capped at the pixel count). */
  constructor(private readonly dims: number = BASELINE_DEFAULTS.dims) {}

  async fit(ds: Dataset, opts: FitOptions): Promise<void> {
    if (ds.train.kind !== 'image') throw new ArgumentError(`pca: images only (dataset ${ds.name} is text; use lsa)`);
    const train = ds.train;
    const D = train.height * train.width * train.channels;
    const n = train.n;
    const x = unitPixels(train); // [n, D]
    const mean = new Float32Array(D);
    const sum = new Float64Array(D);
    for (let i = 0; i < x.length; i++) sum[i % D] += x[i];
    for (let t = 0; t < D; t++) mean[t] = sum[t] / n;
    const cov = new Float64Array(D * D); // [D, D]
    for (let r0 = 0; r0 < n; r0 += ROW_BLOCK) {
      const r1 = Math.min(n, r0 + ROW_BLOCK);
      const part = tf.tidy(() => {
        const xb = tf.tensor2d(centeredBlock(x, mean, r0, r1), [r1 - r0, D]); // [b, D]
        return tf.matMul(xb, xb, true, false); // [D, D]
      });
      const vals = await part.data();
      part.dispose();
      for (let i = 0; i < vals.length; i++) cov[i] += vals[i] / n;
    }
    const k = Math.min(this.dims, D);
    const apply = (cols: Float64Array[]): Float64Array[] =>
      cols.map((v) => {
        const out = new Float64Array(D);
        for (let r = 0; r < D; r++) {
          let s = 0;
          const o = r * D;
          for (let t = 0; t < D; t++) s += cov[o + t] * v[t];
          out[r] = s;
        }
        return out;
      });
    const { vectors } = topEigen(apply, D, k, {
      rng: new Rng(opts.seed),
      onIteration: (d, total) => opts.onProgress?.(d, total, 'pca iterations'),
    });
    const components = new Float32Array(D * k); // [D, k]
    vectors.forEach((v, c) => v.forEach((val, t) => (components[t * k + c] = val)));
    this.model = { mean, components, D, k };
  }

  async encode(split: Split): Promise<Codes> {
    const m = this.model;
    if (m === null) throw new ModelError('pca: encode() needs fit() first');
    const images = split as ImageSplit;
    if (split.kind !== 'image' || images.height * images.width * images.channels !== m.D) {
      throw new ArgumentError(`pca: expected images of ${m.D} values, like the training split`);
    }
    const x = unitPixels(images);
    const codes = new Float32Array(images.n * m.k); // [n, k]
    const w = tf.tensor2d(m.components, [m.D, m.k]); // [D, k]
    try {
      for (let r0 = 0; r0 < images.n; r0 += ROW_BLOCK) {
        const r1 = Math.min(images.n, r0 + ROW_BLOCK);
        const proj = tf.tidy(() => tf.matMul(tf.tensor2d(centeredBlock(x, m.mean, r0, r1), [r1 - r0, m.D]), w)); // [b, k]
        codes.set(await proj.data(), r0 * m.k);
        proj.dispose();
      }
    } finally {
      w.dispose();
    }
    return { kind: 'dense', codes: cosineNormalize(codes, m.k), dim: m.k };
  }
}
