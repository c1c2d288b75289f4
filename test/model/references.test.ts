/**
 * Layers against naive loops, in the manner of tfjs-layers' tests: SelfAttention, Conv1D, LayerNorm and Lloyd's
 * k-means and the document discriminator recomputed element by element in float64 from the layers' own weights, on seeded random inputs with
 * padding; and for each a leak check (forward and gradient leave no tensor behind).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import * as tf from '../../src/engine/tf.js';
import { SelfAttention } from '../../src/model/attention.js';
import { TextDiscriminator } from '../../src/model/discriminator-text.js';
import { kmeans } from '../../src/model/kmeans.js';
import { Conv1D, LayerNorm } from '../../src/model/layers.js';
import { ParamStore } from '../../src/model/params.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

type Mat = number[][];

/** A variable's values as nested arrays. */
function values<T>(store: ParamStore, name: string): T {
  return store.all()[name].arraySync() as T;
}

/** x [n] · W [n, m] + b [m]. */
function affine(x: number[], w: Mat, b: number[] | null): number[] {
  return w[0].map((_, o) => x.reduce((s, xi, i) => s + xi * w[i][o], b ? b[o] : 0));
}

/** Softmax over the entries whose mask is 1; the others get 0. */
function maskedSoftmax(z: number[], mask: number[]): number[] {
  const m = Math.max(...z.filter((_, i) => mask[i] === 1));
  const e = z.map((v, i) => (mask[i] === 1 ? Math.exp(v - m) : 0));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Asserts two nested arrays agree to `digits` decimals. */
function expectClose(actual: unknown, expected: unknown, digits: number): void {
  expect((actual as number[]).flat(3)).toEqual((expected as number[]).flat(3).map((v) => expect.closeTo(v, digits)));
}

/** The tensor count is the same before and after `fn` (which disposes what it keeps). */
function expectNoLeak(fn: () => void): void {
  const before = tf.memory().numTensors;
  fn();
  expect(tf.memory().numTensors).toBe(before);
}

describe('SelfAttention against a naive loop', () => {
  const B = 2;
  const R = 5;
  const d = 16;
  const mask = [
    [1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1],
  ];

  it('F′ = F + γ·softmax_masked(QKᵀ)V and α = softmax_masked(wₐ tanh(F′Wₐ + b))', () => {
    const store = new ParamStore(new Rng(11));
    const att = new SelfAttention(store, 'attn', { dim: d, uniformAlpha: false });
    att.gamma.assign(tf.scalar(0.7));
    const f = new Rng(12).normalTensor([B, R, d]) as tf.Tensor3D;
    const m = tf.tensor2d(mask);
    const [features, alpha] = tf.tidy(() => {
      const o = att.apply(f, m);
      return [o.features.arraySync() as number[][][], o.alpha.arraySync() as Mat];
    });

    const F = f.arraySync() as number[][][];
    const W = (n: string): Mat => values<Mat>(store, `attn.${n}.weight`);
    const b = (n: string): number[] => values<number[]>(store, `attn.${n}.bias`);
    const wantF: number[][][] = [];
    const wantAlpha: Mat = [];
    for (let s = 0; s < B; s++) {
      const q = F[s].map((x) => affine(x, W('q'), b('q')));
      const k = F[s].map((x) => affine(x, W('k'), b('k')));
      const v = F[s].map((x) => affine(x, W('v'), b('v')));
      const fp = F[s].map((x, i) => {
        const a = maskedSoftmax(k.map((kj) => kj.reduce((acc, kjc, c) => acc + q[i][c] * kjc, 0)), mask[s]);
        return x.map((xc, c) => xc + 0.7 * a.reduce((acc, aij, j) => acc + aij * v[j][c], 0));
      });
      const e = fp.map((x) => affine(affine(x, W('Wa'), b('Wa')).map(Math.tanh), W('wa'), null)[0]);
      wantF.push(fp);
      wantAlpha.push(maskedSoftmax(e, mask[s]));
    }
    expectClose(features, wantF, 4);
    expectClose(alpha, wantAlpha, 4);
    expect(alpha[0][3]).toBe(0);
    tf.dispose([f, m]);
    store.dispose();
  });

  it('leaves no tensor behind (forward and gradient)', () => {
    const store = new ParamStore(new Rng(11));
    const att = new SelfAttention(store, 'attn', { dim: d, uniformAlpha: false });
    const f = new Rng(12).normalTensor([B, R, d]) as tf.Tensor3D;
    const m = tf.tensor2d(mask);
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => {
        const o = att.apply(f, m);
        return tf.add(tf.sum(o.features), tf.sum(tf.mul(o.alpha, tf.range(0, R).expandDims(0)))) as tf.Scalar;
      }, store.trainable(['attn.']));
      expect(Object.keys(grads).length).toBe(store.trainable(['attn.']).length);
      tf.dispose([value, ...Object.values(grads)]);
    });
    tf.dispose([f, m]);
    store.dispose();
  });
});

describe('Conv1D against a naive loop', () => {
  for (const kernel of [3, 5]) {
    it(`'same' padding, kernel ${kernel}: y[l, o] = b[o] + Σ_t Σ_c x[l + t − ⌊k/2⌋, c] · w[t, c, o]`, () => {
      const [B, L, C, O] = [2, 7, 3, 4];
      const store = new ParamStore(new Rng(21));
      const conv = new Conv1D(store, 'c', { inChannels: C, outChannels: O, kernel });
      const x = new Rng(22).normalTensor([B, L, C]) as tf.Tensor3D;
      const y = tf.tidy(() => conv.apply(x).arraySync());
      const X = x.arraySync();
      const w = values<number[][][]>(store, 'c.weight');
      const bias = values<number[]>(store, 'c.bias');
      const half = Math.floor(kernel / 2);
      const want = X.map((seq) =>
        seq.map((_, l) =>
          bias.map((bo, o) => {
            let s = bo;
            for (let t = 0; t < kernel; t++) {
              const p = l + t - half;
              if (p >= 0 && p < L) for (let c = 0; c < C; c++) s += seq[p][c] * w[t][c][o];
            }
            return s;
          }),
        ),
      );
      expectClose(y, want, 4);
      x.dispose();
      store.dispose();
    });
  }

  it('leaves no tensor behind (forward and gradient)', () => {
    const store = new ParamStore(new Rng(21));
    const conv = new Conv1D(store, 'c', { inChannels: 3, outChannels: 4, kernel: 5 });
    const x = new Rng(22).normalTensor([2, 7, 3]) as tf.Tensor3D;
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(conv.apply(x))) as tf.Scalar, store.trainable(['c.']));
      tf.dispose([value, ...Object.values(grads)]);
    });
    x.dispose();
    store.dispose();
  });
});

describe('LayerNorm against a naive loop', () => {
  it('(x − mean) / √(biased var + ε) · w + b over the last axis, with learned w and b', () => {
    const dim = 6;
    const store = new ParamStore(new Rng(31));
    const ln = new LayerNorm(store, 'ln', { dim });
    const rng = new Rng(32);
    const w = Array.from(rng.uniformArray(dim, 0.5, 2));
    const b = Array.from(rng.uniformArray(dim, -1, 1));
    ln.weight.assign(tf.tensor1d(w));
    ln.bias.assign(tf.tensor1d(b));
    const x = tf.mul(rng.normalTensor([2, 3, dim]), 3);
    const y = tf.tidy(() => ln.apply(x).arraySync() as number[][][]);
    const want = (x.arraySync() as number[][][]).map((rows) =>
      rows.map((r) => {
        const mean = r.reduce((a, v) => a + v, 0) / dim;
        const variance = r.reduce((a, v) => a + (v - mean) ** 2, 0) / dim;
        return r.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * w[i] + b[i]);
      }),
    );
    expectClose(y, want, 4);
    x.dispose();
    store.dispose();
  });

  it('leaves no tensor behind (forward and gradient)', () => {
    const store = new ParamStore(new Rng(31));
    const ln = new LayerNorm(store, 'ln', { dim: 6 });
    const x = new Rng(32).normalTensor([2, 3, 6]);
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(ln.apply(x), x)) as tf.Scalar, store.trainable(['ln.']));
      tf.dispose([value, ...Object.values(grads)]);
    });
    x.dispose();
    store.dispose();
  });
});

describe("Lloyd's k-means against a naive loop", () => {
  /** The same iterations from the same start: nearest centre (first on ties), mean of its points, empty stays. */
  function naiveLloyd(points: Mat, start: Mat, iterations: number): Mat {
    let centres = start.map((c) => [...c]);
    for (let it = 0; it < iterations; it++) {
      const sums = centres.map((c) => c.map(() => 0));
      const counts = centres.map(() => 0);
      for (const p of points) {
        let best = 0;
        let bestD = Infinity;
        centres.forEach((c, k) => {
          const dist = c.reduce((a, ck, i) => a + (p[i] - ck) ** 2, 0);
          if (dist < bestD) [best, bestD] = [k, dist];
        });
        counts[best]++;
        p.forEach((v, i) => (sums[best][i] += v));
      }
      centres = centres.map((c, k) => (counts[k] ? sums[k].map((s) => s / counts[k]) : c));
    }
    return centres;
  }

  it('the centres after 1, 3 and 8 steps are those of the naive loop from the same start', () => {
    const rng = new Rng(41);
    // Overlapping clusters, so assignments change between steps.
    const pts = Array.from({ length: 60 }, (_, i) => Array.from(rng.uniformArray(3, -1, 1), (v, j) => v + (i % 3 === j ? 1 : 0)));
    const x = tf.tensor2d(pts);
    const start = kmeans(x, 4, 0, new Rng(5));
    const startRows = start.arraySync();
    for (const iterations of [1, 3, 8]) {
      const c = kmeans(x, 4, iterations, new Rng(5));
      expectClose(c.arraySync(), naiveLloyd(pts, startRows, iterations), 4);
      c.dispose();
    }
    // The start is K distinct points of the data.
    expect(new Set(startRows.map((r) => pts.findIndex((p) => p.every((v, i) => Math.abs(v - r[i]) < 1e-6)))).size).toBe(4);
    expect(startRows.every((r) => pts.some((p) => p.every((v, i) => Math.abs(v - r[i]) < 1e-6)))).toBe(true);
    tf.dispose([x, start]);
  });

  it('leaves only its result behind', () => {
    const x = new Rng(42).normalTensor([30, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const c = kmeans(x, 3, 5, new Rng(1));
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([c, x]);
  });
});

describe('TextDiscriminator against a naive loop', () => {
  const V = 12;
  const hidden = 6;
  const rng = new Rng(7);
  // A sparse "real" distribution and a flat "generated" one, as D sees them in training.
  const sparse = Array.from({ length: V }, (_, i) => (i === 2 ? 0.5 : i === 7 ? 0.3 : i === 9 ? 0.2 : 0));
  const flat = Array.from({ length: V }, () => 1 / V);

  function naive(store: ParamStore, p: number[]): number {
    const h = affine(p, values<Mat>(store, 'D.fc1.weight'), values<number[]>(store, 'D.fc1.bias')).map((v) => (v > 0 ? v : 0.2 * v));
    return affine(h, values<Mat>(store, 'D.fc2.weight'), values<number[]>(store, 'D.fc2.bias'))[0];
  }

  it.each(['distribution', 'unit'] as const)('input %s: logit = w₂ LeakyReLU(W₁ x + b₁) + b₂ with x = p or p / ‖p‖₂ (eq. (15b))', (input) => {
    const store = new ParamStore(rng);
    const D = new TextDiscriminator(store, 'D', { vocabSize: V, hidden, input });
    const got = tf.tidy(() => D.apply(tf.tensor2d([sparse, flat])).arraySync());
    const scale = (p: number[]) => (input === 'unit' ? p.map((v) => v / Math.hypot(...p)) : p);
    expect(got).toEqual([naive(store, scale(sparse)), naive(store, scale(flat))].map((v) => expect.closeTo(v, 5)));
  });

  it('unit input: a distribution and any positive multiple of it get the same logit; no tensor left behind', () => {
    const store = new ParamStore(rng);
    const D = new TextDiscriminator(store, 'D', { vocabSize: V, hidden, input: 'unit' });
    expectNoLeak(() => {
      const [a, b] = tf.tidy(() => D.apply(tf.tensor2d([sparse, sparse.map((v) => 40 * v)])).arraySync());
      expect(a).toBeCloseTo(b, 5);
    });
  });
});
