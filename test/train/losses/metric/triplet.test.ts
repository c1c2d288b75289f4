import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import * as tf from '../../../../src/engine/tf.js';
import { euclideanDistances } from '../../../../src/train/losses/pairwise.js';
import { semiHardTriplets, tripletLoss } from '../../../../src/train/losses/metric/triplet.js';
import { dist, matrix, unitRows } from './helpers.js';

/** TensorFlow Addons' triplet_semihard_loss as a loop: per positive pair, the semi-hard (or farthest) negative. */
function naive(D: number[][], labels: number[], margin: number): number {
  let sum = 0;
  let n = 0;
  for (let a = 0; a < D.length; a++) {
    for (let p = 0; p < D.length; p++) {
      if (a === p || labels[a] !== labels[p]) continue;
      const negs = D[a].filter((_, k) => labels[k] !== labels[a]);
      const outside = negs.filter((d) => d > D[a][p]);
      const dan = outside.length ? Math.min(...outside) : Math.max(...negs);
      sum += Math.max(0, D[a][p] - dan + margin);
      n++;
    }
  }
  return sum / n;
}

describe.each(['cpu', 'wasm'])('triplet loss with semi-hard mining (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('matches the naive loop for several batches and margins', () => {
    for (const [seed, labels] of [[1, [0, 0, 1, 1, 2, 2]], [2, [3, 1, 3, 3, 0, 1, 1, 0]]] as const) {
      const E = unitRows(seed, labels.length, 3);
      const D = matrix(E, dist);
      for (const margin of [0.2, 1]) {
        const got = tf.tidy(() => tripletLoss(tf.tensor2d(E), Int32Array.from(labels), { margin }).arraySync());
        expect(got).toBeCloseTo(naive(D, [...labels], margin), 4);
      }
    }
  });

  it('mines the closest negative farther than the positive, else the farthest negative', () => {
    // Anchor 0: positive 1 at distance 0.5; negatives 2 (0.3), 3 (0.7), 4 (0.9) → semi-hard 3.
    // Anchor 1: positive 0 at 0.5; negatives 2 (0.1), 3 (0.2), 4 (0.4) are all closer → farthest, 4.
    const B = 5;
    const d = new Float32Array(B * B);
    const set = (i: number, j: number, v: number) => ((d[i * B + j] = v), (d[j * B + i] = v));
    set(0, 1, 0.5);
    set(0, 2, 0.3);
    set(0, 3, 0.7);
    set(0, 4, 0.9);
    set(1, 2, 0.1);
    set(1, 3, 0.2);
    set(1, 4, 0.4);
    const t = semiHardTriplets(d, Int32Array.from([0, 0, 1, 1, 1]));
    const first = [...t.anchors].map((a, i) => [a, t.positives[i], t.negatives[i]]).slice(0, 2);
    expect(first).toEqual([[0, 1, 3], [1, 0, 4]]);
    expect(t.anchors.length).toBe(2 + 6); // positive pairs: (0,1),(1,0) and 6 among class 1
  });

  it('gives 0 on the tape without negatives, and finite gradients', () => {
    const E = unitRows(3, 4, 3);
    expect(tf.tidy(() => tripletLoss(tf.tensor2d(E), Int32Array.from([1, 1, 1, 1])).arraySync())).toBe(0);
    const labels = Int32Array.from([0, 0, 1, 1]);
    const g = tf.tidy(() => tf.grad((e: tf.Tensor) => tripletLoss(e as tf.Tensor2D, labels, { margin: 1 }, euclideanDistances))(tf.tensor2d(E)).arraySync() as number[][]);
    expect(g.flat().every(Number.isFinite)).toBe(true);
    expect(g.flat().some((v) => v !== 0)).toBe(true);
  });
});
