/** Words for documents: the top words of a word distribution (G(t_k), spec §4) and of a document. */
import type { Vocabulary } from '../data/text/vocabulary.js';
import { tokenize } from '../data/text/tokenize.js';

/** The `count` most probable words of a distribution over the vocabulary (index w = word id w + 1). */
export function topWords(probabilities: ArrayLike<number>, vocab: Vocabulary, count: number): { word: string; p: number }[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i).sort((x, y) => probabilities[y] - probabilities[x] || x - y);
  return order.slice(0, count).map((w) => ({ word: vocab.word(w + 1), p: probabilities[w] }));
}

/** The first `count` in-vocabulary words of a text, as the model reads them. */
export function firstWords(text: string, vocab: Vocabulary, count: number): string[] {
  return tokenize(text).filter((w) => vocab.id(w) !== 0).slice(0, count);
}
