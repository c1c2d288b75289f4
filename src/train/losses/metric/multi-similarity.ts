/**
 * Multi-similarity loss of the `multi-similarity` baseline (docs/model.md §6.2), as Wang et al. 2019 and
 * pytorch-metric-learning's `MultiSimilarityLoss` + `MultiSimilarityMiner` (cosine similarity S):
 * mining keeps, for anchor i, the negatives with S_in + ε > min_p S_ip and the positives with
 * S_ip − ε < max_n S_in (none of either when the anchor has no positive or no negative); then
 *   L_i = (1/α) log(1 + Σ_{kept p} e^{−α(S_ip − λ)}) + (1/β) log(1 + Σ_{kept n} e^{β(S_in − λ)}),
 * L = mean over the B anchors; α = 2, β = 50, λ = 0.5, ε = 0.1. S = score(embeddings) (inner product of
 * unit-norm embeddings by default).
 */
import * as tf from '../../../engine/tf.js';
import { innerProductScores, type ScoreFn } from '../pairwise.js';
import { MASKED_LOGIT } from '../../../model/attention.js';

export interface MultiSimilarityOptions {
  alpha: number;
  beta: number;
  /** λ, the similarity the pairs are pushed away from. */
  base: number;
  /** ε of the miner. */
  epsilon: number;
}

export const MULTI_SIMILARITY_DEFAULTS: MultiSimilarityOptions = { alpha: 2, beta: 50, base: 0.5, epsilon: 0.1 };

/** 0/1 masks [B, B] of the mined positive and negative pairs of a score matrix [B, B] (row-major). */
export function multiSimilarityPairs(scores: ArrayLike<number>, labels: Int32Array, epsilon: number): { pos: Float32Array; neg: Float32Array } {
  const B = labels.length;
  const pos = new Float32Array(B * B);
  const neg = new Float32Array(B * B);
  for (let i = 0; i < B; i++) {
    let minPos = Infinity;
    let maxNeg = -Infinity;
    for (let j = 0; j < B; j++) {
      if (j === i) continue;
      const s = scores[i * B + j];
      if (labels[j] === labels[i]) minPos = Math.min(minPos, s);
      else maxNeg = Math.max(maxNeg, s);
    }
    for (let j = 0; j < B; j++) {
      if (j === i) continue;
      const s = scores[i * B + j];
      if (labels[j] === labels[i]) pos[i * B + j] = s - epsilon < maxNeg ? 1 : 0;
      else neg[i * B + j] = s + epsilon > minPos ? 1 : 0;
    }
  }
  return { pos, neg };
}

/** (1/scale) log(1 + Σ_j mask_ij e^{x_ij}) per row of x [B, B], stably (a 0 logit stands for the 1). */
function logOnePlusMaskedSum(x: tf.Tensor2D, mask: tf.Tensor2D, scale: number): tf.Tensor1D {
  const masked = tf.add(x, tf.mul(tf.sub(1, mask), MASKED_LOGIT)); // [B, B], MASKED_LOGIT where not mined
  const withOne = tf.concat([tf.zeros([x.shape[0], 1]), masked], 1); // [B, B + 1]
  return tf.div(tf.logSumExp(withOne, 1), scale) as tf.Tensor1D; // [B]
}

/** L of a batch of embeddings [B, D] with labels [B]. */
export function multiSimilarityLoss(
  embeddings: tf.Tensor2D,
  labels: Int32Array,
  opts: MultiSimilarityOptions = MULTI_SIMILARITY_DEFAULTS,
  score: ScoreFn = innerProductScores,
): tf.Scalar {
  return tf.tidy(() => {
    const B = labels.length;
    const S = score(embeddings); // [B, B]
    // Mining is a selection (no gradient), done on the values.
    const { pos, neg } = multiSimilarityPairs(S.dataSync(), labels, opts.epsilon);
    const shifted = tf.sub(S, opts.base) as tf.Tensor2D; // [B, B]
    const posTerm = logOnePlusMaskedSum(tf.mul(shifted, -opts.alpha), tf.tensor2d(pos, [B, B]), opts.alpha); // [B]
    const negTerm = logOnePlusMaskedSum(tf.mul(shifted, opts.beta), tf.tensor2d(neg, [B, B]), opts.beta); // [B]
    return tf.mean(tf.add(posTerm, negTerm)) as tf.Scalar;
  });
}
