import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import * as tf from '../../../../src/engine/tf.js';
import { clusterLoss, topicOwnership } from '../../../../src/train/losses/sadsl/cluster.js';

/** mean_i −log Σ_{k : k mod C = y_i} θ_ik, by loops. */
function naiveCluster(theta: number[][], y: number[], C: number): number {
  let sum = 0;
  theta.forEach((row, i) => {
    const kept = row.reduce((s, t, k) => (k % C === y[i] ? s + t : s), 0);
    sum -= Math.log(kept);
  });
  return sum / theta.length;
}

describe.each(['cpu', 'wasm'])('class-assigned topics (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('topic k belongs to class k mod C', () => {
    // C = 2, K = 5: class 0 owns topics 0, 2, 4; class 1 owns 1, 3.
    const m = tf.tidy(() => topicOwnership(2, 5).arraySync());
    expect(m).toEqual([
      [1, 0, 1, 0, 1],
      [0, 1, 0, 1, 0],
    ]);
  });

  it('L_cluster matches a naive loop', () => {
    const theta = [
      [0.1, 0.2, 0.3, 0.15, 0.25],
      [0.5, 0.1, 0.1, 0.2, 0.1],
      [0.05, 0.05, 0.8, 0.05, 0.05],
    ];
    const y = [1, 0, 2];
    // Hand value of the first row: class 1 of C = 3 owns topics 1, 4 → −log(0.2 + 0.25).
    expect(naiveCluster([theta[0]], [1], 3)).toBeCloseTo(-Math.log(0.45), 12);
    const got = tf.tidy(() => clusterLoss(tf.tensor2d(theta), Int32Array.from(y), 3).arraySync());
    expect(got).toBeCloseTo(naiveCluster(theta, y, 3), 5);
  });

  it('is 0 when every object puts all its mass on its class topics, and its gradient moves mass there', () => {
    const zero = tf.tidy(() => clusterLoss(tf.tensor2d([[0.7, 0, 0.3, 0]]), Int32Array.from([0]), 2).arraySync());
    expect(zero).toBeCloseTo(0, 6);
    // Gradient w.r.t. θ of row i: −own_k / (B · kept_i); zero on the other classes' topics.
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => clusterLoss(t as tf.Tensor2D, Int32Array.from([1]), 2))(tf.tensor2d([[0.25, 0.25, 0.25, 0.25]])).arraySync()) as number[][];
    expect(g[0][0]).toBeCloseTo(0, 6);
    expect(g[0][1]).toBeCloseTo(-2, 5);
    expect(g[0][3]).toBeCloseTo(-2, 5);
  });

  it('with fewer topics than classes, class c owns topic c mod K', () => {
    // C = 5, K = 2: classes 0, 2, 4 → topic 0; classes 1, 3 → topic 1.
    const m = tf.tidy(() => topicOwnership(5, 2).arraySync());
    expect(m).toEqual([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('does not leak tensors', () => {
    const theta = tf.softmax(tf.randomNormal([4, 6])) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    clusterLoss(theta, Int32Array.from([0, 1, 2, 0]), 3).dispose();
    expect(tf.memory().numTensors).toBe(before);
    theta.dispose();
  });
});
