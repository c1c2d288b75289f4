/**
 * Self-attention (docs/model.md eqs. (4)–(7)). Non-local block: q = F W_q, k = F W_k (d → d/8), v = F W_v (d → d),
 * A = softmax_row(q kᵀ) over real regions (no 1/√d scaling, as SAGAN and the reference),
 * F' = F + γ · A v with γ a learned scalar starting at 0. Region weights e_r = w_aᵀ tanh(W_a f'_r + b_a)
 * (W_a: d → d/2, w_a without bias: the softmax is shift-invariant), α = softmax_r(e) over real regions.
 * The `no-attention` ablation keeps the non-local block and makes α uniform over real regions.
 */
import * as tf from '../engine/tf.js';
import { Dense } from './layers.js';
import type { ParamStore } from './params.js';

export interface SelfAttentionArgs {
  dim: number;
  /** `no-attention` ablation: α uniform over the real regions. */
  uniformAlpha: boolean;
}

/**
 * Added to the logits of masked entries: far enough below any real logit that softmax (or log-sum-exp) gives
 * them exactly 0 weight. The multi-similarity baseline masks its unmined pairs with it too.
 */
export const MASKED_LOGIT = -1e9;

/** Softmax over the last axis where `mask` (broadcastable, 1 = keep) is 1; masked entries get exactly 0. */
export function maskedSoftmax(logits: tf.Tensor, mask: tf.Tensor | null): tf.Tensor {
  if (mask === null) return tf.softmax(logits);
  return tf.softmax(tf.add(logits, tf.mul(tf.sub(1, mask), MASKED_LOGIT)));
}

export class SelfAttention {
  readonly gamma: tf.Variable;
  private readonly q: Dense;
  private readonly k: Dense;
  private readonly v: Dense;
  private readonly wA: Dense;
  private readonly wa: Dense;

  constructor(store: ParamStore, name: string, readonly args: SelfAttentionArgs) {
    const d = args.dim;
    const dq = Math.max(1, Math.floor(d / 8));
    this.q = new Dense(store, `${name}.q`, { inDim: d, outDim: dq });
    this.k = new Dense(store, `${name}.k`, { inDim: d, outDim: dq });
    this.v = new Dense(store, `${name}.v`, { inDim: d, outDim: d });
    this.gamma = store.add(`${name}.gamma`, tf.scalar(0));
    this.wA = new Dense(store, `${name}.Wa`, { inDim: d, outDim: Math.max(1, Math.floor(d / 2)) });
    this.wa = new Dense(store, `${name}.wa`, { inDim: Math.max(1, Math.floor(d / 2)), outDim: 1, bias: false });
  }

  /**
   * F [B, R, d], mask [B, R] or null (all regions real) → F' [B, R, d], α [B, R], and what F' is made of for the
   * explanations (eq. (14′)): the attention A [B, R, R] and the values v [B, R, d].
   */
  apply(f: tf.Tensor3D, mask: tf.Tensor2D | null): { features: tf.Tensor3D; alpha: tf.Tensor2D; attention: tf.Tensor3D; values: tf.Tensor3D } {
    const [B, R] = f.shape;
    const q = this.q.apply(f) as tf.Tensor3D; // [B, R, d/8]
    const k = this.k.apply(f) as tf.Tensor3D; // [B, R, d/8]
    const v = this.v.apply(f) as tf.Tensor3D; // [B, R, d]
    const logits = tf.matMul(q, k, false, true); // [B, R, R]
    const a = maskedSoftmax(logits, mask === null ? null : mask.expandDims(1)) as tf.Tensor3D; // [B, R, R]
    const features = tf.add(f, tf.mul(this.gamma, tf.matMul(a, v))) as tf.Tensor3D; // [B, R, d]
    let alpha: tf.Tensor2D;
    if (this.args.uniformAlpha) {
      const m = mask ?? tf.ones([B, R]);
      alpha = tf.div(m, tf.sum(m, 1, true)); // [B, R]
    } else {
      const e = this.wa.apply(tf.tanh(this.wA.apply(features))).reshape([B, R]); // [B, R]
      alpha = maskedSoftmax(e, mask) as tf.Tensor2D; // [B, R]
    }
    return { features, alpha, attention: a, values: v };
  }
}
