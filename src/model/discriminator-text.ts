/**
 * Document discriminator D (docs/model.md §4): word distribution [B, V] (or its unit-norm form, eq. (15b)) →
 * linear(hidden) + LeakyReLU(0.2) → linear(1), one logit.
 */
import * as tf from '../engine/tf.js';
import { Dense, LEAKY_SLOPE, unitRows } from './layers.js';
import type { ParamStore } from './params.js';

export interface TextDiscriminatorArgs {
  vocabSize: number;
  hidden: number;
  /** 'distribution' (v2): D reads the distribution p; 'unit': D reads p / ‖p‖₂ (eq. (15b)). */
  input: 'distribution' | 'unit';
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
    return tf.tidy(() => {
      const B = words.shape[0];
      const x = this.args.input === 'unit' ? unitRows(words) : words; // [B, V]
      return this.fc2.apply(tf.leakyRelu(this.fc1.apply(x), LEAKY_SLOPE)).reshape([B]) as tf.Tensor1D; // [B]
    });
  }
}
