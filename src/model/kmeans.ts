/**
 * Lloyd's k-means for the topic initialisation (docs/model.md §3.3): centres start at K distinct random points
 * (drawn from the Rng), each step assigns every point to its nearest centre (squared Euclidean) and
 * moves each centre to the mean of its points; a centre with no points keeps its position (as the reference).
 */
import * as tf from '../engine/tf.js';
import type { Rng } from '../engine/random.js';
import { ArgumentError } from '../errors.js';

/** K distinct indices of [0, n), uniformly at random (partial Fisher–Yates). */
function sampleDistinct(n: number, k: number, rng: Rng): number[] {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return Array.from(idx.subarray(0, k));
}

/** points [N, d] → centres [K, d] after `iterations` Lloyd steps. The caller disposes the result. */
export function kmeans(points: tf.Tensor2D, K: number, iterations: number, rng: Rng): tf.Tensor2D {
  const N = points.shape[0];
  if (N < K) throw new ArgumentError(`k-means: ${N} points cannot make ${K} clusters (use more objects)`);
  const first = sampleDistinct(N, K, rng);
  let centres = tf.tidy(() => tf.gather(points, first)) as tf.Tensor2D; // [K, d]
  const x2 = tf.tidy(() => tf.sum(tf.square(points), 1, true)); // [N, 1]
  for (let it = 0; it < iterations; it++) {
    const next = tf.tidy(() => {
      const c2 = tf.sum(tf.square(centres), 1).expandDims(0); // [1, K]
      const d2 = tf.add(tf.sub(x2, tf.mul(tf.matMul(points, centres, false, true), 2)), c2); // [N, K]
      const onehot = tf.oneHot(tf.argMin(d2, 1), K).toFloat(); // [N, K]
      const sums = tf.matMul(onehot, points, true, false); // [K, d]
      const counts = tf.sum(onehot, 0).expandDims(1); // [K, 1]
      const means = tf.div(sums, tf.maximum(counts, 1));
      return tf.where(tf.greater(counts, 0).tile([1, centres.shape[1]]), means, centres) as tf.Tensor2D;
    });
    centres.dispose();
    centres = next;
  }
  x2.dispose();
  return centres;
}
