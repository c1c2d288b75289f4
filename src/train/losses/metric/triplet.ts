/**
 * Triplet loss with semi-hard mining of the `triplet` baseline (docs/model.md §6.2), as FaceNet (Schroff et al. 2015)
 * and TensorFlow Addons' `triplet_semihard_loss`: every positive pair (a, p), a ≠ p, is an anchor–positive;
 * its negative n is the closest one farther than p (D_an > D_ap, "semi-hard"), or, when every negative is
 * at most as far as p, the farthest negative. L = mean over all positive pairs of [D_ap − D_an + m]₊,
 * m = 0.2, D = distance(embeddings) (Euclidean by default; unit-norm embeddings put D in [0, 2]).
 */
import * as tf from '../../../engine/tf.js';
import { euclideanDistances, type DistanceFn } from '../pairwise.js';

export interface TripletOptions {
  margin: number;
}

export const TRIPLET_DEFAULTS: TripletOptions = { margin: 0.2 };

/** Semi-hard triplets (a, p, n) of a distance matrix [B, B] (row-major) given the labels [B]. */
export function semiHardTriplets(
  dist: ArrayLike<number>,
  labels: Int32Array,
): { anchors: Int32Array; positives: Int32Array; negatives: Int32Array } {
  const B = labels.length;
  const a: number[] = [];
  const p: number[] = [];
  const n: number[] = [];
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < B; j++) {
      if (i === j || labels[i] !== labels[j]) continue;
      const dap = dist[i * B + j];
      let semi = -1;
      let far = -1;
      for (let k = 0; k < B; k++) {
        if (labels[k] === labels[i]) continue;
        const dan = dist[i * B + k];
        if (dan > dap && (semi < 0 || dan < dist[i * B + semi])) semi = k;
        if (far < 0 || dan > dist[i * B + far]) far = k;
      }
      if (far < 0) continue; // no negative in the batch
      a.push(i);
      p.push(j);
      n.push(semi >= 0 ? semi : far);
    }
  }
  return { anchors: Int32Array.from(a), positives: Int32Array.from(p), negatives: Int32Array.from(n) };
}

/** L of a batch of embeddings [B, D] with labels [B]; 0 (still on the tape) without any triplet. */
export function tripletLoss(
  embeddings: tf.Tensor2D,
  labels: Int32Array,
  opts: TripletOptions = TRIPLET_DEFAULTS,
  distance: DistanceFn = euclideanDistances,
): tf.Scalar {
  return tf.tidy(() => {
    const B = labels.length;
    const dist = distance(embeddings); // [B, B]
    // Mining is a selection (no gradient), done on the values; the chosen distances are then picked with
    // one-hot weights and a batched matmul (gather's gradient, UnsortedSegmentSum, is slow or missing on
    // some backends).
    const t = semiHardTriplets(dist.dataSync(), labels);
    if (t.anchors.length === 0) return tf.mul(tf.sum(dist), 0) as tf.Scalar;
    const pairs = new Float32Array(B * B); // [B, B] 1 at every mined (a, p)
    const pick = new Float32Array(B * B * B); // [B, B, B] 1 at (a, p, n)
    t.anchors.forEach((a, i) => {
      pairs[a * B + t.positives[i]] = 1;
      pick[(a * B + t.positives[i]) * B + t.negatives[i]] = 1;
    });
    const dan = tf.matMul(tf.tensor3d(pick, [B, B, B]), dist.expandDims(2)).reshape([B, B]); // [B, B] D_an per (a, p)
    const losses = tf.relu(tf.add(tf.sub(dist, dan), opts.margin)); // [B, B]
    return tf.div(tf.sum(tf.mul(losses, tf.tensor2d(pairs, [B, B]))), t.anchors.length) as tf.Scalar;
  });
}
