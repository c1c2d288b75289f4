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
