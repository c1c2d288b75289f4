/**
 * Prototype terms (spec v3, docs/model.md §7: eqs. (29)–(33)). Each class c has a learned prototype code p_c ∈ R^{K·d}; p̂_c = p_c / ‖p_c‖ is a
 * code like an object's, so ⟨z(x), p̂_c⟩ = Σ_k √(θ_k(x) π_{c,k}) ⟨v̂_k(x), p̂_{c,k}/‖p̂_{c,k}‖⟩ is the similarity of
 * x to the class prototype under the topics, with π_{c,k} = ‖p̂_{c,k}‖² the prototype's topic strengths.
 *   L_proto = mean_i −log softmax_c(⟨z_i, p̂_c⟩ / T)[y_i]           (NormSoftmax, Zhai & Wu 2019)
 *   L_psharp = mean_c H(π_c) / log K                                  (prototypes concentrate on few topics)
 *   L_pbal   = log K − H(mean_c π_c)                                  (prototypes cover all topics)
 */
import * as tf from '../../../engine/tf.js';
import { unitRows } from '../../../model/layers.js';
import { softmaxLoss } from '../metric/softmax.js';

const LOG_FLOOR = 1e-12;

/** L_proto of codes [B, D] against prototypes [C, D]. */
export function prototypeLoss(codes: tf.Tensor2D, prototypes: tf.Tensor2D, labels: Int32Array, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const logits = tf.div(tf.matMul(codes, unitRows(prototypes), false, true), temperature) as tf.Tensor2D; // [B, C]
    return softmaxLoss(logits, labels);
  });
}

/** The prototypes' topic strengths π [C, K]: block energies of p̂_c (rows sum to 1). */
export function prototypeTopics(prototypes: tf.Tensor2D, K: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [C, D] = prototypes.shape;
    const blocks = unitRows(prototypes).reshape([C, K, D / K]); // [C, K, d]
    return tf.sum(tf.square(blocks), 2) as tf.Tensor2D; // [C, K]
  });
}

function entropyRows(p: tf.Tensor2D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, LOG_FLOOR))), 1)) as tf.Tensor1D; // [rows]
}

/** Mean normalised entropy of the rows of a row-stochastic matrix p [n, K]: mean_i H(p_i) / log K. */
export function meanEntropyLoss(p: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(tf.mean(entropyRows(p)), Math.log(p.shape[1])) as tf.Scalar);
}
