import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, TextSplit } from '../../src/data/types.js';
import { Vocabulary } from '../../src/data/text/vocabulary.js';
import { initEngine } from '../../src/engine/backend.js';
import { highlightHtml, pairHighlights, segmentTokens, shade } from '../../src/explain/highlight.js';
import { regionContributions } from '../../src/explain/regions.js';
import type { TrainedModel } from '../../src/train/trained-model.js';
import { textModel } from './fixtures.js';

// Vocabulary apple(1) banana(2) cherry(3) durian(4); "ate" and "apple's" are out of it, "the" is a stop word.
const vocab = Vocabulary.build([['apple', 'banana', 'cherry', 'durian']], 10);
const text = 'The Apple & <banana> ate cherry; apple\'s "durian"!';

const unescape = (h: string) =>
  h.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('segmentTokens', () => {
  it('locates the tokens and puts the read ones in segments of `window` in-vocabulary tokens', () => {
    const spans = segmentTokens(text, vocab, 3, 2);
    const read = spans.filter((s) => s.segment >= 0);
    expect(read.map((s) => [s.token, text.slice(s.start, s.end), s.segment])).toEqual([
      ['apple', 'Apple', 0],
      ['banana', 'banana', 0],
      ['cherry', 'cherry', 1],
    ]);
    // durian is the 4th in-vocabulary token: beyond maxLength 3, so not read
    const durian = spans.find((s) => s.token === 'durian')!;
    expect([text.slice(durian.start, durian.end), durian.segment]).toEqual(['durian', -1]);
    expect(spans.find((s) => s.token === "apple's")?.segment).toBe(-1);
  });

  it('does not match a token inside a longer word', () => {
    // 'themselves' is a stop word (dropped) that contains the token 'elves'
    const v = Vocabulary.build([['elves']], 10);
    expect(segmentTokens('Themselves elves', v, 10, 8)).toEqual([{ token: 'elves', start: 11, end: 16, segment: 0 }]);
  });
});

describe('highlightHtml', () => {
  it('escapes the text, shades read words by their segment, keeps the text intact', () => {
    const html = highlightHtml(text, segmentTokens(text, vocab, 3, 2), [0.5, -0.25], [{ topic: 2, contribution: 0.75, words: ['<x>', 'a&b'] }]);
    expect(html).toContain('The <span class="sadsl-seg" data-segment="0" data-contribution="0.5" title="segment 0: +0.5000" style="background:rgba(220,30,30,0.800)">Apple</span> &amp; &lt;<span');
    expect(html).toContain('style="background:rgba(30,70,220,0.400)">cherry</span>; apple&#39;s &quot;durian&quot;!');
    expect(html).toContain('<li>topic 2: +0.7500 <span class="sadsl-words">(&lt;x&gt;, a&amp;b)</span></li>');
    expect(html).not.toMatch(/<banana>|<x>/);
    expect(unescape(html.slice(html.indexOf('<p'))).trim()).toBe(text);
    expect(shade(0, 0)).toBe('rgba(220,30,30,0.000)');
  });
});

describe('pairHighlights', () => {
  let ds: Dataset;
  let model: TrainedModel;
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    ({ ds, model } = await textModel());
  });
  afterAll(() => model.dispose());

  it('shades each word by Σ_k regions.a[r][k] of model.explain', async () => {
    const a = { split: ds.test, indices: [0] };
    const b = { split: ds.train, indices: [7] };
    const h = await pairHighlights(model, a, b, { top: 3 });
    const e = model.explain(a, b);
    expect(h.explanation).toEqual(e);
    const contrib = regionContributions(e, 'a');
    const spans = [...h.a.matchAll(/data-segment="(\d+)" data-contribution="([^"]+)"/g)];
    expect(spans.length).toBeGreaterThan(8);
    for (const [, r, v] of spans) expect(Number(v)).toBe(contrib[Number(r)]);
    // 64 tokens in segments of 8: every segment index is < 8
    expect(Math.max(...spans.map((m) => Number(m[1])))).toBeLessThan(8);
    expect(unescape(h.a.slice(h.a.indexOf('<p'))).trim()).toBe((ds.test as TextSplit).texts[0].trim());
    expect(h.topics).toHaveLength(3);
    expect(h.topics[0].words).toHaveLength(8);
  });
});
