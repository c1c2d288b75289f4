import { describe, expect, it } from 'vitest';
import { lrFactor } from '../../src/train/schedule.js';

describe('lrFactor', () => {
  it('is 1 for the constant schedule', () => {
    expect([1, 5, 100].map((s) => lrFactor({ lrSchedule: 'constant', warmupSteps: 10 }, s, 100))).toEqual([1, 1, 1]);
  });

  it('warms up linearly, then decays along a cosine to 0 at the last step', () => {
    // warm-up 2 of 6 steps: 1/3, 2/3; then t = 0, 1/3, 2/3, 1 → 1, 0.75, 0.25, 0.
    const f = [1, 2, 3, 4, 5, 6].map((s) => lrFactor({ lrSchedule: 'cosine', warmupSteps: 2 }, s, 6));
    [1 / 3, 2 / 3, 1, 0.75, 0.25, 0].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 12));
  });

  it('decays from the first step without warm-up', () => {
    expect(lrFactor({ lrSchedule: 'cosine', warmupSteps: 0 }, 1, 3)).toBeCloseTo(1, 12);
    expect(lrFactor({ lrSchedule: 'cosine', warmupSteps: 0 }, 2, 3)).toBeCloseTo(0.5, 12);
    expect(lrFactor({ lrSchedule: 'cosine', warmupSteps: 0 }, 3, 3)).toBeCloseTo(0, 12);
  });
});
