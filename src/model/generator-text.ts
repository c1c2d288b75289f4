/**
 * Document generator G (docs/model.md §4): [h, z] → linear(hidden) + ReLU → linear(V) → softmax, a word
 * distribution. `logits` is exposed too so losses can use a stable log-softmax.
 */
import * as tf from '../engine/tf.js';
import { Dense } from './layers.js';
import type { ParamStore } from './params.js';

export interface TextGeneratorArgs {
  /** Topic-code size d plus noise size. */
  inDim: number;
  hidden: number;
  vocabSize: number;
}

export class TextGenerator {
  private readonly fc1: Dense;
  private readonly fc2: Dense;

  constructor(store: ParamStore, name: string, readonly args: TextGeneratorArgs) {
    this.fc1 = new Dense(store, `${name}.fc1`, { inDim: args.inDim, outDim: args.hidden });
    this.fc2 = new Dense(store, `${name}.fc2`, { inDim: args.hidden, outDim: args.vocabSize });
  }

  /** input [B, d + noise] → pre-softmax logits [B, V]. */
  logits(input: tf.Tensor2D): tf.Tensor2D {
    return this.fc2.apply(tf.relu(this.fc1.apply(input))) as tf.Tensor2D; // [B, V]
  }

  /** input [B, d + noise] → word distribution [B, V] (rows sum to 1). */
  apply(input: tf.Tensor2D): tf.Tensor2D {
    return tf.softmax(this.logits(input)); // [B, V]
  }
}
