/**
 * Softmax cross-entropy of the `softmax` baseline (docs/model.md §6.2): a classifier on the embedding is trained on
 * the class labels and the embedding is used for retrieval. L = mean_i −log softmax(logits_i)[y_i]; the
 * logits come from the caller's classifier.
 */
import * as tf from '../../../engine/tf.js';
import { ArgumentError } from '../../../errors.js';

/** L of logits [B, C] with labels [B] in 0..C-1. */
export function softmaxLoss(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
  const [B, C] = logits.shape;
  if (labels.length !== B) throw new ArgumentError(`softmaxLoss: ${labels.length} labels for ${B} rows`);
  for (const y of labels) if (y < 0 || y >= C) throw new ArgumentError(`softmaxLoss: label ${y} outside 0..${C - 1}`);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits); // [B, C]
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), C); // [B, C]
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
  });
}
