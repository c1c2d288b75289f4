/**
 * Document highlights (docs/model.md eq. (14)): each word of a text shaded by the contribution of its segment to
 * s(a, b), from the exact decomposition (segment r contributes Σ_k regions.a[r][k]). The model reads the
 * first L in-vocabulary tokens of `tokenize(text)`; token t of that sequence lies in segment ⌊t/window⌋.
 * Words the model does not read (stop words, out-of-vocabulary, beyond L) stay unshaded.
 */
import type { TextSplit } from '../data/types.js';
import { tokenize } from '../data/text/tokenize.js';
import type { Vocabulary } from '../data/text/vocabulary.js';
import { ArgumentError } from '../errors.js';
import type { Explanation } from '../model/types.js';
import type { Objects, TrainedModel } from '../train/trained-model.js';
import { escapeHtml } from './html.js';
import { regionContributions, topTopics } from './regions.js';
import { topWords } from './words.js';

export interface TokenSpan {
  token: string;
  /** Offsets in the original text, [start, end); start = -1 when the token could not be located. */
  start: number;
  end: number;
  /** The segment the model puts it in, or -1 when the model does not read it. */
  segment: number;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;

/** Tokens of `text` in `tokenize` order, located in the text, with the segment each falls in. */
export function segmentTokens(text: string, vocab: Vocabulary, maxLength: number, window: number): TokenSpan[] {
  // Lower-case per character, remembering where each lower-case code unit came from (lower-casing may
  // change lengths); origin[lower.length] = text.length closes the last character.
  let lower = '';
  const origin: number[] = [];
  let at = 0;
  for (const ch of text) {
    const l = ch.toLowerCase().replace(/\u2019/g, "'");
    for (let j = 0; j < l.length; j++) origin.push(at);
    lower += l;
    at += ch.length;
  }
  origin.push(text.length);
  const isWord = (i: number) => i >= 0 && i < lower.length && WORD_CHAR.test(lower[i]);
  let cursor = 0;
  let t = 0;
  return tokenize(text).map((token) => {
    let pos = lower.indexOf(token, cursor);
    while (pos >= 0 && (isWord(pos - 1) || isWord(pos + token.length))) pos = lower.indexOf(token, pos + 1);
    const read = vocab.id(token) !== 0 && t < maxLength;
    const segment = read ? Math.floor(t / window) : -1;
    if (vocab.id(token) !== 0) t++;
    if (pos < 0) return { token, start: -1, end: -1, segment };
    cursor = pos + token.length;
    return { token, start: origin[pos], end: origin[pos + token.length], segment };
  });
}

/** Background of a shaded word: red for positive, blue for negative, alpha 0.8·|v|/max. */
export function shade(v: number, max: number): string {
  const a = max > 0 ? Math.min(1, Math.abs(v) / max) * 0.8 : 0;
  return `rgba(${v >= 0 ? '220,30,30' : '30,70,220'},${a.toFixed(3)})`;
}

export interface HighlightTopic {
  topic: number;
  contribution: number;
  words?: string[];
}

/**
 * The HTML fragment: the top topics, then the text with every read word wrapped in a span shaded by its
 * segment's contribution (title: segment and value). All text is escaped.
 */
export function highlightHtml(text: string, tokens: readonly TokenSpan[], segmentScores: readonly number[], topics: readonly HighlightTopic[]): string {
  const max = Math.max(0, ...segmentScores.map(Math.abs));
  const fmt = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;
  const parts: string[] = [];
  let pos = 0;
  for (const s of tokens) {
    if (s.start < 0 || s.segment < 0 || s.start < pos) continue;
    const v = segmentScores[s.segment] ?? 0;
    parts.push(escapeHtml(text.slice(pos, s.start)));
    parts.push(
      `<span class="sadsl-seg" data-segment="${s.segment}" data-contribution="${v}" title="segment ${s.segment}: ${fmt(v)}" style="background:${shade(v, max)}">${escapeHtml(text.slice(s.start, s.end))}</span>`,
    );
    pos = s.end;
  }
  parts.push(escapeHtml(text.slice(pos)));
  const list = topics
    .map((t) => `<li>topic ${t.topic}: ${fmt(t.contribution)}${t.words?.length ? ` <span class="sadsl-words">(${escapeHtml(t.words.join(', '))})</span>` : ''}</li>`)
    .join('');
  return `<div class="sadsl-highlight"><ol class="sadsl-topics">${list}</ol><p class="sadsl-text" style="white-space:pre-wrap">${parts.join('')}</p></div>`;
}

export interface PairHighlights {
  explanation: Explanation;
  topics: HighlightTopic[];
  a: string;
  b: string;
}

function objectText(o: Objects): string {
  if (o.split.kind !== 'text') throw new ArgumentError('highlights are for document models; use heat maps for images');
  return (o.split as TextSplit).texts[o.indices ? o.indices[0] : 0];
}

/** Highlighted a and b for s(a, b), from `model.explain`; topics listed with the top words of G(t_k). */
export async function pairHighlights(model: TrainedModel, a: Objects, b: Objects, opts: { top?: number; words?: number } = {}): Promise<PairHighlights> {
  const vocab = model.preprocessor.vocabulary;
  const input = model.preprocessor.input;
  if (!vocab || input.domain !== 'text') throw new ArgumentError('highlights are for document models; use heat maps for images');
  const e = model.explain(a, b);
  const topics: HighlightTopic[] = [];
  for (const t of topTopics(e, opts.top ?? 3)) {
    let words: string[] | undefined;
    if (model.net.hasAdversarial) {
      const g = await model.generate(t.topic, { samples: 1 });
      if (g.kind === 'text') words = topWords(g.probabilities, vocab, opts.words ?? 8).map((w) => w.word);
    }
    topics.push({ ...t, ...(words ? { words } : {}) });
  }
  const render = (o: Objects, side: 'a' | 'b') => {
    const text = objectText(o);
    return highlightHtml(text, segmentTokens(text, vocab, input.maxLength, model.config.docWindow), regionContributions(e, side), topics);
  };
  return { explanation: e, topics, a: render(a, 'a'), b: render(b, 'b') };
}
