import { describe, expect, it } from 'vitest';
import { STOP_WORDS } from '../../../src/data/text/stopwords.js';
import { tokenize } from '../../../src/data/text/tokenize.js';

describe('tokenize', () => {
  it('lower-cases, splits on non-word characters and drops stop words and one-letter tokens', () => {
    expect(tokenize('The Quick, brown FOX -- jumped over a lazy dog!')).toEqual(['quick', 'brown', 'fox', 'jumped', 'lazy', 'dog']);
  });

  it('keeps one inner apostrophe, so contractions meet the stop-word list', () => {
    expect(tokenize("I don't know O'Brien’s rock'n'roll")).toEqual(['know', "o'brien", "rock'n", 'roll']);
    expect(tokenize("'quoted' words'")).toEqual(['quoted', 'words']);
  });

  it('keeps digits and Unicode letters inside words', () => {
    expect(tokenize('My 486DX runs X11 at 33 MHz; año 1993, Zürich ÉCOLE 7')).toEqual([
      '486dx', 'runs', 'x11', '33', 'mhz', 'año', '1993', 'zürich', 'école',
    ]);
  });

  it('keeps combining marks inside a word', () => {
    expect(tokenize('cafe\u0301 ok')).toEqual(['cafe\u0301', 'ok']);
  });

  it('returns nothing for text without words', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('-- ** 1 a >> :-)')).toEqual([]);
  });

  it('has the reference stop-word list', () => {
    expect(STOP_WORDS.size).toBe(189);
    for (const w of ['the', "don't", 'also', 'll', 've']) expect(STOP_WORDS.has(w)).toBe(true);
    expect(STOP_WORDS.has('space')).toBe(false);
  });
});
