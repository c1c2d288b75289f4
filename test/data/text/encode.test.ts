import { describe, expect, it } from 'vitest';
import { encodeTexts, encodeTokens } from '../../../src/data/text/encode.js';
import { Vocabulary } from '../../../src/data/text/vocabulary.js';

// words: space=1, goal=2, launch=3
const vocab = Vocabulary.build([['space', 'space', 'space', 'goal', 'goal', 'launch']], 3);

describe('encodeTexts', () => {
  it('drops unknown words, pads with 0, cuts at L and counts the whole document', () => {
    const e = encodeTexts(vocab, ['Launch the SPACE goal, space!', 'nothing known here', 'goal space launch goal goal'], 4);
    expect(e.n).toBe(3);
    expect(e.maxLength).toBe(4);
    expect(e.vocabSize).toBe(3);
    expect(Array.from(e.ids)).toEqual([
      3, 1, 2, 1,
      0, 0, 0, 0,
      2, 1, 3, 2, // 5 known tokens, the first 4 kept
    ]);
    // bag of words, columns = id - 1, sorted; counts of the whole document
    expect(Array.from(e.bow.indptr)).toEqual([0, 3, 3, 6]);
    expect(Array.from(e.bow.indices)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(e.bow.values)).toEqual([2, 1, 1, 1, 3, 1]);
    expect(e.bow.rows).toBe(3);
    expect(e.bow.cols).toBe(3);
  });

  it('gives the same result from tokens as from text', () => {
    const a = encodeTexts(vocab, ['space goal'], 3);
    const b = encodeTokens(vocab, [['space', 'goal']], 3);
    expect(a).toEqual(b);
  });

  it('handles no documents', () => {
    const e = encodeTexts(vocab, [], 5);
    expect(e.ids.length).toBe(0);
    expect(Array.from(e.bow.indptr)).toEqual([0]);
  });
});
