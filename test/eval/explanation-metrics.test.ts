import { describe, expect, it } from 'vitest';
import { effectiveTopics, top3Share, topicPurity } from '../../src/eval/explanation-metrics.js';
import { evaluateRetrieval } from '../../src/eval/retrieval.js';

describe('effectiveTopics', () => {
  it('is exp H(θ) averaged over objects', () => {
    // One topic → 1; two halves → exp(ln 2) = 2; uniform over 4 → 4. Mean (1 + 2 + 4) / 3.
    const theta = Float32Array.from([1, 0, 0, 0, 0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25]);
    expect(effectiveTopics(theta, 3, 4)).toBeCloseTo(7 / 3, 6);
  });

  it('refuses a θ of the wrong size', () => {
    expect(() => effectiveTopics(new Float32Array(5), 2, 3)).toThrow(/2 × 3/);
  });
});

describe('topicPurity', () => {
  it('averages the majority-class share of each topic’s strongest objects', () => {
    // 4 objects, K = 2, top 2. Topic 0: strongest are objects 0 (0.9) and 1 (0.8), classes 5 and 5 → 1.
    // Topic 1: strongest are objects 3 (0.7) and 2 (0.6), classes 6 and 5 → 0.5. Mean 0.75.
    const theta = Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.4, 0.6, 0.3, 0.7]);
    const labels = Int32Array.from([5, 5, 5, 6]);
    expect(topicPurity(theta, labels, 2, 2)).toBeCloseTo(0.75, 12);
    // With all 4 objects per topic both topics see classes (5, 5, 5, 6) → 0.75 each.
    expect(topicPurity(theta, labels, 2, 100)).toBeCloseTo(0.75, 12);
  });

  it('breaks ties by the lower index', () => {
    // Topic 0 ties everywhere: objects 0 and 1 (classes 1, 2) are taken → 0.5; topic 1 takes 2, 3 (3, 3) → 1.
    const theta = Float32Array.from([0.5, 0, 0.5, 0, 0.5, 1, 0.5, 1]);
    expect(topicPurity(theta, Int32Array.from([1, 2, 3, 3]), 2, 2)).toBeCloseTo(0.75, 12);
  });
});

describe('top3Share', () => {
  it('is the share of the 3 largest |c_k| in Σ|c_k| over the (query, hit) pairs', () => {
    // K = 4 topics of d = 1. q = (0.5, 0.5, 0.5, 0.5).
    // hit 0 = (0.8, 0.4, 0.2, 0.4): c = (0.4, 0.2, 0.1, 0.2) → (0.4 + 0.2 + 0.2) / 0.9 = 0.888889
    // hit 1 = (0.2, -0.6, 0, 0): c = (0.1, -0.3, 0, 0) → |c| all in the top 3 → 1
    const q = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
    const db = Float32Array.from([0.8, 0.4, 0.2, 0.4, 0.2, -0.6, 0, 0]);
    expect(top3Share(q, db, 4, 4, Int32Array.from([0, 1]), 2)).toBeCloseTo((0.8 / 0.9 + 1) / 2, 6);
    // A missing hit (−1) is skipped.
    expect(top3Share(q, db, 4, 4, Int32Array.from([0, -1]), 2)).toBeCloseTo(0.8 / 0.9, 6);
  });

  it('sums each topic block of d dimensions', () => {
    // K = 4 blocks of d = 2: c_k = block dot products (1, 1, 1, 1)·… = (2, 0.5, 0.25, 0.25) → 2.75 / 3.
    const q = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
    const db = Float32Array.from([1, 1, 0.25, 0.25, 0.125, 0.125, 0.25, 0]);
    expect(top3Share(q, db, 8, 4, Int32Array.from([0]), 1)).toBeCloseTo(2.75 / 3, 6);
  });
});

describe('retrieval hits', () => {
  it('keeps each query’s best database rows, ties by lower row, excluding itself', async () => {
    // 1-d codes: database scores of query 0 (code 1) are the database values; ties at 0.5 → rows 1 then 3.
    const database = Float32Array.from([0.1, 0.5, 0.9, 0.5]);
    const m = await evaluateRetrieval({
      queries: Float32Array.from([1, -1]),
      queryLabels: Int32Array.from([0, 0]),
      database,
      databaseLabels: Int32Array.from([0, 1, 0, 1]),
      dim: 1,
      hits: 3,
    });
    expect(Array.from(m.hits!)).toEqual([2, 1, 3, 0, 1, 3]);
    const self = await evaluateRetrieval({ queries: database, queryLabels: Int32Array.from([0, 1, 0, 1]), database, databaseLabels: Int32Array.from([0, 1, 0, 1]), dim: 1, hits: 2, excludeSelf: true });
    // Query 0 (code 0.1) scores rows 1..3 as 0.05, 0.09, 0.05 (row 0 is itself): rows 2, then 1 (tie with 3).
    expect(Array.from(self.hits!.subarray(0, 2))).toEqual([2, 1]);
  });
});
