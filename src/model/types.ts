/**
 * Contracts between the model, the trainer and the consumers (eval, explain, index).
 * Shapes: B objects, R regions, d features, K topics, L tokens, V vocabulary words.
 */
import type * as tf from '../engine/tf.js';

/** What a network needs to know about the data it is built for. */
export type InputSpec =
  | { domain: 'image'; height: number; width: number; channels: number }
  | { domain: 'text'; vocabSize: number; maxLength: number };

/** One batch of model inputs. Created by `model/inputs.ts`; the caller disposes it. */
export type ModelInputs =
  | { domain: 'image'; images: tf.Tensor4D } // [B, H, W, C], values in [-1, 1]
  | {
      domain: 'text';
      ids: tf.Tensor2D; // [B, L] int32, see EncodedTexts.ids
      mask: tf.Tensor2D; // [B, L] float32, 1 = real token
      bow: tf.Tensor2D; // [B, V] float32, normalised word counts of the whole document (rows sum to 1)
    };

/** Everything the forward pass computes that explanations and losses need. */
export interface Forward {
  regionInputs: tf.Tensor3D; // [B, R, d]  f_r, the encoder's region features
  attention: tf.Tensor3D; // [B, R, R]  A of the non-local block (eq. (5))
  values: tf.Tensor3D; // [B, R, d]  its values v = F W_v (eq. (4))
  features: tf.Tensor3D; // [B, R, d]  f'_r after self-attention
  regionMask: tf.Tensor2D; // [B, R]  1 = real region
  alpha: tf.Tensor2D; // [B, R]  region weights (sum to 1 over real regions)
  affinity: tf.Tensor3D; // [B, R, K]  a_{r,k}
  theta: tf.Tensor2D; // [B, K]  topic strengths (simplex)
  views: tf.Tensor3D; // [B, K, d]  v_k
  viewNorms: tf.Tensor2D; // [B, K]  ‖v_k‖
  codes: tf.Tensor2D; // [B, K·d]  z = [√(θ_k + sqrtEps) v̂_k]; s(x, y) = ⟨z(x), z(y)⟩
  topicCode: tf.Tensor2D; // [B, d]  h = Σ_k θ_k t_k (pooled g for the no-topics variant)
}

/** The exact decomposition of one score s(a, b) (docs/model.md eqs. (13)–(14″)). */
export interface Explanation {
  score: number;
  /** Per topic, c_k = √(θ_k(a)θ_k(b)) · ⟨v̂_k(a), v̂_k(b)⟩; sums to `score`. */
  topics: { topic: number; contribution: number }[];
  /**
   * regions.a[r][k]: contribution of region r of a inside topic k (eq. (14′), which routes
   * what each region read from the others through the non-local block back to them; for images, of pixel cell r,
   * eq. (14″));
   * Σ_{r,k} = score. Same for b.
   */
  regions: { a: number[][]; b: number[][] };
}
