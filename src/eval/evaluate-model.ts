/**
 * The evaluation protocol (docs/model.md §6.1): database = the training split, queries = the test
 * split or Q seeded test queries; relevant = same class. Works for any `Method` and for a trained SADSL model.
 */
import { EXPLANATION_DEFAULTS } from '../config.js';
import type { Dataset } from '../data/types.js';
import { Rng } from '../engine/random.js';
import { ArgumentError } from '../errors.js';
import type { Codes } from './method.js';
import type { RetrievalMetrics, TopicUsage } from '../train/validation.js';
import { evaluateCodes } from './retrieval.js';
import { topicUsage } from './topic-usage.js';
import { effectiveTopics, top3Share, topicPurity, type ExplanationMetrics } from './explanation-metrics.js';
import type { DenseCodes } from '../train/codes.js';

const { hits: EXPLAINED_HITS, purityObjects: PURITY_OBJECTS } = EXPLANATION_DEFAULTS;

/** The explanation metrics of a topic model's query and database codes (docs/model.md §6.3). */
function explanationMetrics(queries: DenseCodes, database: DenseCodes, databaseLabels: Int32Array, hits: Int32Array): ExplanationMetrics {
  const K = queries.theta!.K;
  const Q = queries.codes.length / queries.dim;
  return {
    top3Share: top3Share(queries.codes, database.codes, queries.dim, K, hits, EXPLAINED_HITS),
    effectiveTopics: effectiveTopics(queries.theta!.values, Q, K),
    topicPurity: topicPurity(database.theta!.values, databaseLabels, K, PURITY_OBJECTS),
  };
}

export interface ProtocolOptions {
  /** Evaluate Q seeded test queries instead of all (default: all). */
  queries?: number;
  seed?: number;
  onProgress?: (stage: 'database' | 'queries' | 'ranking', done: number, total: number) => void;
}

export interface ProtocolResult extends RetrievalMetrics {
  /** Topic usage of the queries' θ (topic models only). */
  topicUsage: TopicUsage | null;
  /** How much the explanations say (topic models only): queries, their top-10 hits, the database's θ. */
  explanation: ExplanationMetrics | null;
  encodeSeconds: number;
  rankSeconds: number;
}

/** The Q test indices a seed selects (sorted), or all of them. */
export function selectQueries(nTest: number, queries: number | undefined, seed: number): Int32Array {
  const all = Int32Array.from({ length: nTest }, (_, i) => i);
  if (queries === undefined || queries >= nTest) return all;
  if (!Number.isInteger(queries) || queries < 1) throw new ArgumentError(`--queries: expected a positive integer, got ${queries}`);
  return new Rng(seed).sample(all, queries).sort();
}

/** Anything that encodes objects of a split into codes. */
export type Encoder = (split: Dataset['train'], indices: Int32Array, onProgress: (done: number, total: number) => void) => Promise<Codes>;

export async function evaluateProtocol(ds: Dataset, encode: Encoder, opts: ProtocolOptions = {}): Promise<ProtocolResult> {
  const q = selectQueries(ds.test.n, opts.queries, opts.seed ?? 0);
  const t0 = performance.now();
  const all = Int32Array.from({ length: ds.train.n }, (_, i) => i);
  const database = await encode(ds.train, all, (d, t) => opts.onProgress?.('database', d, t));
  const queries = await encode(ds.test, q, (d, t) => opts.onProgress?.('queries', d, t));
  const t1 = performance.now();
  const { hits, ...metrics } = await evaluateCodes(queries, Int32Array.from(q, (i) => ds.test.labels[i]), database, ds.train.labels, {
    hits: EXPLAINED_HITS,
    onProgress: (d, t) => opts.onProgress?.('ranking', d, t),
  });
  const topics = queries.kind === 'dense' && database.kind === 'dense' && queries.theta && database.theta;
  const usage = topics ? topicUsage(queries.theta!.values, q.length, queries.theta!.K) : null;
  const explanation = topics ? explanationMetrics(queries, database, ds.train.labels, hits!) : null;
  return { ...metrics, topicUsage: usage, explanation, encodeSeconds: (t1 - t0) / 1000, rankSeconds: (performance.now() - t1) / 1000 };
}
