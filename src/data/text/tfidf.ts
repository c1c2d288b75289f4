/**
 * tf-idf vectors of bags of words, as the reference's tf-idf cosine baseline (docs/model.md §6.2):
 * tf = raw count, idf = ln((1 + N) / (1 + df)) + 1 with N documents and df documents containing the word
 * (fit on the training split, then applied to test), each row L2-normalised (an empty row stays zero).
 */
import type { SparseRows } from '../types.js';

export interface TfIdf {
  rows: SparseRows; // [n, V], L2-normalised rows
  idf: Float32Array; // [V]
}

/** The idf vector of a training bag of words. */
export function fitIdf(bow: SparseRows): Float32Array {
  const df = new Int32Array(bow.cols);
  for (let k = 0; k < bow.indices.length; k++) if (bow.values[k] !== 0) df[bow.indices[k]]++;
  const idf = new Float32Array(bow.cols);
  for (let j = 0; j < bow.cols; j++) idf[j] = Math.log((1 + bow.rows) / (1 + df[j])) + 1;
  return idf;
}

/** tf-idf rows of `bow`; `idf` defaults to the one fitted on `bow` itself (pass train's idf for test). */
export function tfidf(bow: SparseRows, idf: Float32Array = fitIdf(bow)): TfIdf {
  if (idf.length !== bow.cols) throw new RangeError(`idf has ${idf.length} entries, the bag of words ${bow.cols} columns`);
  const values = new Float32Array(bow.values.length);
  for (let i = 0; i < bow.rows; i++) {
    const a = bow.indptr[i];
    const b = bow.indptr[i + 1];
    let sq = 0;
    for (let k = a; k < b; k++) {
      const w = bow.values[k] * idf[bow.indices[k]];
      values[k] = w;
      sq += w * w;
    }
    const inv = 1 / Math.max(Math.sqrt(sq), 1e-12);
    for (let k = a; k < b; k++) values[k] *= inv;
  }
  return { rows: { ...bow, indptr: bow.indptr.slice(), indices: bow.indices.slice(), values }, idf };
}
