import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RankBuffers, relevantRanks } from '../../src/eval/ranks.js';

/** Naive rule: full sort by (score desc, NaN last, index asc), then positions of the relevant items. */
function naiveRanks(scores: number[], labels: number[], label: number, exclude: number): number[] {
  const key = (s: number) => (Number.isNaN(s) ? -Infinity : s);
  const order = scores.map((_, j) => j).filter((j) => j !== exclude);
  order.sort((a, b) => key(scores[b]) - key(scores[a]) || a - b);
  const out: number[] = [];
  order.forEach((j, i) => {
    if (labels[j] === label) out.push(i + 1);
  });
  return out;
}

describe('relevantRanks', () => {
  it('breaks ties by ascending database index', () => {
    // Scores 0.5 0.9 0.5 0.5, labels 1 0 0 1: order 1 (0.9), then the ties 0, 2, 3 → relevant 0 and 3 at 2, 4.
    const scores = Float32Array.from([0.5, 0.9, 0.5, 0.5]);
    const labels = Int32Array.from([1, 0, 0, 1]);
    expect(Array.from(relevantRanks(scores, labels, 1))).toEqual([2, 4]);
    // Excluding item 2 removes it from the ranking: 1, 0, 3.
    expect(Array.from(relevantRanks(scores, labels, 1, 2))).toEqual([2, 3]);
    // Excluding a relevant item removes it from the relevant set too.
    expect(Array.from(relevantRanks(scores, labels, 1, 0))).toEqual([3]);
    expect(Array.from(relevantRanks(scores, labels, 7))).toEqual([]);
  });

  it('agrees with a full sort, with many ties and NaNs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 2 })), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: -1, max: 39 }),
        (items, exclude) => {
          const scores = items.map(([s]) => (s === 3 ? NaN : s === -3 ? -Infinity : s / 2));
          const labels = items.map(([, l]) => l);
          const buf = new RankBuffers(items.length);
          const got = relevantRanks(Float32Array.from(scores), Int32Array.from(labels), 1, exclude, buf);
          expect(Array.from(got)).toEqual(naiveRanks(scores, labels, 1, exclude));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with a full sort on spread-out scores', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 60 }), (items) => {
        const scores = items.map(([s]) => s / 7);
        const labels = items.map(([, l]) => l);
        const got = relevantRanks(Float32Array.from(scores), Int32Array.from(labels), 1);
        expect(Array.from(got)).toEqual(naiveRanks(Array.from(Float32Array.from(scores)), labels, 1, -1));
      }),
      { numRuns: 300 },
    );
  });
});
