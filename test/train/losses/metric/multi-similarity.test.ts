import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import * as tf from '../../../../src/engine/tf.js';
import { multiSimilarityLoss, multiSimilarityPairs } from '../../../../src/train/losses/metric/multi-similarity.js';
import type { ScoreFn } from '../../../../src/train/losses/pairwise.js';
import { dot, matrix, unitRows } from './helpers.js';

/** Multi-similarity loss with its miner (Wang et al. 2019; pytorch-metric-learning) as a loop over anchors. */
function naive(S: number[][], labels: number[], o = { alpha: 2, beta: 50, base: 0.5, epsilon: 0.1 }): number {
  let total = 0;
  for (let i = 0; i < S.length; i++) {
    const others = S[i].map((s, j) => ({ s, j })).filter(({ j }) => j !== i);
    const P = others.filter(({ j }) => labels[j] === labels[i]).map(({ s }) => s);
    const N = others.filter(({ j }) => labels[j] !== labels[i]).map(({ s }) => s);
    const minPos = Math.min(...P);
    const maxNeg = Math.max(...N);
    const keptP = P.filter((s) => s - o.epsilon < maxNeg);
    const keptN = N.filter((s) => s + o.epsilon > minPos);
    total += Math.log(1 + keptP.reduce((a, s) => a + Math.exp(-o.alpha * (s - o.base)), 0)) / o.alpha;
    total += Math.log(1 + keptN.reduce((a, s) => a + Math.exp(o.beta * (s - o.base)), 0)) / o.beta;
  }
  return total / S.length;
}

describe.each(['cpu', 'wasm'])('multi-similarity loss (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('matches the naive loop (cosine similarity of unit embeddings)', () => {
    for (const [seed, labels] of [[1, [0, 0, 1, 1, 2, 2]], [4, [3, 1, 3, 3, 0, 1, 1, 0]]] as const) {
      const E = unitRows(seed, labels.length, 3);
      const got = tf.tidy(() => multiSimilarityLoss(tf.tensor2d(E), Int32Array.from(labels)).arraySync());
      expect(got).toBeCloseTo(naive(matrix(E, dot), [...labels]), 4);
    }
  });

  it('mines only informative pairs', () => {
    // Anchor 0: positive 1 at 0.9, negatives 2 at 0.85 (kept: 0.85 + 0.1 > 0.9) and 3 at 0.1 (dropped);
    // positive kept since 0.9 − 0.1 < 0.85.
    const S = [
      [1, 0.9, 0.85, 0.1],
      [0.9, 1, 0.2, 0.3],
      [0.85, 0.2, 1, 0.5],
      [0.1, 0.3, 0.5, 1],
    ];
    const { pos, neg } = multiSimilarityPairs(S.flat(), Int32Array.from([0, 0, 1, 1]), 0.1);
    expect(Array.from(pos.slice(0, 4))).toEqual([0, 1, 0, 0]);
    expect(Array.from(neg.slice(0, 4))).toEqual([0, 0, 1, 0]);
    // Anchor 1: positive 0 at 0.9 is far above every negative (max 0.3): dropped, and no negative reaches 0.8.
    expect(Array.from(pos.slice(4, 8))).toEqual([0, 0, 0, 0]);
    expect(Array.from(neg.slice(4, 8))).toEqual([0, 0, 0, 0]);
  });

  it('uses an injected score and has finite gradients', () => {
    const labels = [0, 1, 0, 1, 2, 2];
    const E = unitRows(5, labels.length, 4);
    const halfScore: ScoreFn = (c) => tf.tidy(() => tf.mul(tf.matMul(c, c, false, true), 0.5) as tf.Tensor2D);
    const S = matrix(E, (a, b) => dot(a, b) / 2);
    const y = Int32Array.from(labels);
    expect(tf.tidy(() => multiSimilarityLoss(tf.tensor2d(E), y, { alpha: 2, beta: 50, base: 0.5, epsilon: 0.1 }, halfScore).arraySync())).toBeCloseTo(naive(S, labels), 4);
    const g = tf.tidy(() => tf.grad((e: tf.Tensor) => multiSimilarityLoss(e as tf.Tensor2D, y))(tf.tensor2d(E)).arraySync() as number[][]);
    expect(g.flat().every(Number.isFinite)).toBe(true);
  });
});
