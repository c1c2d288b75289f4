/**
 * Document encoder E (docs/model.md eq. (2)): embedding(V + 1 → d, id 0 = padding) → conv1d(k, 'same') + ReLU →
 * max-pool over non-overlapping windows of `window` tokens → linear(d → d) + LayerNorm (no final ReLU, so
 * features are centred). A segment is real when it holds a real token; segment 0 is always real so an
 * empty document still has softmaxes defined (reference CHOICE). Padding tokens are zeroed before the
 * convolution (as PyTorch's padding_idx row) and after the ReLU (0 is neutral for the max of ReLU outputs),
 * so they never leak into real segments.
 *
 * `centre` is a data-dependent initialisation of the projection bias (config `docCentring: 'data'`, docs/model.md eq. (3)): the
 * max-pooled ReLU outputs are all ≥ 0 and share one large mean direction, and LayerNorm only centres each
 * vector over its own d dimensions, so at a random initialisation every segment of every post points the same
 * way (docs/model.md §1.3) and training first has to unlearn it.
 */
import * as tf from '../engine/tf.js';
import { Conv1D, Dense, Embedding, LayerNorm } from './layers.js';
import type { ParamStore } from './params.js';

export interface TextEncoderArgs {
  /** Real words V; the table has V + 1 rows. */
  vocabSize: number;
  /** Tokens per document L. */
  maxLength: number;
  /** Feature size d (embedding, convolution and output). */
  dim: number;
  kernel: number;
  /** Tokens per segment; R = ceil(L / window). */
  window: number;
}

/**
 * Max over axis 2 whose gradient goes to the first maximum only, as PyTorch's max_pool1d. tfjs's `max`
 * gradient goes to every tied maximum, which multiplies the embedding/conv gradient by up to `window` on
 * windows of repeated tokens (~1 % of 20 News posts) and slowed training markedly.
 */
export const maxFirst = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor4D; // [B, R, window, d]
  const save = args[1] as tf.GradSaveFunc;
  const first = tf.transpose(tf.oneHot(tf.argMax(x, 2), x.shape[2]), [0, 1, 3, 2]); // [B, R, window, d]
  save([first]);
  return { value: tf.max(x, 2), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], tf.expandDims(dy, 2)) };
});

export class TextEncoder {
  readonly regions: number;
  private readonly embedding: Embedding;
  private readonly conv: Conv1D;
  private readonly proj: Dense;
  private readonly norm: LayerNorm;

  constructor(store: ParamStore, name: string, readonly args: TextEncoderArgs) {
    this.regions = Math.ceil(args.maxLength / args.window);
    this.embedding = new Embedding(store, `${name}.embedding`, { count: args.vocabSize + 1, dim: args.dim });
    this.conv = new Conv1D(store, `${name}.conv`, { inChannels: args.dim, outChannels: args.dim, kernel: args.kernel });
    this.proj = new Dense(store, `${name}.proj`, { inDim: args.dim, outDim: args.dim });
    this.norm = new LayerNorm(store, `${name}.norm`, { dim: args.dim });
  }

  /** ids [B, L] int32, mask [B, L] (1 = real token) → features [B, R, d] and segment mask [B, R]. */
  apply(ids: tf.Tensor2D, mask: tf.Tensor2D): { features: tf.Tensor3D; regionMask: tf.Tensor2D } {
    const { pooled, regionMask } = this.pool(ids, mask);
    const features = this.norm.apply(this.proj.apply(pooled)) as tf.Tensor3D; // [B, R, d]
    return { features, regionMask };
  }

  /**
   * Sets the projection bias to −μ W, μ [d] the mean pooled feature of the real segments of the documents
   * (ids [n, L], mask [n, L]; read `chunk` documents at a time), so their projected features have mean zero
   * across documents.
   */
  centre(ids: tf.Tensor2D, mask: tf.Tensor2D, chunk = 256): void {
    const n = ids.shape[0];
    const sums: tf.Tensor1D[] = [];
    for (let s = 0; s < n; s += chunk) {
      const b = Math.min(chunk, n - s);
      sums.push(
        tf.tidy(() => {
          const { pooled, regionMask } = this.pool(ids.slice([s], [b]), mask.slice([s], [b]));
          const m = regionMask.expandDims(2); // [b, R, 1]
          return tf.concat([tf.sum(tf.mul(pooled, m), [0, 1]), tf.sum(m).reshape([1])]); // [d + 1]
        }),
      );
    }
    tf.tidy(() => {
      const total = tf.addN(sums); // [d + 1]: Σ pooled, number of real segments
      const mean = tf.div(total.slice(0, this.args.dim), total.slice(this.args.dim, 1)); // [d]
      this.proj.bias!.assign(tf.neg(tf.matMul(mean.expandDims(0), this.proj.weight as tf.Tensor2D)).reshape([this.args.dim]));
    });
    tf.dispose(sums);
  }

  /** Embedding → conv + ReLU → window max-pool: pooled [B, R, d] (all ≥ 0) and the segment mask [B, R]. */
  private pool(ids: tf.Tensor2D, mask: tf.Tensor2D): { pooled: tf.Tensor3D; regionMask: tf.Tensor2D } {
    const [B, L] = ids.shape;
    const { dim, window } = this.args;
    const R = this.regions;
    const tok = mask.expandDims(2); // [B, L, 1]
    const emb = tf.mul(this.embedding.apply(ids), tok) as tf.Tensor3D; // [B, L, d]
    let h = tf.mul(tf.relu(this.conv.apply(emb)), tok) as tf.Tensor3D; // [B, L, d]
    let m = mask;
    if (R * window > L) {
      h = tf.pad(h, [[0, 0], [0, R * window - L], [0, 0]]); // [B, R·window, d]
      m = tf.pad(mask, [[0, 0], [0, R * window - L]]);
    }
    const pooled = maxFirst(h.reshape([B, R, window, dim])) as tf.Tensor3D; // [B, R, d]
    const segs = tf.max(m.reshape([B, R, window]), 2); // [B, R]
    const first = tf.concat([tf.ones([B, 1]), tf.zeros([B, R - 1])], 1);
    const regionMask = tf.maximum(segs, first) as tf.Tensor2D; // [B, R]
    return { pooled, regionMask };
  }
}
