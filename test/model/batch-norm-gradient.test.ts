/**
 * BatchNorm's closed-form training gradient (src/model/layers.ts) against tfjs differentiating the
 * reference formula moments + batchNorm, on cpu and on wasm, for 2-D and NHWC inputs with learned γ, β.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import * as tf from '../../src/engine/tf.js';
import { BatchNorm } from '../../src/model/layers.js';
import { ParamStore } from '../../src/model/params.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

const rng = new Rng(11);

/** Max |a − b| relative to the largest |b| (at least 1). */
function relError(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

describe('BatchNorm training gradient', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const shape of [[6, 3], [2, 5, 4, 3]]) {
      it(`${backend}, x [${shape}]: value and ∂x, ∂γ, ∂β equal tfjs's own gradient of moments + batchNorm`, async () => {
        await tf.setBackend(backend);
        const C = shape[shape.length - 1];
        const n = shape.reduce((a, b) => a * b, 1);
        const store = new ParamStore(new Rng(1));
        const bn = new BatchNorm(store, 'bn', { channels: C });
        bn.weight.assign(tf.tensor1d([1.5, -0.5, 2]));
        bn.bias.assign(tf.tensor1d([0.1, 0.2, -0.3]));
        const x = tf.tensor(Array.from(rng.normalArray(n), (v, i) => v * 2 + (i % C)), shape);
        const w = tf.tensor(rng.normalArray(n), shape); // a loss that weighs every output differently
        const loss = (y: tf.Tensor) => tf.sum(tf.mul(tf.square(y), w));
        const axes = shape.slice(0, -1).map((_, i) => i);
        const reference = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(xx, axes);
          return loss(tf.batchNorm(xx, mean, variance, b, g, 1e-5));
        };
        const ref = tf.grads(reference)([x, bn.weight, bn.bias]);
        const got = tf.variableGrads(() => loss(bn.apply(x, true)) as tf.Scalar, [bn.weight, bn.bias]);
        const gotX = tf.grad((xx: tf.Tensor) => loss(bn.apply(xx, true)))(x);
        const value = tf.tidy(() => bn.apply(x, true));
        const refValue = tf.tidy(() => {
          const { mean, variance } = tf.moments(x, axes);
          return tf.batchNorm(x, mean, variance, bn.bias, bn.weight, 1e-5);
        });
        expect(Array.from(value.dataSync())).toEqual(Array.from(refValue.dataSync()));
        expect(relError(gotX.dataSync() as Float32Array, ref[0].dataSync() as Float32Array)).toBeLessThan(1e-4);
        expect(relError(got.grads[bn.weight.name].dataSync() as Float32Array, ref[1].dataSync() as Float32Array)).toBeLessThan(1e-4);
        expect(relError(got.grads[bn.bias.name].dataSync() as Float32Array, ref[2].dataSync() as Float32Array)).toBeLessThan(1e-4);
        tf.dispose([x, w, value, refValue, gotX, got.value, ...ref, ...Object.values(got.grads)]);
        store.dispose();
      });
    }
  }
});
