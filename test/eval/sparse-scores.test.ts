import { describe, expect, it } from 'vitest';
import type { SparseRows } from '../../src/data/types.js';
import { sparseScores, transposeRows } from '../../src/eval/sparse-scores.js';

function csr(dense: number[][]): SparseRows {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of dense) {
    row.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    });
    indptr.push(indices.length);
  }
  return { rows: dense.length, cols: dense[0].length, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

describe('sparse scores', () => {
  const db = [
    [1, 0, 2, 0],
    [0, 0, 0, 0],
    [0, 3, 1, 1],
  ];
  const q = [
    [0, 1, 1, 0],
    [2, 0, 0, 5],
  ];

  it('transposes CSR rows', () => {
    const t = transposeRows(csr(db));
    expect(t.rows).toBe(4);
    expect(t.cols).toBe(3);
    expect(Array.from(t.indptr)).toEqual([0, 1, 2, 4, 5]);
    expect(Array.from(t.indices)).toEqual([0, 2, 0, 2, 2]);
    expect(Array.from(t.values)).toEqual([1, 3, 2, 1, 1]);
  });

  it('equals dense inner products', () => {
    // q0·db = (2, 0, 4); q1·db = (2, 0, 5)
    const out = new Float32Array(2 * 3);
    sparseScores(csr(q), 0, 2, transposeRows(csr(db)), out);
    expect(Array.from(out)).toEqual([2, 0, 4, 2, 0, 5]);
    const one = new Float32Array(3);
    sparseScores(csr(q), 1, 2, transposeRows(csr(db)), one);
    expect(Array.from(one)).toEqual([2, 0, 5]);
  });
});
