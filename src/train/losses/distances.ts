/**
 * Pairwise distances for the learned baselines' losses (issue 5), as pytorch-metric-learning's default
 * `LpDistance` (p = 2, power 1): D_ij = ‖e_i − e_j‖. The losses take the distance as a parameter.
 */
import * as tf from '../../engine/tf.js';

/** Pairwise distances D [B, B] of a batch of embeddings [B, D]. */
export type DistanceFn = (embeddings: tf.Tensor2D) => tf.Tensor2D;

/** Euclidean distances; the squared distance is clamped at 1e-12 so the square root's gradient stays finite at 0. */
export const euclideanDistances: DistanceFn = (e) =>
  tf.tidy(() => {
    const sq = tf.sum(tf.square(e), 1, true); // [B, 1]
    const d2 = tf.add(tf.sub(sq, tf.mul(tf.matMul(e, e, false, true), 2)), tf.transpose(sq)); // [B, B]
    return tf.sqrt(tf.maximum(d2, 1e-12)) as tf.Tensor2D;
  });
