import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import { Rng } from '../../../../src/engine/random.js';
import * as tf from '../../../../src/engine/tf.js';
import { topicDiversityLoss } from '../../../../src/train/losses/sadsl/diversity.js';

function naive(T: number[][]): number {
  const K = T.length;
  const U = T.map((t) => {
    const n = Math.hypot(...t);
    return t.map((x) => x / n);
  });
  let s = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const g = U[i].reduce((a, x, k) => a + x * U[j][k], 0);
      s += (g - (i === j ? 1 : 0)) ** 2;
    }
  }
  return s / (K * K);
}

describe.each(['cpu', 'wasm'])('topic diversity loss (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('matches the naive ‖T̂T̂ᵀ − I‖²_F / K²', () => {
    const rng = new Rng(6);
    const T = Array.from({ length: 4 }, () => Array.from(rng.normalArray(6, 3)));
    const got = tf.tidy(() => topicDiversityLoss(tf.tensor2d(T)).arraySync());
    expect(got).toBeCloseTo(naive(T), 5);
  });

  it('is 0 for orthogonal topics of any length and (K² − K)/K² for identical ones', () => {
    const ortho = tf.tidy(() => topicDiversityLoss(tf.tensor2d([[3, 0, 0], [0, 0.1, 0], [0, 0, -7]])).arraySync());
    expect(ortho).toBeCloseTo(0, 6);
    const same = tf.tidy(() => topicDiversityLoss(tf.tensor2d([[1, 2], [1, 2], [1, 2]])).arraySync());
    expect(same).toBeCloseTo(6 / 9, 5);
  });

  it('has a finite gradient with a zero topic', () => {
    const g = tf.tidy(() =>
      tf.grad((t: tf.Tensor) => topicDiversityLoss(t as tf.Tensor2D))(tf.tensor2d([[0, 0], [1, 1]])).dataSync(),
    );
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});
