import { describe, expect, it } from 'vitest';
import { MetricsAccumulator, queryMetrics, ranksOfRelevant } from '../../src/eval/metrics.js';

describe('queryMetrics', () => {
  it('matches a hand-computed ranking', () => {
    // Ranking of N = 6 items, relevance 1 0 1 0 0 1 → R = 3, relevant ranks 1, 3, 6.
    // precision at those ranks: 1/1, 2/3, 3/6.
    // AP      = (1 + 2/3 + 1/2) / 3 = 13/18 = 0.72222…
    // R-prec  = relevant in top 3 / 3 = 2/3
    // MAP@R   = (1 + 2/3) / 3 (only ranks ≤ R = 3) = 5/9
    // P@2 = 1/2, recall@2 = 1/3; P@10 = 3/10 (k > N still divides by k), recall@10 = 1
    // NDCG@3  = (1/log2 2 + 1/log2 4) / (1/log2 2 + 1/log2 3 + 1/log2 4) = 1.5 / 2.130930 = 0.703918
    // 11-point: suffix max of (1, 2/3, 1/2); recall ≥ l first reached at the q-th relevant item with
    //   q ≥ ceil(3l) (q counted from 1): l = 0..0.3 → q = 1 → 1; l = 0.4..0.6 → q = 2 → 2/3; l = 0.7..1 → 1/2
    const ranks = ranksOfRelevant([1, 0, 1, 0, 0, 1]);
    expect(Array.from(ranks)).toEqual([1, 3, 6]);
    const m = queryMetrics(ranks, [2, 3, 10])!;
    expect(m.ap).toBeCloseTo(13 / 18, 12);
    expect(m.rPrecision).toBeCloseTo(2 / 3, 12);
    expect(m.mapAtR).toBeCloseTo(5 / 9, 12);
    expect(m.at[0].precision).toBeCloseTo(0.5, 12);
    expect(m.at[0].recall).toBeCloseTo(1 / 3, 12);
    expect(m.at[1].ndcg).toBeCloseTo(0.703918, 6);
    expect(m.at[2].precision).toBeCloseTo(0.3, 12);
    expect(m.at[2].recall).toBe(1);
    const t = 2 / 3;
    const expected = [1, 1, 1, 1, t, t, t, 0.5, 0.5, 0.5, 0.5];
    Array.from(m.pr).forEach((v, l) => expect(v).toBeCloseTo(expected[l], 12));
  });

  it('interpolates precision upwards', () => {
    // Relevance 0 1 1 0 1: ranks 2, 3, 5, precisions 1/2, 2/3, 3/5.
    // AP = (1/2 + 2/3 + 3/5) / 3 = 53/90; R-prec = 2/3; MAP@R = (1/2 + 2/3) / 3 = 7/18.
    // Interpolated: max precision at recall ≥ l: l ≤ 2/3 → 2/3 (beats the 1/2 at rank 2), l > 2/3 → 3/5.
    const m = queryMetrics(ranksOfRelevant([0, 1, 1, 0, 1]))!;
    expect(m.ap).toBeCloseTo(53 / 90, 12);
    expect(m.rPrecision).toBeCloseTo(2 / 3, 12);
    expect(m.mapAtR).toBeCloseTo(7 / 18, 12);
    const t = 2 / 3;
    const expected = [t, t, t, t, t, t, t, 0.6, 0.6, 0.6, 0.6];
    Array.from(m.pr).forEach((v, l) => expect(v).toBeCloseTo(expected[l], 12));
    // NDCG@10 with R = 3: (1/log2 3 + 1/log2 4 + 1/log2 6) / (1 + 1/log2 3 + 1/log2 4)
    const dcg = 1 / Math.log2(3) + 0.5 + 1 / Math.log2(6);
    expect(m.at[0].ndcg).toBeCloseTo(dcg / (1.5 + 1 / Math.log2(3)), 12);
  });

  it('gives 1 everywhere for a perfect ranking', () => {
    const m = queryMetrics(ranksOfRelevant([1, 1, 1, 1, 0, 0]), [4])!;
    expect([m.ap, m.rPrecision, m.mapAtR, m.at[0].precision, m.at[0].ndcg]).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(m.pr)).toEqual(new Array(11).fill(1));
  });

  it('has no metrics for a query without relevant items', () => {
    expect(queryMetrics(ranksOfRelevant([0, 0, 0]))).toBeNull();
  });
});

describe('MetricsAccumulator', () => {
  it('averages over queries with relevant items and counts the others', () => {
    const acc = new MetricsAccumulator([10]);
    acc.add(queryMetrics(ranksOfRelevant([1, 0, 1, 0, 0, 1]), [10])); // AP 13/18
    acc.add(queryMetrics(ranksOfRelevant([0, 1, 1, 0, 1]), [10])); // AP 53/90
    acc.add(queryMetrics(ranksOfRelevant([0, 0]), [10])); // excluded
    const m = acc.mean();
    expect(m.counted).toBe(2);
    expect(m.withoutRelevant).toBe(1);
    expect(m.mAP).toBeCloseTo((13 / 18 + 53 / 90) / 2, 12);
    expect(m.at[0].precision).toBeCloseTo(0.3, 12);
    expect(m.pr[10]).toBeCloseTo((0.5 + 0.6) / 2, 12);
  });

  it('returns NaN means when no query has a relevant item', () => {
    const acc = new MetricsAccumulator();
    acc.add(null);
    expect(acc.mean().mAP).toBeNaN();
    expect(acc.mean().withoutRelevant).toBe(1);
  });
});
