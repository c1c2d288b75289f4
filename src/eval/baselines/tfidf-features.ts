/**
 * tf-idf features of documents for the `raw` and `lsa` baselines, as the reference's tf-idf cosine baseline:
 * the model's vocabulary (top `vocabSize` training words, docs/model.md §1.2), word counts of the whole document,
 * idf fitted on the training split (`data/text/tfidf.ts`), L2-normalised rows.
 */
import type { SparseRows, TextSplit } from '../../data/types.js';
import { encodeTokens } from '../../data/text/encode.js';
import { fitIdf, tfidf } from '../../data/text/tfidf.js';
import { tokenize } from '../../data/text/tokenize.js';
import { Vocabulary } from '../../data/text/vocabulary.js';

export class TfIdfFeatures {
  private constructor(
    readonly vocab: Vocabulary,
    readonly idf: Float32Array,
  ) {}

  /** Builds the vocabulary and the idf on the training documents. */
  static fit(train: TextSplit, vocabSize: number): TfIdfFeatures {
    const tokens = train.texts.map(tokenize);
    const vocab = Vocabulary.build(tokens, vocabSize);
    return new TfIdfFeatures(vocab, fitIdf(encodeTokens(vocab, tokens, 1).bow));
  }

  /** L2-normalised tf-idf rows [n, V] of a split's documents. */
  transform(split: TextSplit): SparseRows {
    // Only the bag of words is used; the token sequence (length 1 here) is not.
    return tfidf(encodeTokens(this.vocab, split.texts.map(tokenize), 1).bow, this.idf).rows;
  }
}
