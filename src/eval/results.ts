/**
 * The shape of `results.json` of `sadsl experiment`: what `experiment.ts` writes and `results-table.ts`
 * prints.
 */
import type { MeanFaithfulness } from '../explain/faithfulness.js';
import type { RetrievalMetrics, TopicUsage } from '../train/validation.js';

/** One method's row of results.json (keys as `sadsl eval`'s). */
export type MethodResult = Pick<RetrievalMetrics, 'mAP' | 'precisionAt10' | 'precisionAt100' | 'rPrecision' | 'mapAtR' | 'ndcgAt10' | 'pr'> & {
  /** Seconds of training (`fit`); for non-learned methods their fitting time. */
  trainSeconds: number;
  /** Topic models: topic usage of the queries' θ. */
  topicUsage?: TopicUsage;
  /** Full SADSL: deletion faithfulness of its explanations over `FAITHFULNESS_PAIRS` pairs. */
  faithfulness?: MeanFaithfulness;
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
  seed: number;
  machine: Machine;
  methods: Record<string, MethodResult>;
}
