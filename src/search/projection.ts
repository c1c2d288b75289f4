/**
 * The vectors the ANN index holds: codes projected onto the top D principal directions of their uncentred
 * second moment, so ⟨Pᵀq, Pᵀx⟩ ≈ ⟨q, x⟩ for inner-product search at D ≪ K·d dims (the ANN only proposes
 * candidates; their scores are recomputed exactly on the compact codes). Fitted on a sample by a randomized
 * SVD (Halko et al. 2011: range finder with two power iterations, then the small l×l eigenproblem), with the
 * large products on the engine.
 */
import { Rng } from '../engine/random.js';
import * as tf from '../engine/tf.js';
import { orthonormalize, symmetricEigen } from '../eval/linalg.js';
import type { CompactCodes } from './compact.js';

/** P [dim, D], row-major: column c is the c-th principal direction. */
export interface Projection {
  dim: number;
  D: number;
  matrix: Float32Array;
}

function columns(m: Float32Array, rows: number, cols: number): Float64Array[] {
  return Array.from({ length: cols }, (_, c) => Float64Array.from({ length: rows }, (_, r) => m[r * cols + c]));
}

function fromColumns(cols: Float64Array[]): Float32Array {
  const rows = cols[0].length;
  const out = new Float32Array(rows * cols.length);
  cols.forEach((c, j) => c.forEach((v, r) => (out[r * cols.length + j] = v)));
  return out;
}

/** Fits a D-dimensional projection on sample codes [S, dim]. */
export async function fitProjection(sample: Float32Array, dim: number, D: number, seed = 0): Promise<Projection> {
  const S = sample.length / dim;
  const d = Math.min(D, dim, S);
  const l = Math.min(dim, S, d + 10);
  const rng = new Rng(seed);
  const X = tf.tensor2d(sample, [S, dim]);
  try {
    // Range finder: Y = X Ω, then (X Xᵀ) Y twice, re-orthonormalised in between.
    let Y = fromColumns(
      columns(
        (await tf.tidy(() => tf.matMul(X, tf.tensor2d(rng.normalArray(dim * l), [dim, l]))).data()) as Float32Array,
        S,
        l,
      ),
    );
    for (let it = 0; it < 2; it++) {
      const q = columns(Y, S, l);
      orthonormalize(q);
      Y = (await tf.tidy(() => tf.matMul(X, tf.matMul(X, tf.tensor2d(fromColumns(q), [S, l]), true, false))).data()) as Float32Array;
    }
    const Q = columns(Y, S, l);
    orthonormalize(Q);
    const B = (await tf.tidy(() => tf.matMul(tf.tensor2d(fromColumns(Q), [S, l]), X, true, false)).data()) as Float32Array; // [l, dim]
    const G = new Float64Array(l * l);
    for (let i = 0; i < l; i++) {
      for (let j = i; j < l; j++) {
        let s = 0;
        for (let t = 0; t < dim; t++) s += B[i * dim + t] * B[j * dim + t];
        G[i * l + j] = G[j * l + i] = s;
      }
    }
    const { values, vectors } = symmetricEigen(G, l);
    // Right singular vectors: v_c = Bᵀ u_c / σ_c.
    const P = new Float32Array(dim * d);
    for (let c = 0; c < d; c++) {
      const sigma = Math.sqrt(Math.max(values[c], 0));
      if (sigma === 0) continue;
      for (let t = 0; t < dim; t++) {
        let s = 0;
        for (let i = 0; i < l; i++) s += vectors[c][i] * B[i * dim + t];
        P[t * d + c] = s / sigma;
      }
    }
    return { dim, D: d, matrix: P };
  } finally {
    X.dispose();
  }
}

/** Dense vectors [n, dim] projected: [n, D]. */
export async function projectDense(p: Projection, codes: Float32Array): Promise<Float32Array> {
  const n = codes.length / p.dim;
  if (n === 0) return new Float32Array(0);
  const y = tf.tidy(() => tf.matMul(tf.tensor2d(codes, [n, p.dim]), tf.tensor2d(p.matrix, [p.dim, p.D])));
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return out;
}

/** Compact codes projected without densifying them: y_i = Σ_{stored blocks b of i} P_{topic(b)}ᵀ x̃_b, [n, D]. */
export async function projectCompact(p: Projection, codes: CompactCodes): Promise<Float32Array> {
  const { topics: K, blockDim: d } = codes.layout;
  const out = new Float32Array(codes.n * p.D);
  const owner = new Int32Array(codes.blocks);
  for (let i = 0; i < codes.n; i++) owner.fill(i, codes.offsets[i], codes.offsets[i + 1]);
  for (let k = 0; k < K; k++) {
    const blocks: number[] = [];
    for (let b = 0; b < codes.blocks; b++) if (codes.topics[b] === k) blocks.push(b);
    if (blocks.length === 0) continue;
    const xs = new Float32Array(blocks.length * d);
    blocks.forEach((b, i) => codes.blockInto(b, xs, i * d));
    const y = tf.tidy(() => tf.matMul(tf.tensor2d(xs, [blocks.length, d]), tf.tensor2d(p.matrix.subarray(k * d * p.D, (k + 1) * d * p.D), [d, p.D])));
    const ys = (await y.data()) as Float32Array; // [blocks, D]
    y.dispose();
    blocks.forEach((b, i) => {
      const o = owner[b] * p.D;
      for (let c = 0; c < p.D; c++) out[o + c] += ys[i * p.D + c];
    });
  }
  return out;
}
