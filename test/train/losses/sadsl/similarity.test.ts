import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import { Rng } from '../../../../src/engine/random.js';
import * as tf from '../../../../src/engine/tf.js';
import { innerProductScores, pairMasks, type ScoreFn } from '../../../../src/train/losses/pairwise.js';
import { binomialDeviance, similarityLoss } from '../../../../src/train/losses/sadsl/similarity.js';

const OPTS = { beta: 10, margin: 0.5 };

/** docs/model.md eq. (16) as a plain double loop over pairs i ≠ j. */
function naiveDeviance(S: number[][], labels: ArrayLike<number>, beta: number, margin: number): number {
  let pos = 0;
  let nPos = 0;
  let neg = 0;
  let nNeg = 0;
  for (let i = 0; i < S.length; i++) {
    for (let j = 0; j < S.length; j++) {
      if (i === j) continue;
      if (labels[i] === labels[j]) {
        pos += Math.log(1 + Math.exp(-beta * (S[i][j] - margin)));
        nPos++;
      } else {
        neg += Math.log(1 + Math.exp(beta * (S[i][j] - margin)));
        nNeg++;
      }
    }
  }
  return (nPos ? pos / nPos : 0) + (nNeg ? neg / nNeg : 0);
}

function unitCodes(rng: Rng, B: number, D: number): number[][] {
  return Array.from({ length: B }, () => {
    const v = Array.from(rng.normalArray(D));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

describe.each(['cpu', 'wasm'])('similarity loss (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('pairMasks counts pairs i ≠ j by label', () => {
    const m = pairMasks(Int32Array.from([0, 0, 1, 1, 1]));
    expect(m.nPos).toBe(2 + 6);
    expect(m.nNeg).toBe(12);
    expect(m.pos[0]).toBe(0); // the diagonal is neither
    expect(m.neg[0]).toBe(0);
    expect(m.pos[1]).toBe(1);
    expect(m.neg[2]).toBe(1);
  });

  it('matches the naive loop on S = Z Zᵀ (balanced and unbalanced labels)', () => {
    const rng = new Rng(1);
    for (const labels of [Int32Array.from([0, 0, 1, 1, 2, 2]), Int32Array.from([3, 1, 3, 3, 0, 1, 1])]) {
      const Z = unitCodes(rng, labels.length, 5);
      const S = Z.map((a) => Z.map((b) => dot(a, b)));
      const got = tf.tidy(() => similarityLoss(tf.tensor2d(Z), labels, OPTS).arraySync());
      expect(got).toBeCloseTo(naiveDeviance(S, labels, 10, 0.5), 4);
    }
  });

  it('uses an injected score function', () => {
    const rng = new Rng(2);
    const labels = Int32Array.from([0, 1, 0, 1]);
    const Z = unitCodes(rng, 4, 3);
    const negDist: ScoreFn = (c) =>
      tf.tidy(() => tf.neg(tf.sum(tf.square(tf.sub(tf.expandDims(c, 1), tf.expandDims(c, 0))), 2)) as tf.Tensor2D);
    const S = Z.map((a) => Z.map((b) => -a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0)));
    const got = tf.tidy(() => similarityLoss(tf.tensor2d(Z), labels, { beta: 2, margin: -1 }, negDist).arraySync());
    expect(got).toBeCloseTo(naiveDeviance(S, labels, 2, -1), 4);
    const ip = tf.tidy(() => innerProductScores(tf.tensor2d(Z)).arraySync());
    expect(ip[1][2]).toBeCloseTo(dot(Z[1], Z[2]), 5);
  });

  it('gradient w.r.t. S is the analytic one and zero on the diagonal', () => {
    const labels = Int32Array.from([0, 0, 1, 1]);
    const S = [
      [1, 0.3, -0.2, 0.9],
      [0.3, 1, 0.6, 0.1],
      [-0.2, 0.6, 1, 0.4],
      [0.9, 0.1, 0.4, 1],
    ];
    const g = tf.tidy(() =>
      tf.grad((s: tf.Tensor) => binomialDeviance(s as tf.Tensor2D, labels, OPTS))(tf.tensor2d(S)).arraySync(),
    ) as number[][];
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const want =
          i === j
            ? 0
            : labels[i] === labels[j]
              ? (-10 * sig(-10 * (S[i][j] - 0.5))) / 4
              : (10 * sig(10 * (S[i][j] - 0.5))) / 8;
        expect(g[i][j]).toBeCloseTo(want, 4);
      }
    }
  });

  it('stays finite for extreme scores and drops an empty term', () => {
    const labels = Int32Array.from([0, 1]);
    const v = tf.tidy(() => binomialDeviance(tf.tensor2d([[1, 100], [100, 1]]), labels, OPTS).arraySync());
    expect(v).toBeCloseTo(995, 1); // softplus(10·99.5), no positive pairs
    const w = tf.tidy(() => binomialDeviance(tf.tensor2d([[1, -100], [-100, 1]]), labels, OPTS).arraySync());
    expect(w).toBeGreaterThanOrEqual(0);
    expect(w).toBeLessThan(1e-30);
  });

  it('leaves no tensors behind', () => {
    const z = tf.tensor2d(unitCodes(new Rng(3), 4, 3));
    const before = tf.memory().numTensors;
    similarityLoss(z, Int32Array.from([0, 0, 1, 1]), OPTS).dispose();
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
  });
});
