import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import { cosineNormalize, evaluateRetrieval } from '../../src/eval/retrieval.js';

/** The reference's formulas on a full sort (score desc, index asc), one query at a time, in float64. */
function naive(q: number[][], ql: number[], db: number[][], dl: number[], self: (i: number) => number) {
  const sums = { ap: 0, p10: 0, p100: 0, rp: 0, mapr: 0, ndcg10: 0, r10: 0, pr: new Array(11).fill(0), n: 0 };
  q.forEach((qv, i) => {
    const order = db.map((_, j) => j).filter((j) => j !== self(i));
    const s = db.map((dv) => dv.reduce((a, x, t) => a + x * qv[t], 0));
    order.sort((a, b) => s[b] - s[a] || a - b);
    const rel = order.map((j) => (dl[j] === ql[i] ? 1 : 0));
    const R = rel.reduce((a: number, b) => a + b, 0);
    if (R === 0) return;
    sums.n++;
    let cum = 0;
    const prec: number[] = [];
    const recall: number[] = [];
    let ap = 0;
    let mapr = 0;
    let dcg = 0;
    rel.forEach((r, k) => {
      cum += r;
      prec.push(cum / (k + 1));
      recall.push(cum / R);
      ap += r * prec[k];
      if (k < R) mapr += r * prec[k];
      if (k < 10) dcg += r / Math.log2(k + 2);
      if (k === 9) sums.r10 += cum / R;
      if (k === 9) sums.p10 += cum / 10;
      if (k === 99) sums.p100 += cum / 100;
      if (k === R - 1) sums.rp += cum / R;
    });
    let idcg = 0;
    for (let k = 0; k < Math.min(10, R); k++) idcg += 1 / Math.log2(k + 2);
    sums.ap += ap / R;
    sums.mapr += mapr / R;
    sums.ndcg10 += dcg / idcg;
    for (let l = 0; l <= 10; l++) {
      let best = 0;
      prec.forEach((p, k) => {
        if (recall[k] >= l / 10 - 1e-12) best = Math.max(best, p);
      });
      sums.pr[l] += best;
    }
  });
  return sums;
}

function randomCodes(rng: Rng, n: number, dim: number): number[][] {
  // Small integers: inner products are exact in float32, and ties are frequent.
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.int(3) - 1));
}

describe('evaluateRetrieval', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  const rng = new Rng(7);
  const dim = 5;
  const db = randomCodes(rng, 230, dim);
  const dl = db.map(() => rng.int(4));
  const q = randomCodes(rng, 37, dim);
  const ql = q.map(() => rng.int(5)); // label 4 has no relevant item
  const flat = (rows: number[][]) => Float32Array.from(rows.flat());

  it('agrees with a naive full-sort loop, in any block size', async () => {
    const ref = naive(q, ql, db, dl, () => -1);
    const input = { queries: flat(q), queryLabels: Int32Array.from(ql), database: flat(db), databaseLabels: Int32Array.from(dl), dim };
    const progress: number[] = [];
    const m = await evaluateRetrieval({ ...input, queryBlock: 8, databaseBlock: 50, onProgress: (d) => progress.push(d) });
    const n = ref.n;
    expect(m.queries).toBe(37);
    expect(m.database).toBe(230);
    expect(m.queriesWithoutRelevant).toBe(37 - n);
    expect(m.queriesWithoutRelevant).toBeGreaterThan(0);
    expect(m.mAP).toBeCloseTo(ref.ap / n, 10);
    expect(m.precisionAt10).toBeCloseTo(ref.p10 / n, 10);
    expect(m.precisionAt100).toBeCloseTo(ref.p100 / n, 10);
    expect(m.rPrecision).toBeCloseTo(ref.rp / n, 10);
    expect(m.mapAtR).toBeCloseTo(ref.mapr / n, 10);
    expect(m.ndcgAt10).toBeCloseTo(ref.ndcg10 / n, 10);
    expect(m.recallAt10).toBeCloseTo(ref.r10 / n, 10);
    m.pr.forEach((v, l) => expect(v).toBeCloseTo(ref.pr[l] / n, 10));
    expect(progress).toEqual([8, 16, 24, 32, 37]);
    const whole = await evaluateRetrieval(input);
    expect(whole).toEqual(m);
  });

  it('removes each query from its own ranking with excludeSelf', async () => {
    const members = db.slice(0, 20);
    const ref = naive(members, dl.slice(0, 20), db, dl, (i) => i);
    const input = { queries: flat(members), queryLabels: Int32Array.from(dl.slice(0, 20)), database: flat(db), databaseLabels: Int32Array.from(dl), dim };
    const m = await evaluateRetrieval({ ...input, excludeSelf: true, queryBlock: 6 });
    expect(m.mAP).toBeCloseTo(ref.ap / ref.n, 10);
    expect(m.rPrecision).toBeCloseTo(ref.rp / ref.n, 10);
    const byIndex = await evaluateRetrieval({ ...input, excludeSelf: Int32Array.from({ length: 20 }, (_, i) => i) });
    expect(byIndex).toEqual(m);
    const withSelf = await evaluateRetrieval(input);
    expect(withSelf.mAP).not.toBeCloseTo(m.mAP, 6);
  });

  it('names the bad argument', async () => {
    const base = { queries: new Float32Array(6), queryLabels: new Int32Array(2), database: new Float32Array(9), databaseLabels: new Int32Array(3), dim: 3 };
    await expect(evaluateRetrieval({ ...base, dim: 4 })).rejects.toThrow(/queries: length 6/);
    await expect(evaluateRetrieval({ ...base, databaseLabels: new Int32Array(2) })).rejects.toThrow(/database: 3 rows but 2 labels/);
    await expect(evaluateRetrieval({ ...base, ks: [0] })).rejects.toThrow(/ks/);
  });
});

describe('cosineNormalize', () => {
  it('scales rows to unit length and keeps zero rows', () => {
    const out = cosineNormalize(Float32Array.from([3, 4, 0, 0, 0, 2]), 2);
    const expected = [0.6, 0.8, 0, 0, 0, 1];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
});
