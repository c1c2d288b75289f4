/**
 * Parameter layers shared by the encoders, G and D (docs/model.md §1, §4). Initialisation mirrors PyTorch's
 * defaults, as the reference uses them: linear and convolution weights and biases ~ U(±1/√fan_in)
 * (kaiming-uniform with a = √5), embeddings ~ N(0, 1) with the padding row 0, norms weight 1 / bias 0,
 * BatchNorm running mean 0 / variance 1, momentum 0.1, eps 1e-5. Layouts are tfjs's (NHWC, filters
 * [kh, kw, in, out]), so the weights of a PyTorch model need transposing to be loaded here.
 */
import * as tf from '../engine/tf.js';
import type { ParamStore } from './params.js';

export interface DenseArgs {
  inDim: number;
  outDim: number;
  /** Default true. */
  bias?: boolean;
}

/** y = x W + b over the last axis; W [in, out]. */
export class Dense {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(store: ParamStore, name: string, readonly args: DenseArgs) {
    const bound = 1 / Math.sqrt(args.inDim);
    this.weight = store.uniform(`${name}.weight`, [args.inDim, args.outDim], bound);
    this.bias = args.bias === false ? null : store.uniform(`${name}.bias`, [args.outDim], bound);
  }

  apply(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, this.args.inDim]); // [N, in]
    let y: tf.Tensor = tf.matMul(flat as tf.Tensor2D, this.weight as tf.Tensor2D); // [N, out]
    if (this.bias) y = tf.add(y, this.bias);
    return x.rank === 2 ? y : y.reshape([...lead, this.args.outDim]);
  }
}

export interface Conv2DArgs {
  inChannels: number;
  outChannels: number;
  kernel: number;
  /** Default 1. */
  stride?: number;
  /** Zero padding on every side; default 0. */
  pad?: number;
}

/** 2-D convolution on NHWC; filter [k, k, in, out]. */
export class Conv2D {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(store: ParamStore, name: string, readonly args: Conv2DArgs) {
    const bound = 1 / Math.sqrt(args.inChannels * args.kernel * args.kernel);
    this.weight = store.uniform(`${name}.weight`, [args.kernel, args.kernel, args.inChannels, args.outChannels], bound);
    this.bias = store.uniform(`${name}.bias`, [args.outChannels], bound);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const y = tf.conv2d(x, this.weight as tf.Tensor4D, this.args.stride ?? 1, this.args.pad ?? 0); // [B, H', W', out]
    return tf.add(y, this.bias);
  }
}

/** Output size of a convolution with these arguments along one spatial axis. */
export function convOutSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** Slope of every LeakyReLU of the networks (docs/model.md §1, §4), as the reference. */
export const LEAKY_SLOPE = 0.2;

/** Each row scaled to unit L2 norm, p / max(‖p‖₂, 1e-12) (prototypes, eq. (29); D's unit input, eq. (15b)). */
export function unitRows(p: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(p, tf.rsqrt(tf.maximum(tf.sum(tf.square(p), 1, true), 1e-24))) as tf.Tensor2D; // [n, D]
}

/** The 4×4, stride-2, padding-1 convolution that halves a side (E, D) and, transposed, doubles it (G). */
export const HALVING = { kernel: 4, stride: 2, pad: 1 } as const;

/** Side after one halving convolution. */
export function halved(size: number): number {
  return convOutSize(size, HALVING.kernel, HALVING.stride, HALVING.pad);
}

/** Side of the encoder's region grid (and of D's last feature map): two halving convolutions, 28 → 7. */
export function gridSide(size: number): number {
  return halved(halved(size));
}

export interface Conv2DTransposeArgs {
  inChannels: number;
  outChannels: number;
  kernel: number;
  /** Default 1. */
  stride?: number;
  /** Padding of the matching forward convolution; default 0. */
  pad?: number;
}

/** Transposed 2-D convolution on NHWC; filter [k, k, out, in]; the output size is given per call. */
export class Conv2DTranspose {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(store: ParamStore, name: string, readonly args: Conv2DTransposeArgs) {
    // PyTorch computes fan_in of ConvTranspose2d from weight dim 1, the output channels.
    const bound = 1 / Math.sqrt(args.outChannels * args.kernel * args.kernel);
    this.weight = store.uniform(`${name}.weight`, [args.kernel, args.kernel, args.outChannels, args.inChannels], bound);
    this.bias = store.uniform(`${name}.bias`, [args.outChannels], bound);
  }

  /** `height`/`width` choose among the sizes the stride allows (PyTorch's output_padding). */
  apply(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
    const shape: [number, number, number, number] = [x.shape[0], height, width, this.args.outChannels];
    const y = tf.conv2dTranspose(x, this.weight as tf.Tensor4D, shape, this.args.stride ?? 1, this.args.pad ?? 0);
    return tf.add(y, this.bias); // [B, height, width, out]
  }
}

export interface Conv1DArgs {
  inChannels: number;
  outChannels: number;
  /** Odd widths give PyTorch's padding = kernel // 2 ('same'). */
  kernel: number;
}

/** 'same' 1-D convolution on [B, L, C]; filter [k, in, out]. */
export class Conv1D {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(store: ParamStore, name: string, readonly args: Conv1DArgs) {
    const bound = 1 / Math.sqrt(args.inChannels * args.kernel);
    this.weight = store.uniform(`${name}.weight`, [args.kernel, args.inChannels, args.outChannels], bound);
    this.bias = store.uniform(`${name}.bias`, [args.outChannels], bound);
  }

  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.add(tf.conv1d(x, this.weight as tf.Tensor3D, 1, 'same'), this.bias); // [B, L, out]
  }
}

export interface EmbeddingArgs {
  /** Rows, including the padding row 0. */
  count: number;
  dim: number;
}

/** Lookup table [count, dim] ~ N(0, 1); row 0 (padding) starts at zero (the encoder masks padded positions). */
export class Embedding {
  readonly weight: tf.Variable;

  constructor(store: ParamStore, name: string, readonly args: EmbeddingArgs) {
    const w = store.rng.normalArray(args.count * args.dim);
    w.fill(0, 0, args.dim);
    this.weight = store.add(`${name}.weight`, tf.tensor2d(w, [args.count, args.dim]));
  }

  apply(ids: tf.Tensor): tf.Tensor {
    return tf.gather(this.weight, ids); // [..., dim]
  }
}

export interface LayerNormArgs {
  dim: number;
  /** Default 1e-5 (PyTorch). */
  eps?: number;
}

/** Normalises the last axis, then a learned per-feature affine (weight 1, bias 0). */
export class LayerNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(store: ParamStore, name: string, readonly args: LayerNormArgs) {
    this.weight = store.add(`${name}.weight`, tf.ones([args.dim]));
    this.bias = store.add(`${name}.bias`, tf.zeros([args.dim]));
  }

  apply(x: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    const xn = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.args.eps ?? 1e-5)));
    return tf.add(tf.mul(xn, this.weight), this.bias);
  }
}

export interface BatchNormArgs {
  /** Channels = the last axis. */
  channels: number;
  /** Default 1e-5. */
  eps?: number;
  /** Weight of the new batch statistic in the running averages; default 0.1 (PyTorch). */
  momentum?: number;
}

/**
 * Batch normalisation over every axis but the last. Training uses the batch statistics (biased variance)
 * and updates the running averages (with the unbiased variance, as PyTorch); inference uses the averages.
 */
export class BatchNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(store: ParamStore, name: string, readonly args: BatchNormArgs) {
    this.weight = store.add(`${name}.weight`, tf.ones([args.channels]));
    this.bias = store.add(`${name}.bias`, tf.zeros([args.channels]));
    this.runningMean = store.add(`${name}.runningMean`, tf.zeros([args.channels]), false);
    this.runningVar = store.add(`${name}.runningVar`, tf.ones([args.channels]), false);
  }

  apply(x: tf.Tensor, training: boolean): tf.Tensor {
    const eps = this.args.eps ?? 1e-5;
    if (!training) return tf.batchNorm(x, this.runningMean, this.runningVar, this.bias, this.weight, eps);
    return this.trainingNorm(x, this.weight, this.bias);
  }

  /**
   * Training mode with its gradient in closed form: tfjs differentiates batchNorm and the moments that feed
   * it separately, a long chain of broadcasts, tiles and reductions over the activation. With x̂ = (x − μ) r,
   * r = 1/√(σ² + ε) and means over the N = B·H·W positions:
   *   ∂β = Σ dy,  ∂γ = Σ dy x̂,  ∂x = γ r (dy − mean(dy) − x̂ mean(dy x̂)).
   */
  private readonly trainingNorm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const eps = this.args.eps ?? 1e-5;
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes); // [C] each
    const n = x.size / this.args.channels;
    const m = this.args.momentum ?? 0.1;
    // The update is off the loss path (and a custom gradient's forward pass is never differentiated).
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
    });
    save([x, mean, variance, gamma]);
    const value = tf.batchNorm(x, mean, variance, beta, gamma, eps);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, mu, v, g] = saved;
      const r = tf.rsqrt(tf.add(v, eps)); // [C]
      const xc = tf.sub(xs, mu); // [..., C]
      const sumDy = tf.sum(dy, axes); // [C]
      const sumDyXhat = tf.mul(tf.sum(tf.mul(dy, xc), axes), r); // [C]
      const a = tf.mul(g, r); // [C]
      // ∂x = dy·a + (x − μ)·k + b with k = −a r mean(dy x̂), b = −a mean(dy): per-channel vectors, two passes.
      const k = tf.neg(tf.mul(a, tf.mul(r, tf.div(sumDyXhat, n)))); // [C]
      const b = tf.neg(tf.mul(a, tf.div(sumDy, n))); // [C]
      const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xc, k)), b); // [..., C]
      return [dx, sumDyXhat, sumDy];
    };
    return { value, gradFunc };
  });

  /** Back to the initial running statistics (mean 0, variance 1). */
  resetRunningStats(): void {
    tf.tidy(() => {
      this.runningMean.assign(tf.zerosLike(this.runningMean));
      this.runningVar.assign(tf.onesLike(this.runningVar));
    });
  }
}
