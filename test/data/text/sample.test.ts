import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeTexts } from '../../../src/data/text/encode.js';
import { loadSampleText, SAMPLE_TEXT_FILE } from '../../../src/data/text/sample.js';
import { tokenize } from '../../../src/data/text/tokenize.js';
import { Vocabulary } from '../../../src/data/text/vocabulary.js';

describe('sample-text', () => {
  it('is embedded in the repo (< 5 MiB) and loads 4 newsgroups with their bydate split', async () => {
    expect(statSync(SAMPLE_TEXT_FILE).size).toBeLessThan(5 * 2 ** 20);
    const d = await loadSampleText();
    expect(d.spec).toBe('sample-text');
    expect(d.classes).toEqual(['comp.graphics', 'rec.sport.hockey', 'sci.space', 'talk.politics.mideast']);
    expect(d.splitInfo).toEqual({ kind: 'given' });
    // bydate counts of these groups: 584 + 600 + 593 + 564 train, 389 + 399 + 394 + 376 test
    expect(d.train.n).toBe(2341);
    expect(d.test.n).toBe(1558);
    expect(d.train.sources![0]).toMatch(/^20news-bydate-train\/comp\.graphics\/\d+$/);
    // encodes end to end
    const vocab = Vocabulary.build(d.train.texts.map(tokenize), 2000);
    const e = encodeTexts(vocab, d.test.texts.slice(0, 10), 400);
    expect(e.ids.length).toBe(4000);
    expect(e.bow.indptr[10]).toBeGreaterThan(0);
  });
});
