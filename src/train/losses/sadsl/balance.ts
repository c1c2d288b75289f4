/**
 * Topic balance (docs/model.md eq. (22)): L_bal = log K − H(θ̄), θ̄ = mean over the batch of θ [B, K],
 * H(p) = −Σ_k p_k log max(p_k, 1e-12) (the floor gives 0 log 0 = 0 and a finite gradient, as the reference).
 * Zero when the batch uses all K topics evenly; it stops every object collapsing onto one topic.
 */
import * as tf from '../../../engine/tf.js';

const LOG_FLOOR = 1e-12;

export function topicBalanceLoss(theta: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const K = theta.shape[1];
    const mean = tf.mean(theta, 0); // [K]
    const negEntropy = tf.sum(tf.mul(mean, tf.log(tf.maximum(mean, LOG_FLOOR))));
    return tf.add(negEntropy, Math.log(K)) as tf.Scalar;
  });
}
