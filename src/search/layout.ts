/** The topic-block layout of a model's codes: K blocks of d dims, or one block for the no-topics variant. */
import type { TrainedModel } from '../train/trained-model.js';
import type { CodeLayout } from './topics.js';

export function modelLayout(model: TrainedModel, dim: number): CodeLayout {
  const topics = model.config.variant === 'no-topics' ? 1 : model.config.K;
  return { topics, blockDim: dim / topics };
}
