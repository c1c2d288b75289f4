/** Shared test fixtures: random unit codes and a brute-force reference search. */
import { Rng } from '../../src/engine/random.js';
import type { CodeLayout } from '../../src/search/topics.js';

export function unitCodes(n: number, dim: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const codes = rng.normalArray(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += codes[i * dim + j] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) codes[i * dim + j] *= inv;
  }
  return codes;
}

/** Scores of every row for one query with topic weights w (all 1 when omitted), by a plain double loop. */
export function bruteScores(codes: Float32Array, query: Float32Array, layout: CodeLayout, w?: number[]): number[] {
  const dim = layout.topics * layout.blockDim;
  const n = codes.length / dim;
  return Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (w ? w[Math.floor(j / layout.blockDim)] : 1) * query[j] * codes[i * dim + j];
    return s;
  });
}

export function topRows(scores: number[], k: number): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

/**
 * Codes shaped like the model's: block k = √θ_k · (unit vector), θ on the simplex and peaked (softmax of
 * 3·normal), so a few blocks carry most of the mass. Returns the codes [n, K·d] and θ [n, K].
 */
export function topicCodes(n: number, layout: CodeLayout, seed: number, peak = 3): { codes: Float32Array; theta: Float32Array } {
  const { topics: K, blockDim: d } = layout;
  const rng = new Rng(seed);
  const theta = new Float32Array(n * K);
  const codes = unitCodes(n * K, d, seed + 1000);
  for (let i = 0; i < n; i++) {
    const logits = rng.normalArray(K, peak);
    const max = Math.max(...logits);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += theta[i * K + k] = Math.exp(logits[k] - max);
    for (let k = 0; k < K; k++) {
      theta[i * K + k] /= sum;
      const s = Math.sqrt(theta[i * K + k]);
      for (let j = 0; j < d; j++) codes[(i * K + k) * d + j] *= s;
    }
  }
  return { codes, theta };
}
