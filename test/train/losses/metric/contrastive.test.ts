import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import * as tf from '../../../../src/engine/tf.js';
import { contrastiveLoss } from '../../../../src/train/losses/metric/contrastive.js';
import type { DistanceFn } from '../../../../src/train/losses/pairwise.js';
import { dist, matrix, unitRows } from './helpers.js';

/** pytorch-metric-learning's ContrastiveLoss + AvgNonZeroReducer, as a loop over pairs i ≠ j. */
function naive(D: number[][], labels: number[], posMargin: number, negMargin: number): number {
  let pos = 0;
  let nPos = 0;
  let neg = 0;
  let nNeg = 0;
  for (let i = 0; i < D.length; i++) {
    for (let j = 0; j < D.length; j++) {
      if (i === j) continue;
      if (labels[i] === labels[j]) {
        const l = Math.max(0, D[i][j] - posMargin);
        pos += l;
        if (l > 0) nPos++;
      } else {
        const l = Math.max(0, negMargin - D[i][j]);
        neg += l;
        if (l > 0) nNeg++;
      }
    }
  }
  return (nPos ? pos / nPos : 0) + (nNeg ? neg / nNeg : 0);
}

describe.each(['cpu', 'wasm'])('contrastive loss (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('matches the naive loop with the default and other margins', () => {
    const labels = [0, 0, 1, 1, 2, 2, 0];
    const E = unitRows(1, labels.length, 4);
    const D = matrix(E, dist);
    const y = Int32Array.from(labels);
    expect(tf.tidy(() => contrastiveLoss(tf.tensor2d(E), y).arraySync())).toBeCloseTo(naive(D, labels, 0, 1), 4);
    const got = tf.tidy(() => contrastiveLoss(tf.tensor2d(E), y, { posMargin: 0.9, negMargin: 1.3 }).arraySync());
    expect(got).toBeCloseTo(naive(D, labels, 0.9, 1.3), 4);
  });

  it('is 0 when positives coincide and negatives are farther than the margin', () => {
    const E = [[1, 0], [1, 0], [-1, 0], [-1, 0]];
    expect(tf.tidy(() => contrastiveLoss(tf.tensor2d(E), Int32Array.from([0, 0, 1, 1])).arraySync())).toBeCloseTo(0, 5);
  });

  it('uses an injected distance and has finite gradients', () => {
    const labels = Int32Array.from([0, 1, 0, 1]);
    const E = unitRows(2, 4, 3);
    const half: DistanceFn = (e) => tf.tidy(() => tf.mul(tf.sqrt(tf.maximum(tf.sum(tf.square(tf.sub(e.expandDims(1), e.expandDims(0))), 2), 1e-12)), 0.5) as tf.Tensor2D);
    const D = matrix(E, (a, b) => dist(a, b) / 2);
    expect(tf.tidy(() => contrastiveLoss(tf.tensor2d(E), labels, { posMargin: 0, negMargin: 1 }, half).arraySync())).toBeCloseTo(naive(D, [0, 1, 0, 1], 0, 1), 4);
    const g = tf.tidy(() => tf.grad((e: tf.Tensor) => contrastiveLoss(e as tf.Tensor2D, labels))(tf.tensor2d(E)).arraySync() as number[][]);
    expect(g.flat().every(Number.isFinite)).toBe(true);
    expect(g.flat().some((v) => v !== 0)).toBe(true);
  });
});
