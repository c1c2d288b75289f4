/**
 * Pairwise scores, distances and pair masks of a batch, shared by SADSL's losses (`sadsl/`) and the learned
 * baselines' losses (`metric/`). The distances are pytorch-metric-learning's default `LpDistance` (p = 2,
 * power 1): D_ij = ‖e_i − e_j‖; the losses take the score or distance as a parameter.
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

/** Pairwise scores S [B, B] of a batch of codes [B, D]. */
export type ScoreFn = (codes: tf.Tensor2D) => tf.Tensor2D;

/** SADSL's score s(x, y) = ⟨z(x), z(y)⟩ (docs/model.md eq. (12)). */
export const innerProductScores: ScoreFn = (codes) => tf.matMul(codes, codes, false, true);

/** 0/1 masks [B, B] of the positive (same label, i ≠ j) and negative pairs, and their counts. */
export function pairMasks(labels: Int32Array): { pos: Float32Array; neg: Float32Array; nPos: number; nNeg: number } {
  const B = labels.length;
  const pos = new Float32Array(B * B);
  const neg = new Float32Array(B * B);
  let nPos = 0;
  let nNeg = 0;
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < B; j++) {
      if (i === j) continue;
      if (labels[i] === labels[j]) {
        pos[i * B + j] = 1;
        nPos++;
      } else {
        neg[i * B + j] = 1;
        nNeg++;
      }
    }
  }
  return { pos, neg, nPos, nNeg };
}
