import { describe, expect, it } from 'vitest';
import { topicUsage } from '../../src/eval/topic-usage.js';

describe('topicUsage', () => {
  it('matches a hand computation', () => {
    // n = 3 objects, K = 2 topics: θ = (1, 0), (0.5, 0.5), (0.25, 0.75).
    // mean θ = (1.75/3, 1.25/3) = (0.583333, 0.416667); H = -(0.583333 ln 0.583333 + 0.416667 ln 0.416667)
    //        = 0.314415 + 0.364779 = 0.679193
    // per-object H: 0 (0·ln 1e-12 = 0), ln 2 = 0.693147, -(0.25 ln 0.25 + 0.75 ln 0.75) = 0.562335;
    //   mean = 1.255482 / 3 = 0.418494
    // arg-max: 0, 0 (first of a tie), 1 → 2 topics used, largest share 2/3; mean max θ = (1 + 0.5 + 0.75) / 3 = 0.75
    const u = topicUsage(Float32Array.from([1, 0, 0.5, 0.5, 0.25, 0.75]), 3, 2);
    expect(u.entropyMeanTheta).toBeCloseTo(0.679193, 5);
    expect(u.logK).toBeCloseTo(Math.LN2, 12);
    expect(u.meanEntropyTheta).toBeCloseTo(0.418494, 5);
    expect(u.topicsUsedAsArgmax).toBe(2);
    expect(u.meanMaxTheta).toBeCloseTo(0.75, 6);
    expect(u.largestArgmaxShare).toBeCloseTo(2 / 3, 12);
  });

  it('reports a collapsed model', () => {
    // Every object on topic 2 of K = 4: H(mean θ) = 0, one topic used, share 1.
    const theta = new Float32Array(5 * 4);
    for (let i = 0; i < 5; i++) theta[i * 4 + 2] = 1;
    const u = topicUsage(theta, 5, 4);
    expect(u.entropyMeanTheta).toBe(0);
    expect(u.topicsUsedAsArgmax).toBe(1);
    expect(u.largestArgmaxShare).toBe(1);
    expect(u.logK).toBeCloseTo(Math.log(4), 12);
  });

  it('rejects a θ of the wrong size', () => {
    expect(() => topicUsage(new Float32Array(5), 2, 3)).toThrow(/theta/);
  });
});
