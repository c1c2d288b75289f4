/**
 * Similarity loss (docs/model.md eq. (16)): binomial deviance over all pairs i ≠ j of a batch,
 *   L_sim = mean_pos log(1 + e^{−β(S_ij − λ)}) + mean_neg log(1 + e^{β(S_ij − λ)}),
 * pos = same label and i ≠ j, neg = different label, S = score(codes) (SADSL: S = Z Zᵀ), β = 10, λ = 0.5.
 * The score function is a parameter so baselines can reuse the loss with another similarity.
 * A batch without positive (or negative) pairs contributes 0 for that term instead of the empty mean's NaN.
 */
import * as tf from '../../../engine/tf.js';
import { innerProductScores, pairMasks, type ScoreFn } from '../pairwise.js';

export interface DevianceOptions {
  /** Scale β. */
  beta: number;
  /** Margin λ. */
  margin: number;
}

/** Binomial deviance of a score matrix S [B, B] given the labels [B]. */
export function binomialDeviance(scores: tf.Tensor2D, labels: Int32Array, opts: DevianceOptions): tf.Scalar {
  return tf.tidy(() => {
    const B = labels.length;
    const { pos, neg, nPos, nNeg } = pairMasks(labels);
    const shifted = tf.sub(scores, opts.margin); // [B, B]
    // tf.softplus is the stable form (x for large x, e^x for very negative x) on cpu and wasm.
    const posTerm = tf.sum(tf.mul(tf.softplus(tf.mul(shifted, -opts.beta)), tf.tensor2d(pos, [B, B])));
    const negTerm = tf.sum(tf.mul(tf.softplus(tf.mul(shifted, opts.beta)), tf.tensor2d(neg, [B, B])));
    return tf.add(tf.div(posTerm, Math.max(nPos, 1)), tf.div(negTerm, Math.max(nNeg, 1))) as tf.Scalar;
  });
}

/** L_sim of a batch of codes [B, D] with labels [B]; S = score(codes). */
export function similarityLoss(
  codes: tf.Tensor2D,
  labels: Int32Array,
  opts: DevianceOptions,
  score: ScoreFn = innerProductScores,
): tf.Scalar {
  return tf.tidy(() => binomialDeviance(score(codes), labels, opts));
}
