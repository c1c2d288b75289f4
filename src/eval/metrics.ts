/**
 * Retrieval metrics of one ranked database (docs/model.md eq. (24), §6.1), as pure functions of the ranks of the relevant items.
 *
 * A query's ranking is summarised by `ranks`: the 1-based positions of ALL its relevant database items, in
 * ascending order (R = ranks.length relevant items, N database items). Every metric below is a function of
 * that list, so the full ranking never needs to be stored. Definitions (binary relevance = same class):
 * - AP = (Σ over relevant items at rank i of precision@i) / R — R counts every relevant item in the
 *   database, not only the retrieved ones; mAP = mean AP over queries, each ranking the whole database.
 * - precision@k = (relevant in the top k) / k (k > N still divides by k); recall@k = (relevant in top k) / R.
 * - R-precision = precision@R.
 * - MAP@R (Musgrave et al. 2020) = (Σ over relevant items at rank i ≤ R of precision@i) / R.
 * - NDCG@k = Σ_{relevant at rank i ≤ k} 1/log2(i + 1), divided by the ideal Σ_{i=1..min(k,R)} 1/log2(i + 1).
 * - 11-point interpolated precision at recall level l ∈ {0, 0.1, …, 1}: the highest precision at any rank
 *   whose recall is ≥ l; the curve is the mean over queries.
 * Queries with no relevant item (R = 0) have none of these defined: they are excluded from every mean and
 * counted separately (`withoutRelevant`); if no query has a relevant item the means are NaN.
 */

export const DEFAULT_KS = [10, 100] as const;
export const PR_LEVELS = 11;

/** One query's metrics; `at[j]` belongs to `ks[j]` of the call. */
export interface QueryMetrics {
  ap: number;
  rPrecision: number;
  mapAtR: number;
  at: { precision: number; recall: number; ndcg: number }[];
  pr: Float64Array; // [11] interpolated precision at recall 0, 0.1, …, 1
}

/** Ascending 1-based ranks of the relevant items of a ranking given as relevance flags in rank order. */
export function ranksOfRelevant(relevance: ArrayLike<boolean | number>): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < relevance.length; i++) if (relevance[i]) out.push(i + 1);
  return Int32Array.from(out);
}

/** The metrics of one query from the ascending ranks of its relevant items; null when it has none. */
export function queryMetrics(ranks: ArrayLike<number>, ks: readonly number[] = DEFAULT_KS): QueryMetrics | null {
  const R = ranks.length;
  if (R === 0) return null;
  let apSum = 0;
  let mapRSum = 0;
  let inR = 0;
  for (let q = 0; q < R; q++) {
    const p = (q + 1) / ranks[q]; // precision at the rank of the (q+1)-th relevant item
    apSum += p;
    if (ranks[q] <= R) {
      mapRSum += p;
      inR++;
    }
  }
  const at = ks.map((k) => {
    let hits = 0;
    let dcg = 0;
    for (let q = 0; q < R && ranks[q] <= k; q++) {
      hits++;
      dcg += 1 / Math.log2(ranks[q] + 1);
    }
    let ideal = 0;
    for (let i = 1; i <= Math.min(k, R); i++) ideal += 1 / Math.log2(i + 1);
    return { precision: hits / k, recall: hits / R, ndcg: dcg / ideal };
  });
  // Interpolated precision: suffix maximum of the precision at relevant ranks (precision only drops at
  // irrelevant ranks, so the maximum over all ranks with recall ≥ l is reached at a relevant one).
  // Recall ≥ j/10 first holds at the q-th relevant item with q + 1 ≥ jR/10.
  const pr = new Float64Array(PR_LEVELS);
  let best = 0;
  let level = PR_LEVELS - 1;
  for (let q = R - 1; q >= 0 && level >= 0; q--) {
    best = Math.max(best, (q + 1) / ranks[q]);
    while (level >= 0 && Math.max(0, Math.ceil((level * R) / (PR_LEVELS - 1)) - 1) === q) pr[level--] = best;
  }
  return { ap: apSum / R, rPrecision: inR / R, mapAtR: mapRSum / R, at, pr };
}

/** Means of per-query metrics over the queries that have a relevant item. */
export interface MeanMetrics {
  mAP: number;
  rPrecision: number;
  mapAtR: number;
  at: { k: number; precision: number; recall: number; ndcg: number }[];
  pr: number[]; // [11]
  /** Queries averaged over. */
  counted: number;
  /** Queries left out because no database item is relevant to them. */
  withoutRelevant: number;
}

/** Running sums of `QueryMetrics`, so metrics of many queries are averaged without storing them. */
export class MetricsAccumulator {
  private n = 0;
  private none = 0;
  private ap = 0;
  private rp = 0;
  private mapR = 0;
  private readonly at: { precision: number; recall: number; ndcg: number }[];
  private readonly pr = new Float64Array(PR_LEVELS);

  constructor(readonly ks: readonly number[] = DEFAULT_KS) {
    this.at = ks.map(() => ({ precision: 0, recall: 0, ndcg: 0 }));
  }

  add(m: QueryMetrics | null): void {
    if (m === null) {
      this.none++;
      return;
    }
    this.n++;
    this.ap += m.ap;
    this.rp += m.rPrecision;
    this.mapR += m.mapAtR;
    m.at.forEach((a, j) => {
      this.at[j].precision += a.precision;
      this.at[j].recall += a.recall;
      this.at[j].ndcg += a.ndcg;
    });
    for (let l = 0; l < PR_LEVELS; l++) this.pr[l] += m.pr[l];
  }

  mean(): MeanMetrics {
    const n = this.n === 0 ? NaN : this.n;
    return {
      mAP: this.ap / n,
      rPrecision: this.rp / n,
      mapAtR: this.mapR / n,
      at: this.at.map((a, j) => ({ k: this.ks[j], precision: a.precision / n, recall: a.recall / n, ndcg: a.ndcg / n })),
      pr: Array.from(this.pr, (v) => v / n),
      counted: this.n,
      withoutRelevant: this.none,
    };
  }
}
