/**
 * Non-saturating adversarial losses (docs/model.md eqs. (19)–(20)), on discriminator logits:
 *   L_G = −mean log σ(D(G(h(x), z)))                               = mean softplus(−D(fake))
 *   L_D = −mean log σ(D(x)) − mean log(1 − σ(D(G(h(x), z))))       = mean softplus(−D(real)) + mean softplus(D(fake))
 * using −log σ(l) = softplus(−l) and −log(1 − σ(l)) = softplus(l), which stay finite for any logit.
 */
import * as tf from '../../../engine/tf.js';

/** L_G from the discriminator's logits on generated objects [B]. */
export function generatorLoss(fakeLogits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(fakeLogits))) as tf.Scalar);
}

/** L_D from the logits on real [B] and on generated [B'] objects. */
export function discriminatorLoss(realLogits: tf.Tensor1D, fakeLogits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () => tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar,
  );
}
