/**
 * Exact retrieval evaluation (docs/model.md §6.1): every query ranks the whole database by inner product
 * (s(x, y) = ⟨z(x), z(y)⟩, docs/model.md eq. (12); cosine when codes are unit-norm), relevance = same label.
 *
 * Scores are computed block by block on the current tf backend ([Bq, d] × [Bn, d]ᵀ), so memory stays
 * bounded by one block of query rows × the database (Bq × N floats, 256 × 60,000 ≈ 61 MB by default)
 * plus the database on the backend (kept there when ≤ 256 MB, else uploaded one block of 16,384 rows at
 * a time); the Q × N score matrix never exists. Sparse codes (tf-idf) are
 * scored in JS through an inverted index instead (`sparse-scores.ts`). Metric definitions,
 * ties and queries without relevant items: see `metrics.ts` and `ranks.ts`.
 */
import * as tf from '../engine/tf.js';
import { TopK } from '../engine/topk.js';
import { ArgumentError } from '../errors.js';
import type { RetrievalMetrics } from '../train/validation.js';
import { DEFAULT_KS, MetricsAccumulator, queryMetrics } from './metrics.js';
import type { Codes } from './method.js';
import { RankBuffers, relevantRanks } from './ranks.js';
import { sparseScores, transposeRows } from './sparse-scores.js';
import { yieldToEventLoop } from '../engine/event-loop.js';

/** The metrics, and with the `hits` option [Q, hits] database rows per query, best first (−1 past the database). */
export type RetrievalResult = RetrievalMetrics & { hits?: Int32Array };

/** Options shared by the dense and sparse evaluations. */
export interface RetrievalOptions {
  /** Extra cut-offs for precision/recall/NDCG (10 and 100 are always computed). */
  ks?: number[];
  /**
   * Queries that are database members: `true` = query i is database item i; an array gives each query's
   * database index (-1 = not a member). A member is removed from its own ranking.
   */
  excludeSelf?: boolean | Int32Array;
  /** Query rows scored per block (default 256). */
  queryBlock?: number;
  /** Database rows per matmul (default 16,384). */
  databaseBlock?: number;
  /** Keep each query's `hits` best database rows (best first; ties by lower row) in `RetrievalResult.hits`. */
  hits?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RetrievalInput extends RetrievalOptions {
  queries: Float32Array; // [Q, dim]
  queryLabels: Int32Array; // [Q]
  database: Float32Array; // [N, dim]
  databaseLabels: Int32Array; // [N]
  dim: number;
}

function checkRows(name: string, n: number, labels: Int32Array): void {
  if (labels.length !== n) throw new ArgumentError(`${name}: ${n} rows but ${labels.length} labels`);
}

function denseRows(name: string, data: Float32Array, dim: number): number {
  if (!Number.isInteger(dim) || dim <= 0) throw new ArgumentError(`dim: expected a positive integer, got ${dim}`);
  if (data.length % dim !== 0) throw new ArgumentError(`${name}: length ${data.length} is not a multiple of dim ${dim}`);
  return data.length / dim;
}

/** Fills `out` ([q1 - q0, N] row-major) with the scores of queries q0..q1-1 against the whole database. */
type BlockScorer = { score(q0: number, q1: number, out: Float32Array): Promise<void>; dispose(): void };

/** The block loop shared by dense and sparse scoring: score a query block, then rank and measure each row. */
async function rankAll(
  Q: number,
  queryLabels: Int32Array,
  databaseLabels: Int32Array,
  scorer: BlockScorer,
  opts: RetrievalOptions,
): Promise<RetrievalResult> {
  const N = databaseLabels.length;
  if (N === 0) throw new ArgumentError('database: no rows');
  const ks = [...new Set([...DEFAULT_KS, ...(opts.ks ?? [])])].sort((a, b) => a - b);
  for (const k of ks) if (!Number.isInteger(k) || k <= 0) throw new ArgumentError(`ks: ${k} is not a positive integer`);
  const self = opts.excludeSelf;
  if (self === true && Q > N) throw new ArgumentError(`excludeSelf: ${Q} queries but only ${N} database items`);
  if (self instanceof Int32Array && self.length !== Q) {
    throw new ArgumentError(`excludeSelf: ${self.length} indices for ${Q} queries`);
  }
  const selfIndex = (i: number): number => (self === true ? i : self instanceof Int32Array ? self[i] : -1);
  const qBlock = Math.max(1, opts.queryBlock ?? 256);
  const acc = new MetricsAccumulator(ks);
  const buf = new RankBuffers(N);
  const scores = new Float32Array(Math.min(qBlock, Q) * N); // [Bq, N] scores of one query block
  const h = opts.hits ?? 0;
  const hits = h > 0 ? new Int32Array(Q * h).fill(-1) : undefined;
  try {
    for (let q0 = 0; q0 < Q; q0 += qBlock) {
      const q1 = Math.min(Q, q0 + qBlock);
      await scorer.score(q0, q1, scores);
      for (let i = 0; i < q1 - q0; i++) {
        const row = scores.subarray(i * N, (i + 1) * N);
        acc.add(queryMetrics(relevantRanks(row, databaseLabels, queryLabels[q0 + i], selfIndex(q0 + i), buf), ks));
        if (hits) {
          const top = new TopK(h);
          const self = selfIndex(q0 + i);
          for (let j = 0; j < N; j++) if (j !== self && row[j] > top.threshold) top.push(row[j], j);
          top.sorted().forEach((t, r) => (hits[(q0 + i) * h + r] = t.row));
        }
      }
      opts.onProgress?.(q1, Q);
      await yieldToEventLoop();
    }
  } finally {
    scorer.dispose();
  }
  const m = acc.mean();
  const at = (k: number) => m.at.find((a) => a.k === k)!;
  return {
    mAP: m.mAP,
    precisionAt10: at(10).precision,
    precisionAt100: at(100).precision,
    rPrecision: m.rPrecision,
    mapAtR: m.mapAtR,
    ndcgAt10: at(10).ndcg,
    recallAt10: at(10).recall,
    pr: m.pr,
    queries: Q,
    database: N,
    queriesWithoutRelevant: m.withoutRelevant,
    atK: m.at,
    ...(hits ? { hits } : {}),
  };
}

/** Inner products on the tf backend, [Bq, d] × [Bn, d]ᵀ per matmul. */
function denseScorer(queries: Float32Array, database: Float32Array, dim: number, nBlock: number): BlockScorer {
  const N = database.length / dim;
  // Database blocks stay on the backend when they are small; otherwise each is uploaded per query block.
  const keep = database.byteLength <= 256 * 2 ** 20;
  const kept = new Map<number, tf.Tensor2D>();
  return {
    async score(q0, q1, out) {
      const b = q1 - q0;
      const qt = tf.tensor2d(queries.subarray(q0 * dim, q1 * dim), [b, dim]); // [Bq, d]
      try {
        for (let n0 = 0; n0 < N; n0 += nBlock) {
          const n1 = Math.min(N, n0 + nBlock);
          const dbt = kept.get(n0) ?? tf.tensor2d(database.subarray(n0 * dim, n1 * dim), [n1 - n0, dim]); // [Bn, d]
          if (keep) kept.set(n0, dbt);
          const block = tf.matMul(qt, dbt, false, true); // [Bq, Bn]
          if (!keep) dbt.dispose();
          const vals = (await block.data()) as Float32Array;
          block.dispose();
          const w = n1 - n0;
          for (let i = 0; i < b; i++) out.set(vals.subarray(i * w, (i + 1) * w), i * N + n0);
        }
      } finally {
        qt.dispose();
      }
    },
    dispose() {
      for (const t of kept.values()) t.dispose();
    },
  };
}

/** Mean metrics of every query ranking the whole database by inner product of dense codes. */
export async function evaluateRetrieval(input: RetrievalInput): Promise<RetrievalResult> {
  const { queries, queryLabels, database, databaseLabels, dim } = input;
  const Q = denseRows('queries', queries, dim);
  const N = denseRows('database', database, dim);
  checkRows('queries', Q, queryLabels);
  checkRows('database', N, databaseLabels);
  const scorer = denseScorer(queries, database, dim, Math.max(1, input.databaseBlock ?? 16384));
  return rankAll(Q, queryLabels, databaseLabels, scorer, input);
}

/** The same evaluation for any `Codes` (dense, or sparse rows scored through an inverted index). */
export async function evaluateCodes(
  queries: Codes,
  queryLabels: Int32Array,
  database: Codes,
  databaseLabels: Int32Array,
  opts: RetrievalOptions = {},
): Promise<RetrievalResult> {
  if (queries.kind === 'dense' && database.kind === 'dense') {
    if (queries.dim !== database.dim) throw new ArgumentError(`codes: queries have dim ${queries.dim}, database ${database.dim}`);
    return evaluateRetrieval({ ...opts, queries: queries.codes, queryLabels, database: database.codes, databaseLabels, dim: database.dim });
  }
  if (queries.kind !== 'sparse' || database.kind !== 'sparse') throw new ArgumentError('codes: queries and database must both be dense or both sparse');
  if (queries.rows.cols !== database.rows.cols) {
    throw new ArgumentError(`codes: queries have ${queries.rows.cols} columns, database ${database.rows.cols}`);
  }
  checkRows('queries', queries.rows.rows, queryLabels);
  checkRows('database', database.rows.rows, databaseLabels);
  const dbT = transposeRows(database.rows);
  const scorer: BlockScorer = {
    score: async (q0, q1, out) => sparseScores(queries.rows, q0, q1, dbT, out),
    dispose: () => undefined,
  };
  return rankAll(queries.rows.rows, queryLabels, databaseLabels, scorer, opts);
}

/** L2-normalises each row of a [n, dim] matrix (a copy; zero rows stay zero), so inner product = cosine. */
export function cosineNormalize(rows: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let o = 0; o < rows.length; o += dim) {
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += rows[o + j] * rows[o + j];
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let j = 0; j < dim; j++) out[o + j] = rows[o + j] * inv;
  }
  return out;
}
