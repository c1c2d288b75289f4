/**
 * The gradient of `LeakyRelu` as dy · step(x, α) (step(x, α) = 1 where x > 0, else α): two fast
 * element-wise kernels. tfjs' own where(x > 0, dy, dy·α) needs a scalar-broadcast Greater and Multiply and
 * a Select, which on wasm cost ~5× more (the encoder and D apply LeakyReLU to every activation).
 * Same values on every backend (they differ only where x is NaN).
 */
import * as tf from '../tf.js';

export const leakyReluGrad: tf.GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved;
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    return { x: () => tf.mul(dy as tf.Tensor, tf.step(x, alpha)) };
  },
};
