import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/engine/backend.js';
import { Rng } from '../../../../src/engine/random.js';
import * as tf from '../../../../src/engine/tf.js';
import { ArgumentError } from '../../../../src/errors.js';
import { softmaxLoss } from '../../../../src/train/losses/metric/softmax.js';

/** Mean −log softmax(logits_i)[y_i] as a loop. */
function naive(logits: number[][], labels: number[]): number {
  let sum = 0;
  logits.forEach((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    sum += lse - row[labels[i]];
  });
  return sum / logits.length;
}

describe.each(['cpu', 'wasm'])('softmax loss (%s)', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('matches the naive loop, also for large logits', () => {
    const rng = new Rng(1);
    const labels = [2, 0, 1, 2, 3];
    for (const scale of [1, 40]) {
      const logits = labels.map(() => Array.from(rng.normalArray(4), (v) => v * scale));
      const got = tf.tidy(() => softmaxLoss(tf.tensor2d(logits), Int32Array.from(labels)).arraySync());
      expect(got).toBeCloseTo(naive(logits, labels), 3);
    }
  });

  it('is log C for uniform logits and rejects bad labels', () => {
    expect(tf.tidy(() => softmaxLoss(tf.zeros([3, 5]) as tf.Tensor2D, Int32Array.from([0, 4, 2])).arraySync())).toBeCloseTo(Math.log(5), 5);
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => softmaxLoss(logits, Int32Array.from([0, 3]))).toThrow(ArgumentError);
    expect(() => softmaxLoss(logits, Int32Array.from([0]))).toThrow(ArgumentError);
    logits.dispose();
  });
});
