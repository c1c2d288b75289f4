/** Words for documents: the top words of a word distribution (G(t_k), docs/model.md §4) and of a document. */
import type { Vocabulary } from '../data/text/vocabulary.js';
import { tokenize } from '../data/text/tokenize.js';

/** The `count` most probable words of a distribution over the vocabulary (index w = word id w + 1). */
export function topWords(probabilities: ArrayLike<number>, vocab: Vocabulary, count: number): { word: string; p: number }[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i).sort((x, y) => probabilities[y] - probabilities[x] || x - y);
  return order.slice(0, count).map((w) => ({ word: vocab.word(w + 1), p: probabilities[w] }));
}

/**
 * The words that set distribution k apart from the others: ranked by p_k(w) · log(p_k(w) / p̄(w)), its term of
 * KL(p_k ‖ p̄) with p̄ the mean of the K distributions (`rows` is [K, V]). Frequent words every topic shares
 * score ≈ 0, so this shows what a topic adds where the plain top words are the corpus's commonest.
 */
export function distinctiveWords(rows: readonly ArrayLike<number>[], k: number, vocab: Vocabulary, count: number): { word: string; p: number }[] {
  const V = rows[k].length;
  const score = new Float64Array(V);
  for (let w = 0; w < V; w++) {
    let mean = 0;
    for (const r of rows) mean += r[w] / rows.length;
    const p = rows[k][w];
    score[w] = p > 0 && mean > 0 ? p * Math.log(p / mean) : 0;
  }
  const order = Array.from({ length: V }, (_, i) => i).sort((x, y) => score[y] - score[x] || x - y);
  return order.slice(0, count).map((w) => ({ word: vocab.word(w + 1), p: rows[k][w] }));
}

/** The first `count` in-vocabulary words of a text, as the model reads them. */
export function firstWords(text: string, vocab: Vocabulary, count: number): string[] {
  return tokenize(text).filter((w) => vocab.id(w) !== 0).slice(0, count);
}
