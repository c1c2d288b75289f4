/**
 * Reconstruction loss, the generated-vs-real difference (docs/model.md eqs. (17)–(18)), with G(h(x), 0) rendered from the
 * object's topic code and zero noise:
 *   image:    L_rec = mean_{b,pixels} |x − G(h(x), 0)|
 *   document: L_rec = −mean_b Σ_w p_b(w) log G(h(x_b), 0)(w) / log V, p_b the normalised word counts,
 *             log G = log-softmax of G's logits
 *             (per-document sum over words, mean over documents, as the reference; / log V starts it near 1).
 */
import * as tf from '../../../engine/tf.js';

/** Mean absolute difference of real [B, H, W, C] and generated images of the same shape. */
export function imageReconstructionLoss(real: tf.Tensor, generated: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(real, generated))) as tf.Scalar);
}

/** Cross-entropy of the word distributions bow [B, V] (rows sum to 1) under softmax(logits) [B, V], / log V.
 *  Takes G's pre-softmax logits so the log-probabilities come from a stable log-softmax (never log 0). */
export function documentReconstructionLoss(bow: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const V = bow.shape[1];
    const perDoc = tf.sum(tf.mul(bow, tf.logSoftmax(logits)), 1); // [B]
    return tf.div(tf.neg(tf.mean(perDoc)), Math.log(V)) as tf.Scalar;
  });
}
