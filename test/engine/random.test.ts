import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/random.js';

describe('Rng.sample', () => {
  it('is the head of the same seeded shuffle, without replacement, and leaves its input alone', () => {
    const items = Int32Array.from({ length: 50 }, (_, i) => 100 + i);
    const s = new Rng(3).sample(items, 7);
    const shuffled = new Rng(3).shuffle(Int32Array.from(items)) as Int32Array;
    expect(Array.from(s)).toEqual(Array.from(shuffled.slice(0, 7)));
    expect(new Set(s).size).toBe(7);
    expect(Array.from(items)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
  });

  it('caps the count at the number of items', () => {
    const s = new Rng(1).sample([4, 5, 6], 10);
    expect(Array.from(s).sort()).toEqual([4, 5, 6]);
  });
});
