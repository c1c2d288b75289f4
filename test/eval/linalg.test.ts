import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/random.js';
import { orthonormalize, symmetricEigen, topEigen } from '../../src/eval/linalg.js';

describe('symmetricEigen', () => {
  it('solves a hand-computed 2×2 matrix', () => {
    // [[2, 1], [1, 2]]: eigenvalues 3 (vector (1, 1)/√2) and 1 (vector (1, -1)/√2).
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0][0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0][0] * vectors[0][1]).toBeGreaterThan(0);
    expect(vectors[1][0] * vectors[1][1]).toBeLessThan(0);
  });

  it('reconstructs a random symmetric matrix', () => {
    const rng = new Rng(3);
    const n = 7;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += values[c] * vectors[c][i] * vectors[c][j];
        expect(s).toBeCloseTo(a[i * n + j], 10);
      }
    }
  });
});

describe('orthonormalize', () => {
  it('gives orthonormal columns and zeroes a dependent one', () => {
    const cols = [Float64Array.from([1, 1, 0]), Float64Array.from([2, 2, 0]), Float64Array.from([1, 0, 1])];
    orthonormalize(cols);
    expect(Array.from(cols[1])).toEqual([0, 0, 0]);
    const d = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    expect(d(cols[0], cols[0])).toBeCloseTo(1, 12);
    expect(d(cols[2], cols[2])).toBeCloseTo(1, 12);
    expect(d(cols[0], cols[2])).toBeCloseTo(0, 12);
  });
});

describe('topEigen', () => {
  it('finds the top eigenpairs of a PSD matrix given only its product', () => {
    const rng = new Rng(5);
    const n = 30;
    // A = BᵀB with a decaying spectrum.
    const b = Array.from({ length: n }, (_, i) => Array.from({ length: n }, () => rng.normal() / (1 + i)));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let t = 0; t < n; t++) a[i * n + j] += b[t][i] * b[t][j];
    const apply = (cols: Float64Array[]) =>
      cols.map((v) => Float64Array.from({ length: n }, (_, i) => v.reduce((s, x, j) => s + a[i * n + j] * x, 0)));
    const exact = symmetricEigen(a, n);
    const top = topEigen(apply, n, 4, { rng: new Rng(1), iterations: 50 });
    for (let c = 0; c < 4; c++) {
      expect(top.values[c]).toBeCloseTo(exact.values[c], 8);
      const cos = top.vectors[c].reduce((s, x, i) => s + x * exact.vectors[c][i], 0);
      expect(Math.abs(cos)).toBeCloseTo(1, 8);
    }
  });
});
