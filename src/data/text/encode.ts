/**
 * Documents → model input (docs/model.md §1.2: token ids, max length L = 400; the reconstruction (eq. (18))
 * loss and the tf-idf baseline use the bag of words). As in the reference: out-of-vocabulary words are
 * dropped, the sequence keeps the first L in-vocabulary tokens, padded with 0 (the padding mask is
 * `ids > 0`), and the bag of words counts the whole document, not only its first L tokens.
 */
import type { EncodedTexts } from '../types.js';
import { tokenize } from './tokenize.js';
import type { Vocabulary } from './vocabulary.js';

/** Encodes already tokenised documents (lets a caller that built the vocabulary reuse its tokens). */
export function encodeTokens(vocab: Vocabulary, tokenLists: readonly (readonly string[])[], maxLength: number): EncodedTexts {
  return encodeEach(vocab, tokenLists.length, (i) => tokenLists[i], maxLength);
}

/** Encodes documents 0..n-1, asking `tokens` for one document's tokens at a time. */
function encodeEach(vocab: Vocabulary, n: number, tokens: (i: number) => readonly string[], maxLength: number): EncodedTexts {
  const V = vocab.size;
  const ids = new Int32Array(n * maxLength); // [n, L]
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const counts = new Int32Array(V + 1); // scratch, indexed by id; reset after each document
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    let len = 0;
    for (const w of tokens(i)) {
      const id = vocab.id(w);
      if (id === 0) continue;
      if (len < maxLength) ids[i * maxLength + len++] = id;
      if (counts[id]++ === 0) seen.push(id);
    }
    seen.sort((a, b) => a - b);
    for (const id of seen) {
      indices.push(id - 1);
      values.push(counts[id]);
      counts[id] = 0;
    }
    seen.length = 0;
    indptr[i + 1] = indices.length;
  }
  return {
    n,
    maxLength,
    vocabSize: V,
    ids,
    bow: { rows: n, cols: V, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) },
  };
}

/** Tokenises and encodes raw documents with a vocabulary built on the training split. */
export function encodeTexts(vocab: Vocabulary, texts: readonly string[], maxLength: number): EncodedTexts {
  // One document's tokens at a time: they die young instead of a batch's worth being promoted to the old heap.
  return encodeEach(vocab, texts.length, (i) => tokenize(texts[i]), maxLength);
}
