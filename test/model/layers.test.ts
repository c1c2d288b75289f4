import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/tf.js';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import { BatchNorm, Conv2D, Conv2DTranspose, Dense, Embedding, LayerNorm, convOutSize } from '../../src/model/layers.js';
import { ParamStore } from '../../src/model/params.js';
import { kmeans } from '../../src/model/kmeans.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('layers', () => {
  it('Dense: PyTorch-default init bounds, 3-D input, optional bias', () => {
    const store = new ParamStore(new Rng(1));
    const d = new Dense(store, 'fc', { inDim: 16, outDim: 4 });
    const nb = new Dense(store, 'nb', { inDim: 16, outDim: 4, bias: false });
    const w = d.weight.dataSync();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.2);
    expect(nb.bias).toBeNull();
    const y = tf.tidy(() => d.apply(tf.ones([2, 3, 16])));
    expect(y.shape).toEqual([2, 3, 4]);
    const expected = tf.tidy(() => tf.add(tf.sum(d.weight, 0), d.bias!));
    expect(Array.from(y.dataSync().slice(0, 4))).toEqual(Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 5)));
    tf.dispose([y, expected]);
    store.dispose();
  });

  it('Conv2DTranspose is the adjoint of Conv2D with the same filter and gives the chosen size', () => {
    const store = new ParamStore(new Rng(2));
    const ct = new Conv2DTranspose(store, 'ct', { inChannels: 3, outChannels: 2, kernel: 4, stride: 2, pad: 1 });
    const rng = new Rng(5);
    for (const H of [6, 7]) {
      const h = convOutSize(H, 4, 2, 1);
      const x = rng.normalTensor([1, H, H, 2]) as tf.Tensor4D;
      const y = rng.normalTensor([1, h, h, 3]) as tf.Tensor4D;
      const [lhs, rhs, shape] = tf.tidy(() => {
        const cx = tf.conv2d(x, ct.weight as tf.Tensor4D, 2, 1); // [1, h, h, 3]
        const cty = tf.sub(ct.apply(y, H, H), ct.bias); // [1, H, H, 2] without bias
        return [tf.sum(tf.mul(cx, y)), tf.sum(tf.mul(x, cty)), cty.shape];
      });
      expect(shape).toEqual([1, H, H, 2]);
      expect(lhs.dataSync()[0]).toBeCloseTo(rhs.dataSync()[0], 3);
      tf.dispose([x, y, lhs, rhs]);
    }
    store.dispose();
  });

  it('Conv2D k4 s2 p1 halves the size', () => {
    const store = new ParamStore(new Rng(2));
    const c = new Conv2D(store, 'c', { inChannels: 1, outChannels: 5, kernel: 4, stride: 2, pad: 1 });
    const y = tf.tidy(() => c.apply(tf.zeros([2, 28, 28, 1])));
    expect(y.shape).toEqual([2, 14, 14, 5]);
    tf.dispose(y);
    store.dispose();
  });

  it('Embedding starts with a zero padding row', () => {
    const store = new ParamStore(new Rng(3));
    const e = new Embedding(store, 'e', { count: 5, dim: 3 });
    expect(Array.from(e.weight.dataSync().slice(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(e.weight.dataSync().slice(3)).some((v) => v !== 0)).toBe(true);
    store.dispose();
  });

  it('LayerNorm normalises the last axis (eps 1e-5)', () => {
    const store = new ParamStore(new Rng(3));
    const ln = new LayerNorm(store, 'ln', { dim: 4 });
    const y = tf.tidy(() => ln.apply(tf.tensor2d([[1, 2, 3, 4]])));
    const sd = Math.sqrt(1.25 + 1e-5);
    expect(Array.from(y.dataSync())).toEqual([-1.5, -0.5, 0.5, 1.5].map((v) => expect.closeTo(v / sd, 5)));
    tf.dispose(y);
    store.dispose();
  });

  it('BatchNorm: batch statistics in training, running averages (unbiased variance, momentum 0.1) otherwise', () => {
    const store = new ParamStore(new Rng(3));
    const bn = new BatchNorm(store, 'bn', { channels: 1 });
    const x = tf.tensor2d([[1], [2], [3], [6]]); // mean 3, biased var 3.5, unbiased 14/3
    const yt = tf.tidy(() => bn.apply(x, true));
    expect(yt.dataSync()[0]).toBeCloseTo(-2 / Math.sqrt(3.5 + 1e-5), 5);
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.3, 6);
    expect(bn.runningVar.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * (14 / 3), 6);
    const yi = tf.tidy(() => bn.apply(x, false));
    expect(yi.dataSync()[0]).toBeCloseTo((1 - 0.3) / Math.sqrt(0.9 + 14 / 30 + 1e-5), 5);
    expect(store.trainable(['bn']).length).toBe(2);
    expect(Object.keys(store.all()).sort()).toEqual(['bn.bias', 'bn.runningMean', 'bn.runningVar', 'bn.weight']);
    tf.dispose([x, yt, yi]);
    store.dispose();
  });
});

describe('kmeans', () => {
  it('finds two well-separated clusters and keeps empty clusters in place', () => {
    const rng = new Rng(7);
    const pts: number[] = [];
    for (let i = 0; i < 20; i++) pts.push(10 + 0.1 * rng.normal(), 0.1 * rng.normal());
    for (let i = 0; i < 20; i++) pts.push(-10 + 0.1 * rng.normal(), 5 + 0.1 * rng.normal());
    const x = tf.tensor2d(pts, [40, 2]);
    const c = kmeans(x, 2, 10, new Rng(1));
    const rows = (c.arraySync() as number[][]).sort((a, b) => a[0] - b[0]);
    expect(rows[0][0]).toBeCloseTo(-10, 0);
    expect(rows[0][1]).toBeCloseTo(5, 0);
    expect(rows[1][0]).toBeCloseTo(10, 0);
    expect(rows[1][1]).toBeCloseTo(0, 0);
    // 3 identical points, 3 clusters: two centres coincide, one of them gets no points and stays finite.
    const same = tf.tensor2d([1, 1, 1, 1, 1, 1], [3, 2]);
    const c3 = kmeans(same, 3, 3, new Rng(1));
    expect(Array.from(c3.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => kmeans(same, 4, 1, new Rng(1))).toThrow(/3 points cannot make 4 clusters/);
    tf.dispose([x, c, same, c3]);
  });
});
