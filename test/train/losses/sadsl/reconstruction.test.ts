import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import { Rng } from '../../../../src/engine/random.js';
import * as tf from '../../../../src/engine/tf.js';
import { documentReconstructionLoss, imageReconstructionLoss } from '../../../../src/train/losses/sadsl/reconstruction.js';

function distribution(rng: Rng, V: number, zeros = 0): number[] {
  const w = Array.from(rng.uniformArray(V, 0, 1)).map((x, i) => (i < zeros ? 0 : x));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

describe.each(['cpu', 'wasm'])('reconstruction loss (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('image: mean |x − G| over every pixel of the batch', () => {
    const rng = new Rng(4);
    const shape = [2, 3, 3, 2];
    const x = rng.uniformArray(36, -1, 1);
    const g = rng.uniformArray(36, -1, 1);
    let want = 0;
    for (let i = 0; i < 36; i++) want += Math.abs(x[i] - g[i]) / 36;
    const got = tf.tidy(() => imageReconstructionLoss(tf.tensor(x, shape), tf.tensor(g, shape)).arraySync());
    expect(got).toBeCloseTo(want, 5);
  });

  it('document: per-document cross-entropy summed over words, mean over documents, / log V', () => {
    const rng = new Rng(5);
    const V = 7;
    const bow = [distribution(rng, V, 2), distribution(rng, V), distribution(rng, V, 3)];
    const logits = [0, 1, 2].map(() => Array.from(rng.normalArray(V, 2)));
    let want = 0;
    for (let b = 0; b < 3; b++) {
      const z = logits[b].reduce((s, l) => s + Math.exp(l), 0);
      for (let w = 0; w < V; w++) want -= (bow[b][w] * (logits[b][w] - Math.log(z))) / 3;
    }
    want /= Math.log(V);
    const got = tf.tidy(() => documentReconstructionLoss(tf.tensor2d(bow), tf.tensor2d(logits)).arraySync());
    expect(got).toBeCloseTo(want, 5);
  });

  it('document: a uniform G costs exactly 1, a word far below the others stays finite', () => {
    const V = 5;
    const bow = [[0.5, 0.5, 0, 0, 0]];
    const uniform = tf.tidy(() =>
      documentReconstructionLoss(tf.tensor2d(bow), tf.fill([1, V], 3) as tf.Tensor2D).arraySync(),
    );
    expect(uniform).toBeCloseTo(1, 5);
    // softmax of word 0 underflows to 0 in float32; its log-probability is still exactly −200.
    const far = tf.tidy(() =>
      documentReconstructionLoss(tf.tensor2d(bow), tf.tensor2d([[-200, 0, -1000, -1000, -1000]])).arraySync(),
    );
    expect(far).toBeCloseTo((0.5 * 200) / Math.log(V), 3);
  });
});
