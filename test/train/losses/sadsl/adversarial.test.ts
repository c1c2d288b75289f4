import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import * as tf from '../../../../src/engine/tf.js';
import { discriminatorLoss, generatorLoss } from '../../../../src/train/losses/sadsl/adversarial.js';

const logSigmoid = (l: number) => -Math.log(1 + Math.exp(-l));
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;

describe.each(['cpu', 'wasm'])('adversarial losses (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  const real = [2.1, -0.3, 0.7, -1.5];
  const fake = [-0.8, 0.4, -2.2];

  it('L_G = −mean log σ(D(fake))', () => {
    const got = tf.tidy(() => generatorLoss(tf.tensor1d(fake)).arraySync());
    expect(got).toBeCloseTo(-mean(fake.map(logSigmoid)), 5);
  });

  it('L_D = −mean log σ(D(x)) − mean log(1 − σ(D(fake)))', () => {
    const got = tf.tidy(() => discriminatorLoss(tf.tensor1d(real), tf.tensor1d(fake)).arraySync());
    const want = -mean(real.map(logSigmoid)) - mean(fake.map((l) => Math.log(1 - 1 / (1 + Math.exp(-l)))));
    expect(got).toBeCloseTo(want, 5);
  });

  it('stays finite and exact for saturated logits', () => {
    const g = tf.tidy(() => generatorLoss(tf.tensor1d([-200, 200])).arraySync());
    expect(g).toBeCloseTo(100, 3);
    const d = tf.tidy(() => discriminatorLoss(tf.tensor1d([200]), tf.tensor1d([300])).arraySync());
    expect(d).toBeCloseTo(300, 3);
    const grad = tf.tidy(() => tf.grad((l: tf.Tensor) => generatorLoss(l as tf.Tensor1D))(tf.tensor1d([-200])).arraySync());
    expect(grad).toEqual([-1]);
  });
});
