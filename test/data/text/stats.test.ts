import { describe, expect, it } from 'vitest';
import { inVocabularyLengths, lengthPercentiles } from '../../../src/data/text/stats.js';
import { Vocabulary } from '../../../src/data/text/vocabulary.js';

describe('length statistics', () => {
  it('computes nearest-rank percentiles', () => {
    const lengths = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(lengthPercentiles(lengths)).toEqual({ p50: 50, p90: 90, p95: 95, p99: 99, max: 100, mean: 50.5 });
    expect(lengthPercentiles([7])).toEqual({ p50: 7, p90: 7, p95: 7, p99: 7, max: 7, mean: 7 });
    expect(lengthPercentiles([]).max).toBe(0);
  });

  it('counts in-vocabulary tokens', () => {
    const v = Vocabulary.build([['aa', 'bb']], 2);
    expect(Array.from(inVocabularyLengths(v, [['aa', 'cc', 'bb', 'aa'], []]))).toEqual([3, 0]);
  });
});
