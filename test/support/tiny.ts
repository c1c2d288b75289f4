/**
 * The one tiny model of the tests that train on the embedded samples (`sample-images`, `sample-text`): a few
 * steps take seconds on 2 cores. Tests of a single layer or step keep their own, smaller shapes.
 */
import type { ModelConfig } from '../../src/config.js';

/** Images: K 4 topics of d 16, three small convolutions, k-means on 64 objects. */
export const TINY_IMAGE_MODEL: Partial<ModelConfig> = { K: 4, d: 16, imageChannels: [8, 16, 16], kmeansObjects: 64 };

/** Documents: a 500-word vocabulary, 64 tokens, K 4 topics of d 16, a 32-wide generator/discriminator. */
export const TINY_TEXT_MODEL: Partial<ModelConfig> = { vocabSize: 500, maxLength: 64, d: 16, K: 4, docHidden: 32 };
