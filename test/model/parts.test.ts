import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/tf.js';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import { SelfAttention } from '../../src/model/attention.js';
import { cellSpread, ImageEncoder } from '../../src/model/encoder-image.js';
import { TextEncoder, maxFirst } from '../../src/model/encoder-text.js';
import { ParamStore } from '../../src/model/params.js';
import { pooledLayer, topicLayer } from '../../src/model/topic-layer.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);

describe('image encoder', () => {
  it.each([
    [8, 8, 1, 4],
    [12, 12, 3, 9],
    [28, 28, 1, 49],
    [13, 10, 1, 6],
  ])('%i×%i×%i → %i regions', (H, W, C, R) => {
    const store = new ParamStore(new Rng(1));
    const enc = new ImageEncoder(store, 'enc', { height: H, width: W, channels: C, convChannels: [4, 8, 16] });
    expect(enc.regions).toBe(R);
    const f = tf.tidy(() => enc.apply(tf.zeros([2, H, W, C]), true));
    expect(f.shape).toEqual([2, R, 16]);
    tf.dispose(f);
    store.dispose();
  });

  it('rejects images smaller than 4×4', () => {
    expect(() => new ImageEncoder(new ParamStore(new Rng(1)), 'e', { height: 3, width: 8, channels: 1, convChannels: [2, 2, 2] })).toThrow(/too small/);
  });

  it('spreads a region over the cells of its receptive field (eq. (14″)): ¼ ½ ¼ per axis, renormalised inside the image', () => {
    const rho = cellSpread(3, 3); // [cells, features]
    const column = (r: number) => Array.from({ length: 9 }, (_, u) => rho[u * 9 + r]);
    // centre feature: its cell ½·½, side cells ½·¼, corners ¼·¼
    column(4).forEach((v, u) => expect(v).toBeCloseTo([1, 2, 1, 2, 4, 2, 1, 2, 1][u] / 16, 6));
    // corner feature: the four cells inside, (¼, ⅛, ⅛, 1/16) over their sum 9/16
    column(0).forEach((v, u) => expect(v).toBeCloseTo(([4, 2, 0, 2, 1, 0, 0, 0, 0][u] * 1) / 9, 6));
    for (let r = 0; r < 9; r++) expect(sum(column(r))).toBeCloseTo(1, 6);
    expect(Array.from(cellSpread(1, 1))).toEqual([1]);
  });

  it('a feature sees exactly the cells cellSpread gives it: changing one cell’s pixels changes only those features', () => {
    const store = new ParamStore(new Rng(3));
    const enc = new ImageEncoder(store, 'enc', { height: 20, width: 20, channels: 1, convChannels: [4, 8, 16] }); // 5×5 cells
    const R = enc.regions;
    const rho = enc.spread();
    const base = new Rng(4).uniformTensor([1, 20, 20, 1], -1, 1) as tf.Tensor4D;
    const f0 = tf.tidy(() => enc.apply(base, false).arraySync()[0]);
    for (const u of [0, 7, 12, 24]) {
      const [i, j] = [Math.floor(u / 5), u % 5];
      const pixels = base.arraySync()[0].map((row, y) => row.map((p, x) => (Math.floor(y / 4) === i && Math.floor(x / 4) === j ? [p[0] * -0.5 + 0.3] : p)));
      const f1 = tf.tidy(() => enc.apply(tf.tensor4d([pixels]), false).arraySync()[0]);
      for (let r = 0; r < R; r++) {
        const changed = f1[r].some((v, c) => Math.abs(v - f0[r][c]) > 1e-6);
        expect(changed, `cell ${u}, feature ${r}`).toBe(rho[u * R + r] > 0);
      }
    }
    base.dispose();
    store.dispose();
  });
});

describe('text encoder', () => {
  const V = 50;
  const doc = (L: number, n: number): number[] => Array.from({ length: L }, (_, i) => (i < n ? 1 + ((i * 7) % V) : 0));
  const run = (enc: TextEncoder, rows: number[][]): { f: number[][][]; m: number[][] } => {
    const L = rows[0].length;
    const [f, m] = tf.tidy(() => {
      const ids = tf.tensor2d(rows.flat(), [rows.length, L], 'int32');
      const mask = tf.cast(tf.notEqual(ids, 0), 'float32') as tf.Tensor2D;
      const o = enc.apply(ids, mask);
      return [o.features, o.regionMask];
    });
    const out = { f: f.arraySync() as number[][][], m: m.arraySync() as number[][] };
    tf.dispose([f, m]);
    return out;
  };

  it('R = ceil(L / window) segments; padded segments masked; an empty document keeps segment 0', () => {
    const store = new ParamStore(new Rng(1));
    const enc = new TextEncoder(store, 'enc', { vocabSize: V, maxLength: 32, dim: 16, kernel: 5, window: 8 });
    expect(enc.regions).toBe(4);
    const { f, m } = run(enc, [doc(32, 10), doc(32, 32), doc(32, 0)]);
    expect(f.length).toBe(3);
    expect(f[0].length).toBe(4);
    expect(f[0][0].length).toBe(16);
    expect(m).toEqual([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
      [1, 0, 0, 0],
    ]);
    store.dispose();
  });

  it('padding never leaks into real segments (pad row and conv bias made large)', () => {
    const make = (L: number): TextEncoder => {
      const store = new ParamStore(new Rng(4));
      const enc = new TextEncoder(store, 'enc', { vocabSize: V, maxLength: L, dim: 16, kernel: 5, window: 8 });
      const w = store.all();
      tf.tidy(() => {
        const emb = w['enc.embedding.weight'];
        w['enc.embedding.weight'].assign(tf.concat([tf.fill([1, 16], 50), emb.slice([1], [V])]));
        w['enc.conv.bias'].assign(tf.fill([16], 3));
      });
      return enc;
    };
    // L = 10 pads the last window with zeros inside the encoder; L = 32 has real padding tokens.
    const short = run(make(10), [doc(10, 10)]);
    const long = run(make(32), [doc(32, 10)]);
    for (const r of [0, 1]) {
      expect(long.f[0][r]).toEqual(short.f[0][r].map((v) => expect.closeTo(v, 5)));
    }
  });
});

describe('self-attention', () => {
  const B = 2;
  const R = 5;
  const d = 16;
  const maskArr = [
    [1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1],
  ];

  it('α sums to 1 over real regions and is 0 on padded ones; γ = 0 leaves F unchanged', () => {
    const store = new ParamStore(new Rng(1));
    const att = new SelfAttention(store, 'attn', { dim: d, uniformAlpha: false });
    const f = new Rng(2).normalTensor([B, R, d]) as tf.Tensor3D;
    const mask = tf.tensor2d(maskArr);
    const [fp, alpha] = tf.tidy(() => {
      const o = att.apply(f, mask);
      return [o.features, o.alpha];
    });
    const a = alpha.arraySync() as number[][];
    expect(sum(a[0])).toBeCloseTo(1, 6);
    expect(sum(a[1])).toBeCloseTo(1, 6);
    expect(a[0][3]).toBe(0);
    expect(a[0][4]).toBe(0);
    expect(Array.from(fp.dataSync())).toEqual(Array.from(f.dataSync()));
    tf.dispose([f, mask, fp, alpha]);
    store.dispose();
  });

  it('with γ ≠ 0, padded regions do not change real ones', () => {
    const store = new ParamStore(new Rng(1));
    const att = new SelfAttention(store, 'attn', { dim: d, uniformAlpha: false });
    att.gamma.assign(tf.scalar(0.7));
    const rng = new Rng(3);
    const f1 = rng.normalTensor([1, R, d]) as tf.Tensor3D;
    const noise = tf.concat([tf.zeros([1, 3, d]), rng.normalTensor([1, 2, d], 5)], 1);
    const f2 = tf.add(f1, noise) as tf.Tensor3D;
    const mask = tf.tensor2d([maskArr[0]]);
    const out = (f: tf.Tensor3D): number[][] =>
      tf.tidy(() => att.apply(f, mask).features.slice([0, 0], [1, 3]).squeeze([0]).arraySync() as number[][]);
    const o1 = out(f1);
    const o2 = out(f2);
    expect(o2.flat()).toEqual(o1.flat().map((v) => expect.closeTo(v, 5)));
    expect(o1.flat()).not.toEqual(Array.from(f1.slice([0, 0], [1, 3]).dataSync()));
    tf.dispose([f1, noise, f2, mask]);
    store.dispose();
  });

  it('no-attention: α uniform over real regions', () => {
    const store = new ParamStore(new Rng(1));
    const att = new SelfAttention(store, 'attn', { dim: d, uniformAlpha: true });
    const alpha = tf.tidy(() => att.apply(tf.ones([B, R, d]), tf.tensor2d(maskArr)).alpha);
    expect(alpha.arraySync()).toEqual([
      [1 / 3, 1 / 3, 1 / 3, 0, 0].map((v) => expect.closeTo(v, 6)),
      [0.2, 0.2, 0.2, 0.2, 0.2].map((v) => expect.closeTo(v, 6)),
    ]);
    tf.dispose(alpha);
    store.dispose();
  });
});

describe('topic layer', () => {
  it.each([
    [1, 0],
    [2.5, 0],
    [2.5, 0.3],
  ])('matches a naive loop on a hand-made input (θ power %s, floor %s)', (thetaPower, thetaFloor) => {
    const F = [
      [
        [1, 0, 2],
        [0, 1, -1],
        [2, 2, 0],
      ],
    ];
    const alpha = [[0.5, 0.3, 0.2]];
    const T = [
      [1, 0, 0],
      [0, 1, 1],
    ];
    const args = { tau: 0.5, eps: 1e-6, sqrtEps: 1e-8, thetaPower, thetaFloor };
    const out = tf.tidy(() => {
      const o = topicLayer(tf.tensor3d(F), tf.tensor2d(alpha), tf.tensor2d(T), args);
      return [o.affinity, o.theta, o.views, o.viewNorms, o.codes, o.topicCode].map((t) => Array.from(t.dataSync()));
    });
    const norm = (v: number[]): number => Math.sqrt(sum(v.map((x) => x * x)));
    const dot = (a: number[], b: number[]): number => sum(a.map((x, i) => x * b[i]));
    const a = F[0].map((f) => {
      const e = T.map((t) => Math.exp(dot(f, t) / (norm(f) * norm(t)) / args.tau));
      return e.map((x) => x / sum(e));
    });
    const pooled = [0, 1].map((k) => sum(a.map((ar, r) => alpha[0][r] * ar[k])));
    // θ_k ∝ pooled_k^γ
    const theta = pooled.map((p) => (1 - thetaFloor) * (p ** thetaPower / sum(pooled.map((q) => q ** thetaPower))) + thetaFloor / 2);
    const v = [0, 1].map((k) => [0, 1, 2].map((j) => sum(F[0].map((f, r) => alpha[0][r] * a[r][k] * f[j]))));
    const code = v.flatMap((vk, k) => vk.map((x) => (Math.sqrt(theta[k] + args.sqrtEps) * x) / (norm(vk) + args.eps)));
    const h = [0, 1, 2].map((j) => sum(T.map((t, k) => theta[k] * t[j])));
    const close = (xs: number[]) => xs.map((x) => expect.closeTo(x, 5));
    expect(out[0]).toEqual(close(a.flat()));
    expect(out[1]).toEqual(close(theta));
    expect(sum(out[1])).toBeCloseTo(1, 6);
    expect(out[2]).toEqual(close(v.flat()));
    expect(out[3]).toEqual(close(v.map(norm)));
    expect(out[4]).toEqual(close(code));
    expect(norm(out[4])).toBeCloseTo(1, 4);
    expect(out[5]).toEqual(close(h));
  });

  it('no-topics pools g = Σ α f and codes g / ‖g‖', () => {
    const out = tf.tidy(() => {
      const o = pooledLayer(tf.tensor3d([[[3, 0], [0, 4]]]), tf.tensor2d([[0.5, 0.5]]), 1e-6);
      return [o.codes, o.topicCode, o.theta, o.views].map((t) => Array.from(t.dataSync()));
    });
    expect(out[0]).toEqual([0.6, 0.8].map((v) => expect.closeTo(v, 5)));
    expect(out[1]).toEqual([1.5, 2]);
    expect(out[2]).toEqual([1]);
    expect(out[3]).toEqual([1.5, 2]);
  });
});

describe('maxFirst (the document max-pool)', () => {
  it('returns the window max and sends the gradient to the first maximum only, as PyTorch max_pool1d', () => {
    // One window of 4 tokens × 2 channels; channel 0 ties at 1 (positions 0, 1), channel 1 ties at 0 (positions 2, 3).
    const x = tf.tensor4d([1, -1, 1, -2, 0, 0, 0.5, 0], [1, 1, 4, 2]);
    const y = maxFirst(x);
    expect(Array.from(y.dataSync())).toEqual([1, 0]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxFirst(t), tf.tensor2d([[2, 3]]))))(x);
    // tfjs's own max would give [2, 0, 2, 0, 0, 3, 0, 3].
    expect(Array.from(g.dataSync())).toEqual([2, 0, 0, 0, 0, 3, 0, 0]);
    tf.dispose([x, y, g]);
  });
});
