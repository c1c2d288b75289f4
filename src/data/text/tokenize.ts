/**
 * The document tokeniser (docs/model.md §1.2, document encoder: words "after lower-casing and stop-word removal").
 *
 * A token is a run of Unicode letters and digits (combining marks kept inside a word), optionally joined by
 * one inner apostrophe (`don't`, `o'brien`; the typographic ’ counts as '), after lower-casing. Stop words
 * and one-character tokens are dropped. The reference tokenises with `[a-z]+(?:'[a-z]+)?`; on 20 News this
 * differs only in keeping digits (`486`, `x11`, `mp3`, years) and non-ASCII letters as parts of words.
 * Text is not NFC-normalised; scripts written without spaces (Chinese, Japanese) come out as one token per run.
 */
import { STOP_WORDS } from './stopwords.js';

const TOKEN_RE = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:'[\p{L}\p{N}][\p{L}\p{M}\p{N}]*)?/gu;

/** Lower-cased word tokens of `text`, stop words and one-character tokens removed. */
export function tokenize(text: string): string[] {
  const lower = text.toLowerCase().replace(/\u2019/g, "'");
  const out: string[] = [];
  for (const w of lower.match(TOKEN_RE) ?? []) {
    if (w.length > 1 && !STOP_WORDS.has(w)) out.push(w);
  }
  return out;
}
