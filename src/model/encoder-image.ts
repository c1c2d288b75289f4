/**
 * Image encoder E (docs/model.md §1.1): conv3×3 s1 p1 + LeakyReLU(0.2) → conv4×4 s2 p1 + BatchNorm + LeakyReLU →
 * conv4×4 s2 p1 (→ d channels) + BatchNorm + LeakyReLU. Each cell of the final grid is one region
 * (28×28 → 7×7 = 49 regions), in row-major order r = i·gridWidth + j.
 */
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import { BatchNorm, Conv2D, gridSide, HALVING, LEAKY_SLOPE } from './layers.js';
import type { ParamStore } from './params.js';

export interface ImageEncoderArgs {
  height: number;
  width: number;
  channels: number;
  /** Channels of the three convolutions; the last is the region feature size d. */
  convChannels: readonly [number, number, number];
}

export class ImageEncoder {
  readonly gridHeight: number;
  readonly gridWidth: number;
  private readonly conv1: Conv2D;
  private readonly conv2: Conv2D;
  private readonly bn2: BatchNorm;
  private readonly conv3: Conv2D;
  private readonly bn3: BatchNorm;

  constructor(store: ParamStore, name: string, readonly args: ImageEncoderArgs) {
    const [c1, c2, c3] = args.convChannels;
    this.gridHeight = gridSide(args.height);
    this.gridWidth = gridSide(args.width);
    if (this.gridHeight < 1 || this.gridWidth < 1) {
      throw new ArgumentError(`image size ${args.height}×${args.width} is too small for the encoder (minimum 4×4)`);
    }
    this.conv1 = new Conv2D(store, `${name}.conv1`, { inChannels: args.channels, outChannels: c1, kernel: 3, pad: 1 });
    this.conv2 = new Conv2D(store, `${name}.conv2`, { inChannels: c1, outChannels: c2, ...HALVING });
    this.bn2 = new BatchNorm(store, `${name}.bn2`, { channels: c2 });
    this.conv3 = new Conv2D(store, `${name}.conv3`, { inChannels: c2, outChannels: c3, ...HALVING });
    this.bn3 = new BatchNorm(store, `${name}.bn3`, { channels: c3 });
  }

  get regions(): number {
    return this.gridHeight * this.gridWidth;
  }

  /** images [B, H, W, C] in [-1, 1] → region features [B, R, d]. */
  apply(images: tf.Tensor4D, training: boolean): tf.Tensor3D {
    let x = tf.leakyRelu(this.conv1.apply(images), LEAKY_SLOPE); // [B, H, W, c1]
    x = tf.leakyRelu(this.bn2.apply(this.conv2.apply(x), training) as tf.Tensor4D, LEAKY_SLOPE); // [B, H/2, W/2, c2]
    x = tf.leakyRelu(this.bn3.apply(this.conv3.apply(x), training) as tf.Tensor4D, LEAKY_SLOPE); // [B, gh, gw, d]
    return x.reshape([images.shape[0], this.regions, this.args.convChannels[2]]); // [B, R, d]
  }

  batchNorms(): BatchNorm[] {
    return [this.bn2, this.bn3];
  }
}
