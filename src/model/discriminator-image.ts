/**
 * Image discriminator D (docs/model.md §4): conv4×4 s2 p1 (C → 64) + LeakyReLU(0.2) → conv4×4 s2 p1
 * (64 → 128) + BatchNorm + LeakyReLU → flatten → linear → one logit.
 */
import * as tf from '../engine/tf.js';
import { BatchNorm, Conv2D, Dense, gridSide, HALVING, LEAKY_SLOPE } from './layers.js';
import type { ParamStore } from './params.js';

export interface ImageDiscriminatorArgs {
  height: number;
  width: number;
  channels: number;
}

export class ImageDiscriminator {
  private readonly conv1: Conv2D;
  private readonly conv2: Conv2D;
  private readonly bn2: BatchNorm;
  private readonly fc: Dense;

  constructor(store: ParamStore, name: string, readonly args: ImageDiscriminatorArgs) {
    const gh = gridSide(args.height);
    const gw = gridSide(args.width);
    this.conv1 = new Conv2D(store, `${name}.conv1`, { inChannels: args.channels, outChannels: 64, ...HALVING });
    this.conv2 = new Conv2D(store, `${name}.conv2`, { inChannels: 64, outChannels: 128, ...HALVING });
    this.bn2 = new BatchNorm(store, `${name}.bn2`, { channels: 128 });
    this.fc = new Dense(store, `${name}.fc`, { inDim: gh * gw * 128, outDim: 1 });
  }

  /** images [B, H, W, C] → logits [B]. */
  apply(images: tf.Tensor4D, training: boolean): tf.Tensor1D {
    const B = images.shape[0];
    let x = tf.leakyRelu(this.conv1.apply(images), LEAKY_SLOPE); // [B, H/2, W/2, 64]
    x = tf.leakyRelu(this.bn2.apply(this.conv2.apply(x), training) as tf.Tensor4D, LEAKY_SLOPE); // [B, gh, gw, 128]
    return this.fc.apply(x.reshape([B, -1])).reshape([B]); // [B]
  }
}
