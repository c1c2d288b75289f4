/**
 * Contrastive (Siamese) loss of the `contrastive` baseline (docs/model.md §6.2), as pytorch-metric-learning's
 * `ContrastiveLoss` with its `AvgNonZeroReducer`, over all pairs i ≠ j of a batch:
 *   L = mean_{pos, loss > 0} [D_ij − m_pos]₊ + mean_{neg, loss > 0} [m_neg − D_ij]₊,
 * m_pos = 0, m_neg = 1, D = distance(embeddings) (Euclidean by default). Each mean divides by the pairs with
 * a non-zero loss (0 when there are none), so easy pairs do not dilute the gradient.
 */
import * as tf from '../../../engine/tf.js';
import { euclideanDistances, pairMasks, type DistanceFn } from '../pairwise.js';

export interface ContrastiveOptions {
  /** Positive pairs are pulled until their distance is at most this. */
  posMargin: number;
  /** Negative pairs are pushed until their distance is at least this. */
  negMargin: number;
}

export const CONTRASTIVE_DEFAULTS: ContrastiveOptions = { posMargin: 0, negMargin: 1 };

/** L of a batch of embeddings [B, D] with labels [B]. */
export function contrastiveLoss(
  embeddings: tf.Tensor2D,
  labels: Int32Array,
  opts: ContrastiveOptions = CONTRASTIVE_DEFAULTS,
  distance: DistanceFn = euclideanDistances,
): tf.Scalar {
  return tf.tidy(() => {
    const B = labels.length;
    const { pos, neg } = pairMasks(labels);
    const dist = distance(embeddings); // [B, B]
    // The non-zero counts are constants of the step (no gradient), read off the tape.
    const d = dist.dataSync();
    let nPos = 0;
    let nNeg = 0;
    for (let i = 0; i < B * B; i++) {
      if (pos[i] && d[i] > opts.posMargin) nPos++;
      if (neg[i] && d[i] < opts.negMargin) nNeg++;
    }
    const posLoss = tf.sum(tf.mul(tf.relu(tf.sub(dist, opts.posMargin)), tf.tensor2d(pos, [B, B])));
    const negLoss = tf.sum(tf.mul(tf.relu(tf.sub(opts.negMargin, dist)), tf.tensor2d(neg, [B, B])));
    return tf.add(tf.div(posLoss, Math.max(nPos, 1)), tf.div(negLoss, Math.max(nNeg, 1))) as tf.Scalar;
  });
}
