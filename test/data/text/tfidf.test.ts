import { describe, expect, it } from 'vitest';
import { fitIdf, tfidf } from '../../../src/data/text/tfidf.js';
import type { SparseRows } from '../../../src/data/types.js';

function csr(rows: number[][]): SparseRows {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const r of rows) {
    r.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    });
    indptr.push(indices.length);
  }
  return { rows: rows.length, cols: rows[0].length, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

describe('tfidf', () => {
  // 3 documents, 3 words; df = [2, 1, 0]
  const train = csr([
    [2, 0, 0],
    [1, 3, 0],
    [0, 0, 0],
  ]);

  it('fits idf = ln((1 + N) / (1 + df)) + 1', () => {
    const idf = fitIdf(train);
    expect(idf[0]).toBeCloseTo(Math.log(4 / 3) + 1, 6);
    expect(idf[1]).toBeCloseTo(Math.log(4 / 2) + 1, 6);
    expect(idf[2]).toBeCloseTo(Math.log(4 / 1) + 1, 6);
  });

  it('weights raw counts by idf and L2-normalises each row; an empty row stays empty', () => {
    const { rows, idf } = tfidf(train);
    const a = 1 * idf[0];
    const b = 3 * idf[1];
    const n = Math.hypot(a, b);
    expect(Array.from(rows.indptr)).toEqual([0, 1, 3, 3]);
    expect(rows.values[0]).toBeCloseTo(1, 6);
    expect(rows.values[1]).toBeCloseTo(a / n, 6);
    expect(rows.values[2]).toBeCloseTo(b / n, 6);
    expect(train.values[0]).toBe(2); // input untouched
  });

  it('applies the training idf to other rows', () => {
    const idf = fitIdf(train);
    const test = csr([[1, 0, 1]]);
    const { rows, idf: used } = tfidf(test, idf);
    expect(used).toBe(idf);
    const n = Math.hypot(idf[0], idf[2]);
    expect(rows.values[0]).toBeCloseTo(idf[0] / n, 6);
    expect(rows.values[1]).toBeCloseTo(idf[2] / n, 6);
    expect(() => tfidf(test, new Float32Array(2))).toThrow(RangeError);
  });
});
