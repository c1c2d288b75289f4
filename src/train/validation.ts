/**
 * Per-epoch validation in `train()`: the hook its caller passes (eval's `retrievalValidation`: the held-out
 * objects retrieve each other) and what it reports. The metric types live here, in the lowest layer that
 * needs them; eval computes them (`eval/retrieval.ts`, `eval/topic-usage.ts`).
 */
import type { Split } from '../data/types.js';
import type { TrainedModel } from './trained-model.js';

/** The evaluation result; its keys are the JSON keys of `sadsl eval` and `results.json`. */
export interface RetrievalMetrics {
  mAP: number;
  precisionAt10: number;
  precisionAt100: number;
  rPrecision: number;
  mapAtR: number;
  ndcgAt10: number;
  recallAt10: number;
  /** 11-point interpolated precision at recall 0, 0.1, …, 1 (mean over queries). */
  pr: number[];
  /** Number of queries evaluated (including those without a relevant item). */
  queries: number;
  /** Number of database items. */
  database: number;
  /** Queries with no relevant database item, left out of every mean. */
  queriesWithoutRelevant: number;
  /** Precision, recall and NDCG at every k of `ks` (always including 10 and 100). */
  atK: { k: number; precision: number; recall: number; ndcg: number }[];
}

export interface TopicUsage {
  /** H(mean θ): log K when all topics are used evenly over the set. */
  entropyMeanTheta: number;
  logK: number;
  /** Mean per-object H(θ): log K when every object spreads evenly over all topics. */
  meanEntropyTheta: number;
  /** Number of distinct arg-max topics. */
  topicsUsedAsArgmax: number;
  meanMaxTheta: number;
  /** Share of objects whose arg-max is the most frequent arg-max topic. */
  largestArgmaxShare: number;
}

/** What a validation reports: retrieval metrics and, for topic models, the topic usage of θ. */
export interface Validation {
  metrics: RetrievalMetrics;
  usage: TopicUsage | null;
}

/** Validates `model` on the objects `indices` of `split`. */
export type Validator = (model: TrainedModel, split: Split, indices: Int32Array) => Promise<Validation>;
