/** `train()`'s validation hook: the held-out objects retrieve each other (excluding themselves). */
import type { Split } from '../data/types.js';
import type { TrainedModel } from '../train/trained-model.js';
import type { Validation } from '../train/validation.js';
import { evaluateRetrieval } from './retrieval.js';
import { topicUsage } from './topic-usage.js';

export async function retrievalValidation(model: TrainedModel, split: Split, idx: Int32Array): Promise<Validation> {
  const codes = await model.encode({ split, indices: idx });
  const labels = Int32Array.from(idx, (i) => split.labels[i]);
  const metrics = await evaluateRetrieval({
    queries: codes.codes,
    queryLabels: labels,
    database: codes.codes,
    databaseLabels: labels,
    dim: codes.dim,
    excludeSelf: true,
  });
  const usage = codes.theta ? topicUsage(codes.theta.values, idx.length, codes.theta.K) : null;
  return { metrics, usage };
}
