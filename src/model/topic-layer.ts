/**
 * Topic similarity layer (docs/model.md eqs. (8)–(12), (15)). a_{r,k} = softmax_k(cos(f'_r, t_k) / τ); θ_k = Σ_r α_r a_{r,k};
 * v_k = Σ_r α_r a_{r,k} f'_r; v̂_k = v_k / (‖v_k‖ + ε); code z = [√(θ_k + sqrtEps) · v̂_k]_k, so
 * s(x, y) = ⟨z(x), z(y)⟩ = Σ_k √(θ_k(x)θ_k(y)) ⟨v̂_k(x), v̂_k(y)⟩; topic code h = Σ_k θ_k t_k.
 * The `no-topics` ablation pools g = Σ_r α_r f'_r, z = g / (‖g‖ + ε), h = g, reported as one topic
 * (a = 1, θ = 1, v = g) so explanations keep the same form.
 */
import * as tf from '../engine/tf.js';

export interface TopicLayerArgs {
  tau: number;
  eps: number;
  sqrtEps: number;
  /** γ of the object-level sharpening θ_k ∝ (Σ_r α_r a_{r,k})^γ, eq. (37) (1 = none, spec v2; v3: 3). */
  thetaPower: number;
  /** β of the floor θ ← (1 − β) θ + β / K (0 = none, spec v2). */
  thetaFloor: number;
}

export interface TopicOutputs {
  affinity: tf.Tensor3D; // [B, R, K]
  theta: tf.Tensor2D; // [B, K]
  views: tf.Tensor3D; // [B, K, d]
  viewNorms: tf.Tensor2D; // [B, K]
  codes: tf.Tensor2D; // [B, K·d] (no-topics: [B, d])
  topicCode: tf.Tensor2D; // [B, d]
}

/** Rows scaled to unit norm (PyTorch F.normalize: divides by max(‖x‖, 1e-12)). */
export function l2Normalize(x: tf.Tensor, axis = -1): tf.Tensor {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', axis, true), 1e-12));
}

/** Rows of p [B, K] (on the simplex) raised to the power γ and renormalised, computed as softmax(γ log p) (docs/model.md eq. (37)). */
function sharpen(p: tf.Tensor2D, gamma: number): tf.Tensor2D {
  return tf.softmax(tf.mul(tf.log(tf.maximum(p, 1e-30)), gamma)) as tf.Tensor2D;
}

/** features [B, R, d], alpha [B, R], topics [K, d]. */
export function topicLayer(
  features: tf.Tensor3D,
  alpha: tf.Tensor2D,
  topics: tf.Tensor2D,
  args: TopicLayerArgs,
): TopicOutputs {
  const [B, R, d] = features.shape;
  const K = topics.shape[0];
  const fn = l2Normalize(features.reshape([B * R, d])) as tf.Tensor2D; // [B·R, d]
  const tn = l2Normalize(topics) as tf.Tensor2D; // [K, d]
  const cos = tf.matMul(fn, tn, false, true).reshape([B, R, K]); // [B, R, K]
  const affinity = tf.softmax(tf.div(cos, args.tau)) as tf.Tensor3D; // [B, R, K]
  const w = tf.mul(alpha.expandDims(2), affinity) as tf.Tensor3D; // [B, R, K]  α_r a_{r,k}
  const pooled = tf.sum(w, 1) as tf.Tensor2D; // [B, K]  Σ_r α_r a_{r,k}
  const sharp = args.thetaPower === 1 ? pooled : sharpen(pooled, args.thetaPower); // [B, K]
  const theta = (args.thetaFloor === 0 ? sharp : tf.add(tf.mul(sharp, 1 - args.thetaFloor), args.thetaFloor / K)) as tf.Tensor2D; // [B, K]
  const views = tf.matMul(w, features, true, false) as tf.Tensor3D; // [B, K, d]
  const viewNorms = tf.norm(views, 'euclidean', 2) as tf.Tensor2D; // [B, K]
  const vhat = tf.div(views, tf.add(viewNorms.expandDims(2), args.eps)); // [B, K, d]
  const wk = tf.sqrt(tf.add(theta, args.sqrtEps)); // [B, K]
  const codes = tf.mul(wk.expandDims(2), vhat).reshape([B, K * d]) as tf.Tensor2D; // [B, K·d]
  const topicCode = tf.matMul(theta, topics) as tf.Tensor2D; // [B, d]
  return { affinity, theta, views, viewNorms, codes, topicCode };
}

/** The `no-topics` ablation: attention-pooled embedding g. */
export function pooledLayer(features: tf.Tensor3D, alpha: tf.Tensor2D, eps: number): TopicOutputs {
  const [B, R] = features.shape;
  const g = tf.sum(tf.mul(alpha.expandDims(2), features), 1) as tf.Tensor2D; // [B, d]
  const gNorm = tf.norm(g, 'euclidean', 1, true); // [B, 1]
  return {
    affinity: tf.ones([B, R, 1]) as tf.Tensor3D,
    theta: tf.ones([B, 1]) as tf.Tensor2D,
    views: g.expandDims(1), // [B, 1, d]
    viewNorms: gNorm as tf.Tensor2D,
    codes: tf.div(g, tf.add(gNorm, eps)), // [B, d]
    topicCode: g,
  };
}
