/**
 * The fused Adam (src/engine/adam.ts) on `torch` against tfjs's AdamOptimizer on the cpu backend: the same
 * weights and moments, bit for bit, over steps with bias correction and a learning-rate change; tensors whose
 * data the caller still shares keep their values; 20 steps leave tfjs and native memory unchanged.
 */
import { describe, expect, it } from 'vitest';
import { FusedAdamOptimizer, hasFusedAdam } from '../../src/engine/adam.js';
import * as tf from '../../src/engine/tf.js';
import { registerTorch, type TorchBackend } from '../../src/engine/torch/index.js';

const torch = registerTorch();

/** Deterministic values in (−scale, scale), with exact zeros every 7th. */
function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return i % 7 === 3 ? 0 : (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}

// odd sizes (tails of the vectorised loop), a 4-D filter, a larger matrix; kept small: the cpu backend's Adam
// blocks the event loop
const SHAPES = [[3], [5, 7], [3, 3, 4, 8], [64, 129]];
const STEPS = 6;

/** Weights and both moments after STEPS steps of `make()`'s optimiser on `backend`. */
async function run(backend: string, make: () => tf.AdamOptimizer): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const ws = tf.tidy(() => SHAPES.map((shape, k) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), 10 + k, 1), shape), true, `w${k}@${backend}`)));
  const opt = make();
  for (let step = 0; step < STEPS; step++) {
    // a schedule changes the rate between steps (src/train/schedule.ts)
    (opt as unknown as { learningRate: number }).learningRate = step < 3 ? 0.01 : 0.003;
    const grads = ws.map((w, k) => ({ name: w.name, tensor: tf.tensor(values(w.size, 100 * step + k, step === 4 ? 1e-6 : 2), w.shape) }));
    opt.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const [iter, ...moments] = await opt.getWeights();
  const out = [...ws, ...moments.map((t) => t.tensor)].map((t) => t.dataSync() as Float32Array);
  iter.tensor.dispose();
  opt.dispose();
  tf.dispose(ws);
  return out;
}

describe.skipIf(!torch.ok)(`fused Adam${torch.ok ? '' : ` (skipped: ${torch.reason})`}`, () => {
  it('uses the kernel on torch only', async () => {
    await tf.setBackend('torch');
    expect(hasFusedAdam()).toBe(true);
    await tf.setBackend('cpu');
    expect(hasFusedAdam()).toBe(false);
  });

  it("equals tfjs's AdamOptimizer on cpu bit for bit, bias correction included", async () => {
    for (const beta1 of [0.9, 0.5]) {
      const want = await run('cpu', () => tf.train.adam(0.01, beta1, 0.999, 1e-8));
      const got = await run('torch', () => new FusedAdamOptimizer(0.01, beta1, 0.999, 1e-8));
      expect(got.length).toBe(3 * SHAPES.length);
      got.forEach((g, i) => expect(g, `tensor ${i}, beta1 ${beta1}`).toEqual(want[i]));
    }
  });

  it('matches the update computed by hand over two steps', async () => {
    await tf.setBackend('torch');
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'hand');
    const opt = new FusedAdamOptimizer(0.1, 0.5, 0.75, 1e-8);
    const gs = [[0.2, -4], [-0.6, 1]];
    for (const g of gs) tf.tidy(() => opt.applyGradients([{ name: w.name, tensor: tf.tensor1d(g) }]));
    // m2 = 0.5·0.5 g1 + 0.5 g2, v2 = 0.75·0.25 g1² + 0.25 g2²; bias: 1 − 0.5², 1 − 0.75²
    const expected = [1, -2].map((w0, i) => {
      const [g1, g2] = [gs[0][i], gs[1][i]];
      const w1 = w0 - (0.1 * (0.5 * g1)) / (1 - 0.5) / (Math.sqrt((0.25 * g1 * g1) / (1 - 0.75)) + 1e-8);
      const m = 0.25 * g1 + 0.5 * g2;
      const v = 0.1875 * g1 * g1 + 0.25 * g2 * g2;
      return w1 - (0.1 * (m / 0.75)) / (Math.sqrt(v / (1 - 0.5625)) + 1e-8);
    });
    const got = Array.from(w.dataSync());
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
    expect(opt.iterations).toBe(2);
    opt.dispose();
    w.dispose();
  });

  it('leaves tensors that share the data unchanged', async () => {
    await tf.setBackend('torch');
    const init = tf.tensor1d([1, 2, 3]);
    const a = tf.variable(init, true, 'shared-a'); // the same tfjs data id as init
    const b = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3]), true, 'shared-b')); // its own data id
    const snapshot = tf.clone(b); // a native alias of b's ATen tensor
    const opt = new FusedAdamOptimizer(0.5, 0.9, 0.999, 1e-8);
    const grad = tf.tensor1d([1, 1, 1]);
    opt.applyGradients([a, b].map((w) => ({ name: w.name, tensor: grad })));
    expect(Array.from(init.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    // step 1 moves each weight by lr·sign(g) (up to the float32 rounding of 1 − β's)
    for (const w of [a, b]) w.dataSync().forEach((x, i) => expect(x).toBeCloseTo([0.5, 1.5, 2.5][i], 5));
    // restored moments keep the caller's tensors as they were
    const [iter, ...moments] = await opt.getWeights();
    const saved = moments.map((t) => ({ name: t.name, tensor: tf.clone(t.tensor) }));
    const before = saved.map((t) => Array.from(t.tensor.dataSync()));
    const resumed = new FusedAdamOptimizer(0.5, 0.9, 0.999, 1e-8);
    await resumed.setWeights([iter, ...saved]);
    resumed.applyGradients([a, b].map((w) => ({ name: w.name, tensor: grad })));
    expect(saved.map((t) => Array.from(t.tensor.dataSync()))).toEqual(before);
    const after = (await resumed.getWeights()).slice(1).map((t) => Array.from(t.tensor.dataSync()));
    expect(after[0]).not.toEqual(before[0]);
    tf.dispose([init, snapshot, grad, iter.tensor, ...saved.map((t) => t.tensor)]);
    opt.dispose();
    resumed.dispose();
    tf.dispose([a, b]);
  });

  it('keeps tfjs and native memory stable over 20 steps', async () => {
    await tf.setBackend('torch');
    const backend = tf.backend() as TorchBackend;
    const ws = tf.tidy(() => SHAPES.map((shape, k) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), k, 1), shape), true, `mem${k}`)));
    const opt = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8);
    const step = (i: number) =>
      tf.tidy(() => opt.applyGradients(ws.map((w, k) => ({ name: w.name, tensor: tf.tensor(values(w.size, 7 * i + k, 1), w.shape) }))));
    step(0); // creates the moments
    const before = { tensors: tf.memory().numTensors, ...backend.nativeMemory() };
    for (let i = 1; i <= 20; i++) step(i);
    expect({ tensors: tf.memory().numTensors, ...backend.nativeMemory() }).toEqual(before);
    opt.dispose();
    tf.dispose(ws);
  });
});
