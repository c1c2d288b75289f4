/** The products wasm-threads.test.ts computes on the threaded wasm backend (in a child) and on cpu. */
import * as tf from '../../src/engine/tf.js';

/** A convolution and a product large enough for XNNPACK to split over threads, on fixed data. */
export function threadedCase(): { conv: Float32Array; mm: Float32Array } {
  return tf.tidy(() => {
    const x = tf.sin(tf.range(0, 4 * 28 * 28 * 8).reshape([4, 28, 28, 8])); // [B, H, W, Ci]
    const w = tf.cos(tf.range(0, 3 * 3 * 8 * 16).reshape([3, 3, 8, 16])); // [fh, fw, Ci, Co]
    const a = tf.sin(tf.range(0, 256 * 192).reshape([256, 192]).mul(0.37)); // [m, k]
    const b = tf.cos(tf.range(0, 192 * 128).reshape([192, 128]).mul(0.11)); // [k, n]
    const conv = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'); // [B, H, W, Co]
    return { conv: conv.dataSync() as Float32Array, mm: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).dataSync() as Float32Array };
  });
}
