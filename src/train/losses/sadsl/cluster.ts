/**
 * Class-assigned topics (docs/model.md §7.4, eq. (35)), the cluster cost of ProtoPNet ("This looks like that",
 * Chen et al. 2019) carried over to SADSL's topics: topic k belongs to class k mod C, and each object is asked
 * to put its topic mass θ(x) on its own class's topics:
 *   L_cluster = mean_i −log Σ_{k ∈ T(y_i)} θ_k(x_i),   T(c) = {k : k ≡ c (mod m)},  m = min(K, C).
 * θ sums to 1, so the mass it keeps on T(y) is taken from the other classes' topics: ProtoPNet's separation
 * cost comes with it. With fewer topics than classes (K < C) topic c mod K is shared by the classes ≡ c.
 */
import * as tf from '../../../engine/tf.js';

const LOG_FLOOR = 1e-12;

/** The 0/1 ownership mask [C, K]: row c has a 1 at each topic k ≡ c (mod min(K, C)). */
export function topicOwnership(C: number, K: number): tf.Tensor2D {
  const m = Math.min(K, C);
  const mask = new Float32Array(C * K);
  for (let c = 0; c < C; c++) for (let k = c % m; k < K; k += m) mask[c * K + k] = 1;
  return tf.tensor2d(mask, [C, K]);
}

/** L_cluster of θ [B, K] (rows sum to 1) for labels in [0, C). */
export function clusterLoss(theta: tf.Tensor2D, labels: Int32Array, C: number): tf.Scalar {
  return tf.tidy(() => {
    const K = theta.shape[1];
    const own = tf.gather(topicOwnership(C, K), tf.tensor1d(labels, 'int32')); // [B, K]
    const kept = tf.sum(tf.mul(theta, own), 1); // [B]
    return tf.neg(tf.mean(tf.log(tf.maximum(kept, LOG_FLOOR)))) as tf.Scalar;
  });
}
