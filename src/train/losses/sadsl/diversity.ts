/**
 * Topic diversity (docs/model.md eq. (21)): L_div = ‖T̂ T̂ᵀ − I‖²_F / K², T̂ the row-normalised topic matrix [K, d].
 * Zero when the topics are pairwise orthogonal; it keeps them from collapsing onto each other.
 */
import * as tf from '../../../engine/tf.js';

/** Squared norm floor of the row normalisation (‖t‖ ≥ 1e-12, as torch's F.normalize). */
const NORM2_FLOOR = 1e-24;

export function topicDiversityLoss(topics: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const K = topics.shape[0];
    // t / max(‖t‖, 1e-12) via rsqrt of the floored squared norm: finite gradient even for a zero row.
    const unit = tf.mul(topics, tf.rsqrt(tf.maximum(tf.sum(tf.square(topics), 1, true), NORM2_FLOOR))); // [K, d]
    const gram = tf.matMul(unit, unit, false, true); // [K, K]
    return tf.div(tf.sum(tf.square(tf.sub(gram, tf.eye(K)))), K * K) as tf.Scalar;
  });
}
