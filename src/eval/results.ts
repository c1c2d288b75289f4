/**
 * The shape of `results.json` of `sadsl experiment`: what `experiment.ts` writes and `results-table.ts`
 * prints.
 */
import type { MeanFaithfulness } from '../explain/faithfulness.js';
import type { ExplanationMetrics } from './explanation-metrics.js';
import type { RetrievalMetrics, TopicUsage } from '../train/validation.js';

/** One method's row of results.json (keys as `sadsl eval`'s). */
export type MethodResult = Pick<RetrievalMetrics, 'mAP' | 'precisionAt10' | 'precisionAt100' | 'rPrecision' | 'mapAtR' | 'ndcgAt10' | 'pr'> & {
  /** Seconds of training (`fit`); for non-learned methods their fitting time. */
  trainSeconds: number;
  /** Topic models: topic usage of the queries' θ. */
  topicUsage?: TopicUsage;
  /** Topic models: top3Share, effectiveTopics, topicPurity (docs/model.md §6.3). */
  explanation?: ExplanationMetrics;
  /** SADSL models: deletion faithfulness of their explanations over `FAITHFULNESS_PAIRS` pairs. */
  faithfulness?: MeanFaithfulness;
  /** Rows of several seeds: the standard deviation over the seeds of every number above, by dotted key. */
  std?: Record<string, number>;
  /** Rows of several seeds: how many seeds the row averages. */
  seeds?: number;
};

export interface Machine {
  cpus: number;
  model: string;
  memoryGB: number;
  backend: string;
}

export interface ExperimentResults {
  dataset: string;
  /** Queries evaluated. */
  queries: number;
  /** Database objects (the training split). */
  database: number;
  epochs: number;
  maxSteps?: number;
  /** The seeds run (each seeds splits without a fixed split, weights, sampling and the query subset). */
  seeds: number[];
  machine: Machine;
  /** Per method, the mean over the seeds it finished (with `std` when more than one). */
  methods: Record<string, MethodResult>;
  /** Per seed (as a string key), the row of every method finished with that seed. */
  perSeed: Record<string, Record<string, MethodResult>>;
}
