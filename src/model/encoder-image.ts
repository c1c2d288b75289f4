/**
 * Image encoder E (docs/model.md §1.1): conv3×3 s1 p1 + LeakyReLU(0.2) → conv4×4 s2 p1 + BatchNorm + LeakyReLU →
 * conv4×4 s2 p1 (→ d channels) + BatchNorm + LeakyReLU. Each cell of the final grid is one region
 * (28×28 → 7×7 = 49 regions), in row-major order r = i·gridWidth + j. The feature of cell i sees pixels
 * [4i − 4, 4i + 8): its own 4-pixel cell and one cell on each side (cellSpread).
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

  /** How the region features' contributions fall on the pixel cells (cellSpread), [cells, features]; made once. */
  spread(): Float32Array {
    this.cellSpread ??= cellSpread(this.gridHeight, this.gridWidth);
    return this.cellSpread;
  }

  private cellSpread: Float32Array | undefined;

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

/**
 * Per axis, the share of a feature's receptive field in the cell before it, its own cell and the cell after: the
 * number of paths from each cell's pixels to the feature through the three convolutions (over the pixels
 * [4o − 4, 4o + 8) of 1-D output o: 1, 2, 4, 5 | 6, 6, 6, 6 | 5, 4, 2, 1, i.e. 12 | 24 | 12 per 4-pixel cell).
 */
const CELL_SHARES = [0.25, 0.5, 0.25] as const;

/**
 * ρ of docs/model.md eq. (14″) for a gh × gw grid, row-major [cells, features]: column r divides feature r's
 * contribution among the cells of its receptive field (CELL_SHARES on each axis, their products in 2-D),
 * renormalised over the cells inside the image, so every column sums to 1.
 */
export function cellSpread(gh: number, gw: number): Float32Array {
  const R = gh * gw;
  const rho = new Float32Array(R * R);
  for (let r = 0; r < R; r++) {
    const i = Math.floor(r / gw);
    const j = r % gw;
    const cells: [number, number][] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const y = i + dy;
        const x = j + dx;
        if (y >= 0 && y < gh && x >= 0 && x < gw) cells.push([y * gw + x, CELL_SHARES[dy + 1] * CELL_SHARES[dx + 1]]);
      }
    }
    const total = cells.reduce((s, [, w]) => s + w, 0);
    for (const [u, w] of cells) rho[u * R + r] = w / total;
  }
  return rho;
}
