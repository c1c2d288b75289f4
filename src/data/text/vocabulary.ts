/**
 * The document vocabulary (docs/model.md §1.2: the top 20,000 training words). Built on the training split
 * only, as the reference does: words ranked by total count over all training tokens (term frequency), ties
 * broken by the word itself, the top `maxSize` kept. Ids: 0 = `<pad>`, the word with index w (0-based) has id
 * w + 1. There is no `<unk>` id: out-of-vocabulary words are dropped when encoding, as in the reference, so a
 * document's sequence is its in-vocabulary words in order. Saved with a model (`toJSON`/`fromJSON`) so
 * queries are tokenised and encoded exactly as the training data was.
 */
import { ModelError } from '../../errors.js';

export const PAD_ID = 0;
const FORMAT = 'sadsl-vocabulary';
/** Bumped when `tokenize` changes, so a model saved with an older tokeniser is rejected, not silently misread. */
export const TOKENIZER_VERSION = 1;

export interface VocabularyJSON {
  format: typeof FORMAT;
  tokenizer: number;
  words: string[];
}

export class Vocabulary {
  private readonly index: Map<string, number>;

  private constructor(readonly words: readonly string[]) {
    this.index = new Map(words.map((w, i) => [w, i + 1]));
  }

  /** The top `maxSize` words of the token lists by total count (ties: code-unit order of the word). */
  static build(tokenLists: Iterable<readonly string[]>, maxSize: number): Vocabulary {
    const counts = new Map<string, number>();
    for (const tokens of tokenLists) Vocabulary.count(counts, tokens);
    return Vocabulary.fromCounts(counts, maxSize);
  }

  /** Adds one document's tokens to the word counts `fromCounts` ranks (a streamed build: one document at a time). */
  static count(counts: Map<string, number>, tokens: readonly string[]): void {
    for (const w of tokens) counts.set(w, (counts.get(w) ?? 0) + 1);
  }

  /** The top `maxSize` words by count (ties: code-unit order of the word). */
  static fromCounts(counts: ReadonlyMap<string, number>, maxSize: number): Vocabulary {
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new Vocabulary(ranked.slice(0, maxSize).map(([w]) => w));
  }

  /** Number of real words V (ids 1..V; the bag-of-words width). */
  get size(): number {
    return this.words.length;
  }

  /** The id of a word (1..V), or 0 when it is out of the vocabulary. */
  id(word: string): number {
    return this.index.get(word) ?? PAD_ID;
  }

  /** The word of an id 1..V (`<pad>` for 0). */
  word(id: number): string {
    if (id === PAD_ID) return '<pad>';
    const w = this.words[id - 1];
    if (w === undefined) throw new RangeError(`word id ${id} is outside the vocabulary 0..${this.size}`);
    return w;
  }

  toJSON(): VocabularyJSON {
    return { format: FORMAT, tokenizer: TOKENIZER_VERSION, words: [...this.words] };
  }

  /** Restores a saved vocabulary; `what` names its file in errors. */
  static fromJSON(json: unknown, what = 'vocabulary'): Vocabulary {
    const j = json as Partial<VocabularyJSON> | null;
    if (typeof j !== 'object' || j === null || j.format !== FORMAT || !Array.isArray(j.words)) {
      throw new ModelError(`${what}: not a sadsl vocabulary`);
    }
    if (j.tokenizer !== TOKENIZER_VERSION) {
      throw new ModelError(`${what}: saved with tokenizer version ${j.tokenizer}, this build uses ${TOKENIZER_VERSION}`);
    }
    if (!j.words.every((w) => typeof w === 'string' && w.length > 0) || new Set(j.words).size !== j.words.length) {
      throw new ModelError(`${what}: words must be distinct non-empty strings`);
    }
    return new Vocabulary(j.words);
  }
}
