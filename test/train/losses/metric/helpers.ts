/** Shared fixtures of the metric-learning loss tests: random unit embeddings and plain-JS pair matrices. */
import { Rng } from '../../../../src/engine/random.js';

export function unitRows(seed: number, B: number, D: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: B }, () => {
    const v = Array.from(rng.normalArray(D));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}

export const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);
export const dist = (a: number[], b: number[]): number => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
export const matrix = (E: number[][], f: (a: number[], b: number[]) => number): number[][] => E.map((a) => E.map((b) => f(a, b)));
