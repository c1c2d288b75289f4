/**
 * Inner products of sparse query rows with a sparse database (tf-idf documents), through an inverted index
 * (the database transposed to column-major), so a 20,000-word vocabulary never becomes a dense matrix.
 */
import type { SparseRows } from '../data/types.js';

/** The transpose of CSR rows (= the CSC form of the original, an inverted index from column to rows). */
export function transposeRows(m: SparseRows): SparseRows {
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < m.indices.length; k++) indptr[m.indices[k] + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c];
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(m.indices.length);
  const values = new Float32Array(m.indices.length);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      const at = next[m.indices[k]]++;
      indices[at] = r;
      values[at] = m.values[k];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/**
 * Scores of query rows q0..q1-1 against every database row, written to `out` ([q1 - q0, N] row-major).
 * `databaseT` is `transposeRows(database)`. Accumulates in float64 per query, then stores float32.
 */
export function sparseScores(queries: SparseRows, q0: number, q1: number, databaseT: SparseRows, out: Float32Array): void {
  const N = databaseT.cols;
  const acc = new Float64Array(N);
  for (let i = q0; i < q1; i++) {
    acc.fill(0);
    for (let k = queries.indptr[i]; k < queries.indptr[i + 1]; k++) {
      const w = queries.values[k];
      const c = queries.indices[k];
      for (let t = databaseT.indptr[c]; t < databaseT.indptr[c + 1]; t++) acc[databaseT.indices[t]] += w * databaseT.values[t];
    }
    out.set(acc, (i - q0) * N);
  }
}
