import { describe, expect, it } from 'vitest';
import { ClassBalancedSampler, ShuffledSampler } from '../../src/data/sampler.js';
import { ArgumentError } from '../../src/errors.js';

/** 5 classes: class c has 10 + 3c objects; class 4 only has 3 (fewer than M). */
const labels = Int32Array.from(
  [
    ...[0, 1, 2, 3].flatMap((c) => new Array<number>(10 + 3 * c).fill(c)),
    ...new Array<number>(3).fill(4),
  ],
);

describe('ClassBalancedSampler', () => {
  it('draws P distinct classes × M objects of each, one epoch = floor(n / (P·M))', () => {
    const s = new ClassBalancedSampler(labels, { P: 3, M: 4, seed: 1 });
    expect(s.batchesPerEpoch).toBe(Math.floor(labels.length / 12));
    for (let b = 0; b < 50; b++) {
      const batch = s.next();
      expect(batch.length).toBe(12);
      const classes = [0, 1, 2].map((k) => labels[batch[4 * k]]);
      expect(new Set(classes).size).toBe(3);
      for (let k = 0; k < 3; k++) {
        const group = [...batch.subarray(4 * k, 4 * k + 4)];
        expect(group.every((i) => labels[i] === classes[k])).toBe(true);
        // Classes with at least M objects never repeat an object within a batch.
        if (classes[k] !== 4) expect(new Set(group).size).toBe(4);
      }
    }
  });

  it('visits every object of a class before reusing one (shuffled cycling)', () => {
    const two = Int32Array.of(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1);
    const s = new ClassBalancedSampler(two, { P: 2, M: 3, seed: 5 });
    const first = [s.next(), s.next()].flatMap((b) => [...b]);
    expect(first.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('samples a class smaller than M with replacement and caps P at the number of classes', () => {
    const s = new ClassBalancedSampler(Int32Array.of(0, 0, 1), { P: 8, M: 4, seed: 2 });
    expect(s.P).toBe(2);
    const batch = [...s.next()];
    expect(batch.length).toBe(8);
    expect(batch.filter((i) => i === 2).length).toBe(4);
  });

  it('is seeded and resumes identically from getState()', () => {
    const a = new ClassBalancedSampler(labels, { P: 4, M: 5, seed: 9 });
    const b = new ClassBalancedSampler(labels, { P: 4, M: 5, seed: 9 });
    for (let i = 0; i < 7; i++) expect([...a.next()]).toEqual([...b.next()]);
    const state = JSON.parse(JSON.stringify(a.getState()));
    const expected = Array.from({ length: 20 }, () => [...a.next()]);
    const resumed = new ClassBalancedSampler(labels, { P: 4, M: 5, seed: 123 });
    resumed.setState(state);
    expect(Array.from({ length: 20 }, () => [...resumed.next()])).toEqual(expected);
    expect([...new ClassBalancedSampler(labels, { P: 4, M: 5, seed: 10 }).next()]).not.toEqual(expected[0]);
  });

  it('rejects bad arguments and foreign states', () => {
    expect(() => new ClassBalancedSampler(labels, { P: 0, seed: 1 })).toThrow(ArgumentError);
    expect(() => new ClassBalancedSampler(new Int32Array(0), { seed: 1 })).toThrow(ArgumentError);
    const s = new ClassBalancedSampler(labels, { seed: 1 });
    expect(() => s.setState(new ClassBalancedSampler(Int32Array.of(0, 1), { seed: 1 }).getState())).toThrow(/5 classes/);
  });
});

describe('ShuffledSampler', () => {
  it('covers every index once per epoch in batches, the last one smaller', () => {
    const s = new ShuffledSampler(10, 4, 3);
    expect(s.batchesPerEpoch).toBe(3);
    for (let epoch = 0; epoch < 3; epoch++) {
      const batches = [s.next(), s.next(), s.next()];
      expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
      expect(batches.flatMap((b) => [...b]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it('resumes identically, also across an epoch boundary', () => {
    const a = new ShuffledSampler(10, 3, 7);
    a.next();
    a.next();
    const state = JSON.parse(JSON.stringify(a.getState()));
    const expected = Array.from({ length: 9 }, () => [...a.next()]);
    const b = new ShuffledSampler(10, 3, 0);
    b.setState(state);
    expect(Array.from({ length: 9 }, () => [...b.next()])).toEqual(expected);
    expect(() => new ShuffledSampler(5, 3, 0).setState(state)).toThrow(ArgumentError);
  });
});
