/**
 * Document-length statistics for `sadsl data inspect` (for text the vocabulary size and length
 * percentiles): nearest-rank percentiles of per-document token counts, and the in-vocabulary count (the
 * sequence the encoder sees before it is cut to L).
 */
import type { Vocabulary } from './vocabulary.js';

export interface LengthPercentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (p-th = the smallest value with at least p % of values at or below it). */
export function lengthPercentiles(lengths: ArrayLike<number>): LengthPercentiles {
  const s = Float64Array.from(lengths).sort();
  const n = s.length;
  const at = (p: number): number => (n === 0 ? 0 : s[Math.max(0, Math.ceil((p / 100) * n) - 1)]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: n === 0 ? 0 : s[n - 1], mean: n === 0 ? 0 : sum / n };
}

/** In-vocabulary token count of each tokenised document. */
export function inVocabularyLengths(vocab: Vocabulary, tokenLists: readonly (readonly string[])[]): Int32Array {
  return Int32Array.from(tokenLists, (tokens) => {
    let k = 0;
    for (const w of tokens) if (vocab.id(w) !== 0) k++;
    return k;
  });
}
