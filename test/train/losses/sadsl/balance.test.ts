import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import { Rng } from '../../../../src/engine/random.js';
import * as tf from '../../../../src/engine/tf.js';
import { topicBalanceLoss } from '../../../../src/train/losses/sadsl/balance.js';

function naive(theta: number[][]): number {
  const K = theta[0].length;
  let h = 0;
  for (let k = 0; k < K; k++) {
    const m = theta.reduce((s, row) => s + row[k], 0) / theta.length;
    h -= m * Math.log(Math.max(m, 1e-12));
  }
  return Math.log(K) - h;
}

describe.each(['cpu', 'wasm'])('topic balance loss (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('matches log K − H(mean θ)', () => {
    const rng = new Rng(7);
    const theta = Array.from({ length: 5 }, () => {
      const w = Array.from(rng.uniformArray(4, 0, 1)).map((x) => x * x * x);
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / s);
    });
    const got = tf.tidy(() => topicBalanceLoss(tf.tensor2d(theta)).arraySync());
    expect(got).toBeCloseTo(naive(theta), 5);
  });

  it('is 0 for an evenly used batch and log K when all objects sit on one topic', () => {
    const even = tf.tidy(() => topicBalanceLoss(tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]])).arraySync());
    expect(even).toBeCloseTo(0, 5);
    const collapsed = tf.tidy(() => topicBalanceLoss(tf.tensor2d([[0, 1, 0], [0, 1, 0]])).arraySync());
    expect(collapsed).toBeCloseTo(Math.log(3), 5);
    const g = tf.tidy(() =>
      tf.grad((t: tf.Tensor) => topicBalanceLoss(t as tf.Tensor2D))(tf.tensor2d([[0, 1, 0], [0, 1, 0]])).dataSync(),
    );
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});
