/**
 * Document discriminator D (docs/model.md §4): word distribution [B, V] → linear(hidden) + LeakyReLU(0.2) →
 * linear(1), one logit.
 */
import * as tf from '../engine/tf.js';
import { Dense, LEAKY_SLOPE } from './layers.js';
import type { ParamStore } from './params.js';

export interface TextDiscriminatorArgs {
  vocabSize: number;
  hidden: number;
}

export class TextDiscriminator {
  private readonly fc1: Dense;
  private readonly fc2: Dense;

  constructor(store: ParamStore, name: string, readonly args: TextDiscriminatorArgs) {
    this.fc1 = new Dense(store, `${name}.fc1`, { inDim: args.vocabSize, outDim: args.hidden });
    this.fc2 = new Dense(store, `${name}.fc2`, { inDim: args.hidden, outDim: 1 });
  }

  /** words [B, V] → logits [B]. */
  apply(words: tf.Tensor2D): tf.Tensor1D {
    const B = words.shape[0];
    return this.fc2.apply(tf.leakyRelu(this.fc1.apply(words), LEAKY_SLOPE)).reshape([B]); // [B]
  }
}
