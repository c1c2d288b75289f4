import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import { Rng } from '../../../../src/engine/random.js';
import * as tf from '../../../../src/engine/tf.js';
import { meanEntropyLoss, prototypeLoss, prototypeTopics } from '../../../../src/train/losses/sadsl/prototype.js';

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** mean_i −log softmax_c(⟨z_i, p_c/‖p_c‖⟩ / T)[y_i], by loops. */
function naiveProto(z: number[][], p: number[][], y: number[], T: number): number {
  let sum = 0;
  z.forEach((zi, i) => {
    const logits = p.map((pc) => zi.reduce((s, x, j) => s + (x * pc[j]) / norm(pc), 0) / T);
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, l) => s + Math.exp(l - m), 0));
    sum += lse - logits[y[i]];
  });
  return sum / z.length;
}

describe.each(['cpu', 'wasm'])('prototype terms (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('L_proto matches a naive loop over objects and classes', () => {
    const rng = new Rng(3);
    const z = Array.from({ length: 5 }, () => Array.from(rng.normalArray(6)));
    const p = Array.from({ length: 3 }, () => Array.from(rng.normalArray(6)));
    const y = [0, 2, 1, 1, 0];
    const got = tf.tidy(() => prototypeLoss(tf.tensor2d(z), tf.tensor2d(p), Int32Array.from(y), 0.5).arraySync());
    expect(got).toBeCloseTo(naiveProto(z, p, y, 0.5), 4);
  });

  it('π_c is the topic-block energy of the unit prototype', () => {
    // K = 2 blocks of d = 2. p_0 = (3, 0 | 0, 4): ‖p‖ = 5 → π = (9/25, 16/25). p_1 = (1, 1 | 0, 0) → π = (1, 0).
    const pi = tf.tidy(() => prototypeTopics(tf.tensor2d([[3, 0, 0, 4], [1, 1, 0, 0]]), 2).arraySync());
    expect(pi[0][0]).toBeCloseTo(0.36, 6);
    expect(pi[0][1]).toBeCloseTo(0.64, 6);
    expect(pi[1]).toEqual([expect.closeTo(1, 6), expect.closeTo(0, 6)]);
  });

  it('mean entropy / log K is 0 for one-hot rows and 1 for uniform rows', () => {
    // rows (1, 0, 0, 0) → 0; (¼, ¼, ¼, ¼) → 1; (½, ½, 0, 0) → ln 2 / ln 4 = ½. Mean ½.
    const h = tf.tidy(() => meanEntropyLoss(tf.tensor2d([[1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0, 0]])).arraySync());
    expect(h).toBeCloseTo(0.5, 6);
  });

  it('does not leak tensors', () => {
    const z = tf.randomNormal([4, 6]) as tf.Tensor2D;
    const p = tf.randomNormal([3, 6]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    prototypeLoss(z, p, Int32Array.from([0, 1, 2, 0]), 0.05).dispose();
    prototypeTopics(p, 3).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, p]);
  });
});
