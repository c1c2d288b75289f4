/**
 * Image generator G (docs/model.md §4): [h, z] → linear → gh×gw×128 + BatchNorm + ReLU → deconv4×4 s2 p1
 * (128 → 64) + BatchNorm + ReLU → deconv4×4 s2 p1 (64 → C) → tanh. The transposed convolutions output
 * exactly the encoder's intermediate and input sizes, so any image size the encoder accepts round-trips.
 * BatchNorm after the linear layer normalises the 128 channels of the reshaped map (reference CHOICE).
 */
import * as tf from '../engine/tf.js';
import { BatchNorm, Conv2DTranspose, Dense, halved, HALVING } from './layers.js';
import type { ParamStore } from './params.js';

export interface ImageGeneratorArgs {
  /** Topic-code size d plus noise size. */
  inDim: number;
  height: number;
  width: number;
  channels: number;
}

const C0 = 128;
const C1 = 64;

export class ImageGenerator {
  private readonly midHeight: number;
  private readonly midWidth: number;
  private readonly gridHeight: number;
  private readonly gridWidth: number;
  private readonly fc: Dense;
  private readonly bn0: BatchNorm;
  private readonly deconv1: Conv2DTranspose;
  private readonly bn1: BatchNorm;
  private readonly deconv2: Conv2DTranspose;

  constructor(store: ParamStore, name: string, readonly args: ImageGeneratorArgs) {
    this.midHeight = halved(args.height);
    this.midWidth = halved(args.width);
    this.gridHeight = halved(this.midHeight);
    this.gridWidth = halved(this.midWidth);
    this.fc = new Dense(store, `${name}.fc`, { inDim: args.inDim, outDim: this.gridHeight * this.gridWidth * C0 });
    this.bn0 = new BatchNorm(store, `${name}.bn0`, { channels: C0 });
    this.deconv1 = new Conv2DTranspose(store, `${name}.deconv1`, { inChannels: C0, outChannels: C1, ...HALVING });
    this.bn1 = new BatchNorm(store, `${name}.bn1`, { channels: C1 });
    this.deconv2 = new Conv2DTranspose(store, `${name}.deconv2`, { inChannels: C1, outChannels: args.channels, ...HALVING });
  }

  /** input [B, d + noise] → images [B, H, W, C] in [-1, 1]. */
  apply(input: tf.Tensor2D, training: boolean): tf.Tensor4D {
    const B = input.shape[0];
    let x = this.fc.apply(input).reshape([B, this.gridHeight, this.gridWidth, C0]) as tf.Tensor4D; // [B, gh, gw, 128]
    x = tf.relu(this.bn0.apply(x, training)) as tf.Tensor4D;
    x = tf.relu(this.bn1.apply(this.deconv1.apply(x, this.midHeight, this.midWidth), training)) as tf.Tensor4D; // [B, H/2, W/2, 64]
    return tf.tanh(this.deconv2.apply(x, this.args.height, this.args.width)); // [B, H, W, C]
  }
}
