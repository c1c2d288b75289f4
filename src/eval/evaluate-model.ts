/**
 * The evaluation protocol (docs/model.md §6.1): database = the training split, queries = the test
 * split or Q seeded test queries; relevant = same class. Works for any `Method` and for a trained SADSL model.
 */
import type { Dataset } from '../data/types.js';
import { Rng } from '../engine/random.js';
import { ArgumentError } from '../errors.js';
import type { Codes } from './method.js';
import type { RetrievalMetrics, TopicUsage } from '../train/validation.js';
import { evaluateCodes } from './retrieval.js';
import { topicUsage } from './topic-usage.js';

export interface ProtocolOptions {
  /** Evaluate Q seeded test queries instead of all (default: all). */
  queries?: number;
  seed?: number;
  onProgress?: (stage: 'database' | 'queries' | 'ranking', done: number, total: number) => void;
}

export interface ProtocolResult extends RetrievalMetrics {
  /** Topic usage of the queries' θ (topic models only). */
  topicUsage: TopicUsage | null;
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
  const metrics = await evaluateCodes(queries, Int32Array.from(q, (i) => ds.test.labels[i]), database, ds.train.labels, {
    onProgress: (d, t) => opts.onProgress?.('ranking', d, t),
  });
  const usage = queries.kind === 'dense' && queries.theta ? topicUsage(queries.theta.values, q.length, queries.theta.K) : null;
  return { ...metrics, topicUsage: usage, encodeSeconds: (t1 - t0) / 1000, rankSeconds: (performance.now() - t1) / 1000 };
}
