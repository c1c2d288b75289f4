import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/errors.js';
import { Vocabulary } from '../../../src/data/text/vocabulary.js';

const docs = [
  ['space', 'shuttle', 'launch', 'space'],
  ['hockey', 'goal', 'space'],
  ['goal', 'launch', 'zebra'],
];

describe('Vocabulary', () => {
  it('ranks words by total count, ties by the word, and keeps the top N', () => {
    // counts: space 3, goal 2, launch 2, hockey 1, shuttle 1, zebra 1
    const v = Vocabulary.build(docs, 4);
    expect(v.words).toEqual(['space', 'goal', 'launch', 'hockey']);
    expect(v.size).toBe(4);
    expect(v.id('space')).toBe(1);
    expect(v.id('hockey')).toBe(4);
    expect(v.id('zebra')).toBe(0); // out of vocabulary
    expect(v.word(0)).toBe('<pad>');
    expect(v.word(3)).toBe('launch');
    expect(() => v.word(5)).toThrow(RangeError);
  });

  it('counts terms, not documents', () => {
    // "a1" appears 3 times in one document, "b1" once in each of two: term frequency puts a1 first
    const v = Vocabulary.build([['a1', 'a1', 'a1'], ['b1'], ['b1']], 1);
    expect(v.words).toEqual(['a1']);
  });

  it('is smaller than N when the training text has fewer words', () => {
    expect(Vocabulary.build(docs, 100).size).toBe(6);
  });

  it('round-trips through JSON', () => {
    const v = Vocabulary.build(docs, 5);
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.words).toEqual(v.words);
    for (const w of ['space', 'zebra', 'shuttle', 'nope']) expect(back.id(w)).toBe(v.id(w));
  });

  it('rejects a malformed or incompatible saved vocabulary with a ModelError naming it', () => {
    const good = Vocabulary.build(docs, 3).toJSON();
    expect(() => Vocabulary.fromJSON(null, 'm/vocab.json')).toThrow(/^m\/vocab\.json: not a sadsl vocabulary$/);
    expect(() => Vocabulary.fromJSON({ words: ['a'] })).toThrow(ModelError);
    expect(() => Vocabulary.fromJSON({ ...good, tokenizer: 99 })).toThrow(/tokenizer version 99/);
    expect(() => Vocabulary.fromJSON({ ...good, words: ['a', 'a'] })).toThrow(/distinct/);
    expect(() => Vocabulary.fromJSON({ ...good, words: ['a', 3] })).toThrow(ModelError);
  });
});
