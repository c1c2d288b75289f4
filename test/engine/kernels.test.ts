/**
 * The wasm training kernels of src/engine/kernels against the cpu backend: each registered kernel on
 * random inputs (strides 1/2, same/valid/explicit pads, non-square, batch 1 and > 1), gradients through
 * tf.grads, idempotent registration, and no leaked tensors or wasm buffers over 20 Adam steps.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { registerWasmKernels } from '../../src/engine/kernels/index.js';
import { Rng } from '../../src/engine/random.js';
import * as tf from '../../src/engine/tf.js';

const rng = new Rng(7);
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `f` on `backend` and returns the values of its results (tensors are made inside `f`). */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => (t.dataSync() as Float32Array).slice());
  tf.dispose(list);
  return values;
}

/** Max |wasm − cpu| over all outputs, relative to the largest cpu magnitude (at least 1). */
function relError(wasm: Float32Array[], cpu: Float32Array[]): number {
  expect(wasm.map((v) => v.length)).toEqual(cpu.map((v) => v.length));
  let err = 0;
  let scale = 1;
  cpu.forEach((ref, k) => {
    for (let i = 0; i < ref.length; i++) {
      err = Math.max(err, Math.abs(wasm[k][i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
  });
  return err / scale;
}

async function compare(f: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const cpu = await on('cpu', f);
  const wasm = await on('wasm', f);
  await tf.setBackend('wasm');
  return relError(wasm, cpu);
}

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const convCases: ConvCase[] = [
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [1, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [1, 8, 8, 2], filter: [4, 4, 2, 5], strides: 2, pad: 'same' },
  { x: [3, 9, 7, 2], filter: [4, 4, 2, 5], strides: 2, pad: 'valid' },
  { x: [2, 10, 11, 3], filter: [4, 4, 3, 2], strides: 2, pad: 1 },
  { x: [2, 9, 10, 3], filter: [3, 2, 3, 2], strides: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [2, 9, 9, 3], filter: [1, 1, 3, 2], strides: 2, pad: 'same' },
  { x: [1, 5, 6, 2], filter: [3, 3, 2, 2], strides: [2, 1], pad: 'same' },
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 8], strides: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  // More than 4 input channels: the filter gradient's dilated-convolution path (the cases above use patches).
  { x: [2, 10, 11, 6], filter: [4, 4, 6, 3], strides: 2, pad: 1 },
  { x: [1, 8, 7, 5], filter: [3, 3, 5, 2], strides: 1, pad: 'same' },
  { x: [3, 9, 7, 5], filter: [4, 4, 5, 3], strides: 2, pad: 'valid' },
  { x: [2, 9, 10, 6], filter: [3, 2, 6, 2], strides: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  // A 1-D convolution as tf.conv1d lays it out ([B, 1, L, C]): patches again.
  { x: [3, 1, 12, 6], filter: [1, 5, 6, 4], strides: 1, pad: 'same' },
];

/** The same random data on both backends: arrays are drawn once, tensors made per backend. */
function convData(c: ConvCase) {
  const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape);
  return {
    x: rng.normalArray(size(c.x)),
    w: rng.normalArray(size(c.filter)),
    dy: rng.normalArray(size(dyShape)),
    dyShape: dyShape as [number, number, number, number],
  };
}

const label = (c: ConvCase) => `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}`;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('registerWasmKernels', () => {
  it('registers the kernels once and keeps them on repeated calls', () => {
    const names = registerWasmKernels();
    expect(names).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'UnsortedSegmentSum']));
    const funcs = names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc);
    expect(registerWasmKernels()).toEqual(names);
    expect(names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc)).toEqual(funcs);
  });
});

describe('Conv2DBackpropFilter / Conv2DBackpropInput match cpu', () => {
  for (const c of convCases) {
    it(label(c), async () => {
      const d = convData(c);
      const filterGrad = () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(d.x, c.x), dy: tf.tensor4d(d.dy, d.dyShape) },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor;
      const inputGrad = () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor4d(d.dy, d.dyShape), filter: tf.tensor4d(d.w, c.filter) },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor;
      expect(await compare(filterGrad)).toBeLessThanOrEqual(1e-4);
      expect(await compare(inputGrad)).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('BatchMatMul with transposes matches cpu', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 7, 5], [1, 3, 7], true, true],
    [[1, 64, 33], [1, 64, 17], true, false],
  ];
  for (const [as, bs, ta, tb] of cases) {
    it(`a ${as}${ta ? 'ᵀ' : ''} · b ${bs}${tb ? 'ᵀ' : ''}`, async () => {
      const a = rng.normalArray(size(as));
      const b = rng.normalArray(size(bs));
      expect(await compare(() => tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb))).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('Tile matches cpu', () => {
  const cases: [number[], number[], 'float32' | 'int32' | 'bool'][] = [
    [[1, 1, 1, 5], [3, 2, 4, 1], 'float32'],
    [[2, 3, 1], [1, 2, 3], 'float32'],
    [[2, 3], [3, 1], 'int32'],
    [[4], [3], 'bool'],
    [[2, 2], [1, 1], 'float32'],
  ];
  for (const [shape, reps, dtype] of cases) {
    it(`${dtype} ${shape} reps ${reps}`, async () => {
      const values = Array.from(rng.normalArray(size(shape)), (v) => (dtype === 'float32' ? v : Number(v > 0) * 7));
      const f = () => tf.tile(tf.tensor(values, shape, dtype), reps).cast('float32');
      expect(await compare(f)).toBe(0);
    });
  }
});

describe('BatchMatMul batches and the a·bᵀ product with a large b match cpu', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[3, 4, 5], [3, 5, 2], false, false],
    [[1, 4, 5], [3, 5, 2], false, false],
    [[2, 3, 4, 5], [5, 2], false, false],
    [[3, 4, 5], [3, 2, 5], false, true],
    [[3, 5, 4], [3, 5, 2], true, false],
    [[3, 40], [50, 40], false, true],
    [[1, 2, 40], [1, 50, 40], false, true],
  ];
  for (const [as, bs, ta, tb] of cases) {
    it(`a ${as}${ta ? 'ᵀ' : ''} · b ${bs}${tb ? 'ᵀ' : ''}`, async () => {
      const a = rng.normalArray(size(as));
      const b = rng.normalArray(size(bs));
      expect(await compare(() => tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb))).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('UnsortedSegmentSum matches cpu', () => {
  it('sums rows by segment, drops out-of-range ids, leaves empty segments zero', async () => {
    const x = rng.normalArray(6 * 2 * 3);
    const ids = [0, 3, 3, -1, 5, 0];
    const f = () => tf.unsortedSegmentSum(tf.tensor3d(x, [6, 2, 3]), tf.tensor1d(ids, 'int32'), 5);
    expect(await compare(f)).toBe(0);
    const out = await on('wasm', f);
    expect(Array.from(out[0].slice(6, 12))).toEqual([0, 0, 0, 0, 0, 0]); // segment 1: no rows
  });

  it('is the gradient of an embedding lookup', async () => {
    const table = rng.normalArray(7 * 4);
    const ids = [[1, 2, 2], [0, 6, 1]];
    const f = () => tf.grads((w: tf.Tensor) => tf.gather(w, tf.tensor2d(ids, [2, 3], 'int32')).square().sum())([tf.tensor2d(table, [7, 4])]);
    expect(await compare(f)).toBeLessThanOrEqual(1e-6);
  });
});

describe('Sum, Mean, Pow, Equal, GatherV2 and Identity match cpu', () => {
  const x = rng.normalArray(3 * 4 * 5 * 6);
  const t = () => tf.tensor4d(x, [3, 4, 5, 6]);
  it('Sum / Mean over leading axes (ours) and other axes (stock), with and without keepDims', async () => {
    for (const axes of [[0, 1, 2], [0], [0, 1], [1, 2], [3], [0, 1, 2, 3]]) {
      for (const keepDims of [false, true]) {
        const f = () => [tf.sum(t(), axes, keepDims), tf.mean(t(), axes, keepDims)];
        const wasm = await on('wasm', f);
        const cpu = await on('cpu', f);
        expect(relError(wasm, cpu), `axes ${axes} keepDims ${keepDims}`).toBeLessThanOrEqual(1e-5);
        const shapes = tf.tidy(() => f().map((r) => r.shape));
        expect(shapes[0]).toEqual(tf.tidy(() => tf.ones([3, 4, 5, 6]).sum(axes, keepDims).shape));
      }
    }
  });

  it('Pow with exponents 2 and 1 (ours) and 3 (stock)', async () => {
    for (const e of [2, 1, 3]) expect(await compare(() => tf.pow(t(), tf.scalar(e)))).toBeLessThanOrEqual(1e-6);
  });

  it('Equal with broadcasting', async () => {
    const a = Array.from(rng.normalArray(2 * 3 * 4 * 5), (v) => Math.round(v));
    const b = Array.from(rng.normalArray(2 * 3 * 5), (v) => Math.round(v));
    const cases: [number[], number[], number[], number[]][] = [
      [a, [2, 3, 4, 5], b, [2, 3, 1, 5]],
      [b, [2, 3, 1, 5], a, [2, 3, 4, 5]],
      [a.slice(0, 12), [4, 3], b.slice(0, 3), [3]],
      [a.slice(0, 4), [4, 1], b.slice(0, 3), [1, 3]],
      [a.slice(0, 6), [6], [0], []],
    ];
    for (const [av, as, bv, bs] of cases) {
      for (const dtype of ['float32', 'int32'] as const) {
        const f = () => tf.equal(tf.tensor(av, as, dtype), tf.tensor(bv, bs, dtype)).cast('float32');
        expect(await compare(f), `${as} vs ${bs} ${dtype}`).toBe(0);
      }
    }
  });

  it('GatherV2 along axis 0 (ours) and axis 1 (stock)', async () => {
    const ids = [[3, 0, 2], [2, 2, 1]];
    for (const axis of [0, 1]) {
      const f = () => tf.gather(tf.tensor3d(x.slice(0, 5 * 4 * 6), [5, 4, 6]), tf.tensor2d(ids, [2, 3], 'int32'), axis);
      expect(await compare(f), `axis ${axis}`).toBe(0);
    }
  });

  it('Identity shares the buffer and outlives its input', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
  });
});

describe('gradients through tf.grads match cpu', () => {
  it('conv2d (strides 1 and 2) w.r.t. input and filter', async () => {
    for (const c of [convCases[0], convCases[4], convCases[5]]) {
      const d = convData(c);
      const f = () =>
        tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad).square().sum())([
          tf.tensor4d(d.x, c.x),
          tf.tensor4d(d.w, c.filter),
        ]);
      expect(await compare(f), label(c)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('conv2dTranspose 4×4 s2 (the generator deconv) w.r.t. input and filter', async () => {
    const h = rng.normalArray(2 * 7 * 7 * 6);
    const w = rng.normalArray(4 * 4 * 3 * 6);
    const f = () =>
      tf.grads((x: tf.Tensor, k: tf.Tensor) =>
        tf.conv2dTranspose(x as tf.Tensor4D, k as tf.Tensor4D, [2, 14, 14, 3], 2, 'same').square().sum(),
      )([tf.tensor4d(h, [2, 7, 7, 6]), tf.tensor4d(w, [4, 4, 3, 6])]);
    expect(await compare(f)).toBeLessThanOrEqual(1e-4);
  });

  it('batchNorm (moments, scale, offset) w.r.t. input, scale and offset', async () => {
    const x = rng.normalArray(2 * 3 * 5 * 4);
    const f = () =>
      tf.grads((t: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(t, [0, 1, 2]);
        return tf.batchNorm(t, mean, variance, o, s, 1e-5).square().mul(tf.range(0, 4)).sum();
      })([tf.tensor4d(x, [2, 3, 5, 4]), tf.tensor1d([1, 2, 0.5, -1]), tf.tensor1d([0, 1, -1, 2])]);
    expect(await compare(f)).toBeLessThanOrEqual(1e-4);
  });

  it('leakyRelu: dy where x > 0, α·dy elsewhere (x = 0 included), on both backends', async () => {
    const f = () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(x, 0.2), tf.tensor1d([1, 2, 3, 4, 5]))))(tf.tensor1d([-2, -0.5, 0, 0.5, 3]));
    for (const backend of ['cpu', 'wasm'] as const) {
      const [dx] = await on(backend, f);
      Array.from(dx).forEach((v, i) => expect(v).toBeCloseTo([0.2, 0.4, 0.6, 4, 5][i], 6));
    }
  });

  it('matMul (transposed) and leakyRelu', async () => {
    const a = rng.normalArray(6 * 4);
    const b = rng.normalArray(5 * 6);
    const f = () =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.leakyRelu(tf.matMul(x, y, true, true), 0.2).square().sum())([
        tf.tensor2d(a, [6, 4]),
        tf.tensor2d(b, [5, 6]),
      ]);
    expect(await compare(f)).toBeLessThanOrEqual(1e-4);
  });
});

describe('training on wasm', () => {
  it('20 Adam steps of a small conv net leave tensor and wasm buffer counts unchanged', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const v = (shape: number[]) => tf.variable(rng.normalTensor(shape, 0.1));
    const vars = [v([3, 3, 1, 4]), v([4, 4, 4, 8]), v([8]), v([8]), v([4, 4, 4, 8]), v([14 * 14 * 4, 3])];
    const [c1, c2, gamma, beta, d1, dense] = vars;
    const x = rng.normalTensor([3, 14, 14, 1]) as tf.Tensor4D;
    const target = rng.normalTensor([3, 3]);
    const opt = tf.train.adam(1e-3);
    const loss = () =>
      tf.tidy(() => {
        let h = tf.leakyRelu(tf.conv2d(x, c1 as tf.Tensor4D, 1, 'same'), 0.2); // [3, 14, 14, 4]
        h = tf.conv2d(h, c2 as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]); // [3, 7, 7, 8]
        const { mean, variance } = tf.moments(h, [0, 1, 2]);
        h = tf.leakyRelu(h.sub(mean).div(variance.add(1e-5).sqrt()).mul(gamma).add(beta), 0.2);
        const g = tf.conv2dTranspose(h as tf.Tensor4D, d1 as tf.Tensor4D, [3, 14, 14, 4], 2, 'same'); // [3, 14, 14, 4]
        const y = tf.matMul(g.reshape([3, 14 * 14 * 4]), dense); // [3, 3]
        return tf.losses.meanSquaredError(target, y) as tf.Scalar;
      });
    const step = () => opt.minimize(loss, true, vars)!;
    const l0 = step();
    const first = l0.dataSync()[0];
    l0.dispose();
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    let last = first;
    for (let i = 1; i < 20; i++) {
      const l = step();
      last = l.dataSync()[0];
      l.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(buffers);
    expect(last).toBeLessThan(first);
    opt.dispose();
    tf.dispose([...vars, x, target]);
  });
});
