import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/tf.js';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import { VARIANTS, modelConfigSchema, type Variant } from '../../src/config.js';
import { cellSpread } from '../../src/model/encoder-image.js';
import { SadslModel } from '../../src/model/sadsl.js';
import { disposeInputs, sliceInputs } from '../../src/model/inputs.js';
import type { InputSpec, ModelInputs } from '../../src/model/types.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const d = 16;
const K = 4;
const V = 50;
const L = 32;
const B = 6;
const config = (variant: Variant) => modelConfigSchema.parse({ variant, d, K, imageChannels: [4, 8, 16], docHidden: 32 });
const imageSpec: InputSpec = { domain: 'image', height: 12, width: 12, channels: 1 };
const textSpec: InputSpec = { domain: 'text', vocabSize: V, maxLength: L };

function batch(spec: InputSpec, seed: number): ModelInputs {
  const rng = new Rng(seed);
  if (spec.domain === 'image') return { domain: 'image', images: rng.uniformTensor([B, 12, 12, 1], -1, 1) as tf.Tensor4D };
  const lengths = [32, 20, 9, 3, 0, 14];
  const ids = new Int32Array(B * L);
  const bow = new Float32Array(B * V);
  lengths.forEach((n, b) => {
    for (let t = 0; t < n; t++) {
      const w = 1 + rng.int(V);
      ids[b * L + t] = w;
      bow[b * V + w - 1] += 1 / n;
    }
  });
  return {
    domain: 'text',
    ids: tf.tensor2d(ids, [B, L], 'int32'),
    mask: tf.tensor2d(Array.from(ids, (i) => (i ? 1 : 0)), [B, L]),
    bow: tf.tensor2d(bow, [B, V]),
  };
}

const regionsOf = (spec: InputSpec): number => (spec.domain === 'image' ? 9 : 4);

describe.each([
  ['image', imageSpec],
  ['text', textSpec],
] as const)('SadslModel (%s)', (_name, spec) => {
  it('forward: shapes, masks, θ on the simplex, α over real regions, unit codes', () => {
    const m = SadslModel.create(config('full'), spec, 1);
    const x = batch(spec, 2);
    const R = regionsOf(spec);
    const out = tf.tidy(() => {
      const f = m.forward(x, true);
      expect(f.features.shape).toEqual([B, R, d]);
      expect(f.affinity.shape).toEqual([B, R, K]);
      expect(f.views.shape).toEqual([B, K, d]);
      expect(f.viewNorms.shape).toEqual([B, K]);
      expect(f.codes.shape).toEqual([B, K * d]);
      expect(f.topicCode.shape).toEqual([B, d]);
      return {
        mask: f.regionMask.arraySync() as number[][],
        alpha: f.alpha.arraySync() as number[][],
        theta: f.theta.arraySync() as number[][],
        norms: tf.norm(f.codes, 'euclidean', 1).arraySync() as number[],
      };
    });
    if (spec.domain === 'text') {
      expect(out.mask).toEqual([
        [1, 1, 1, 1],
        [1, 1, 1, 0],
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [1, 0, 0, 0],
        [1, 1, 0, 0],
      ]);
    } else expect(out.mask.flat().every((v) => v === 1)).toBe(true);
    out.alpha.forEach((row, b) => {
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      row.forEach((a, r) => (out.mask[b][r] === 0 ? expect(a).toBe(0) : expect(a).toBeGreaterThan(0)));
    });
    out.theta.forEach((row) => expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5));
    out.norms.forEach((n) => expect(n).toBeCloseTo(1, 3));
    disposeInputs(x);
    m.dispose();
  });

  it('generator and discriminator shapes', () => {
    const m = SadslModel.create(config('full'), spec, 1);
    const [gen, logits] = tf.tidy(() => {
      const g = m.generate(tf.zeros([3, d]), new Rng(1).normalTensor([3, 16]) as tf.Tensor2D, true);
      return [g, m.discriminate(g, true)];
    });
    if (spec.domain === 'image') {
      expect(gen.shape).toEqual([3, 12, 12, 1]);
      const v = gen.dataSync();
      expect(Math.max(...v)).toBeLessThanOrEqual(1);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    } else {
      expect(gen.shape).toEqual([3, V]);
      const rows = gen.sum(1).dataSync();
      rows.forEach((s) => expect(s).toBeCloseTo(1, 5));
    }
    expect(logits.shape).toEqual([3]);
    tf.dispose([gen, logits]);
    m.dispose();
  });

  it.each(VARIANTS)('variant %s: s symmetric, in [-1, 1], s(x, x) ≈ 1, explanation exact on both sides', (variant) => {
    const m = SadslModel.create(config(variant), spec, 3);
    tf.tidy(() => (m.getWeights()['attn.gamma'] as tf.Variable).assign(tf.scalar(0.5)));
    const x = batch(spec, 4);
    m.initTopics(x, new Rng(9));
    const z = m.encode(x);
    expect(z.shape).toEqual([B, variant === 'no-topics' ? d : K * d]);
    const S = tf.tidy(() => tf.matMul(z, z, false, true).arraySync() as number[][]);
    for (let i = 0; i < B; i++) {
      expect(S[i][i]).toBeCloseTo(1, 3);
      for (let j = 0; j < B; j++) {
        expect(S[i][j]).toBeCloseTo(S[j][i], 6);
        expect(Math.abs(S[i][j])).toBeLessThanOrEqual(1 + 1e-6);
      }
    }
    for (const [i, j] of [
      [0, 1],
      [2, 4],
      [3, 3],
    ]) {
      const a = sliceInputs(x, i, i + 1);
      const b = sliceInputs(x, j, j + 1);
      const e = m.explain(a, b);
      expect(e.score).toBeCloseTo(S[i][j], 5);
      const total = (rows: number[][]): number => rows.flat().reduce((s, v) => s + v, 0);
      expect(Math.abs(e.topics.reduce((s, t) => s + t.contribution, 0) - e.score)).toBeLessThan(1e-5);
      expect(Math.abs(total(e.regions.a) - e.score)).toBeLessThan(1e-5);
      expect(Math.abs(total(e.regions.b) - e.score)).toBeLessThan(1e-5);
      expect(e.topics.length).toBe(variant === 'no-topics' ? 1 : K);
      expect(e.regions.a.length).toBe(regionsOf(spec));
      e.topics.forEach((t, k) => {
        expect(e.regions.a.reduce((s, row) => s + row[k], 0)).toBeCloseTo(t.contribution, 5);
      });
      if (spec.domain === 'text' && i === 2) expect(e.regions.a[3].every((v) => v === 0)).toBe(true);
      disposeInputs(a);
      disposeInputs(b);
    }
    expect(() => m.explain(x, x)).toThrow(/one object/);
    if (spec.domain === 'image' && variant === 'full') {
      // eqs. (14)–(14″) in plain loops: each feature's contribution, what it read from the others through the
      // non-local block handed back to them (γ set away from its initial 0), then spread over pixel cells (ρ)
      const gamma = 0.3;
      (m.getWeights()['attn.gamma'] as tf.Variable).assign(tf.scalar(gamma));
      const a = sliceInputs(x, 0, 1);
      const b = sliceInputs(x, 1, 2);
      const [fa, fb] = [a, b].map((o) => {
        const f = m.forward(o, false);
        const out = {
          f: f.regionInputs.arraySync()[0],
          A: f.attention.arraySync()[0],
          v: f.values.arraySync()[0],
          feats: f.features.arraySync()[0],
          alpha: f.alpha.arraySync()[0],
          aff: f.affinity.arraySync()[0],
          views: f.views.arraySync()[0],
          norms: f.viewNorms.arraySync()[0],
          theta: f.theta.arraySync()[0],
        };
        tf.dispose(Object.values(f));
        return out;
      });
      const c = m.config;
      const R = regionsOf(spec);
      const dot = (u: number[], w: number[]): number => u.reduce((s, v, j) => s + v * w[j], 0);
      // f'_r = f_r + γ Σ_j A_rj v_j: the forward pass agrees
      fa.feats.forEach((fr, r) => fr.forEach((v, t) => expect(v).toBeCloseTo(fa.f[r][t] + gamma * fa.A[r].reduce((s, arj, j) => s + arj * fa.v[j][t], 0), 5)));
      const vb = fb.views.map((view, k) => view.map((v) => v / (fb.norms[k] + c.eps)));
      const coef = (r: number, k: number): number => (Math.sqrt(fa.theta[k] + c.sqrtEps) * Math.sqrt(fb.theta[k] + c.sqrtEps) * fa.alpha[r] * fa.aff[r][k]) / (fa.norms[k] + c.eps);
      const byRegion = Array.from({ length: R }, (_, j) =>
        Array.from({ length: K }, (_, k) => coef(j, k) * dot(fa.f[j], vb[k]) + gamma * fa.A.reduce((s, row, r) => s + coef(r, k) * row[j], 0) * dot(fa.v[j], vb[k])),
      );
      const rho = cellSpread(3, 3);
      const e = m.explain(a, b);
      for (let u = 0; u < R; u++) {
        for (let k = 0; k < K; k++) expect(e.regions.a[u][k]).toBeCloseTo(byRegion.reduce((s, row, j) => s + rho[u * R + j] * row[k], 0), 5);
      }
      expect(Math.abs(e.regions.a.flat().reduce((s, v) => s + v, 0) - e.score)).toBeLessThan(1e-5);
      disposeInputs(a);
      disposeInputs(b);
    }
    tf.dispose(z);
    disposeInputs(x);
    m.dispose();
  });

  it('k-means init writes the topics and leaves BatchNorm running statistics alone', () => {
    const m = SadslModel.create(config('full'), spec, 5);
    const x = batch(spec, 6);
    const w = m.getWeights();
    const before = Array.from(m.topics.dataSync());
    const bnNames = Object.keys(w).filter((n) => n.includes('running'));
    const bnBefore = bnNames.map((n) => Array.from(w[n].dataSync()));
    m.initTopics(x, new Rng(1));
    expect(Array.from(m.topics.dataSync())).not.toEqual(before);
    bnNames.forEach((n, i) => expect(Array.from(w[n].dataSync())).toEqual(bnBefore[i]));
    // the centres are region features: each topic equals the mean of some real-region features, so its norm
    // is that of a feature (features are far larger than the 0.02-normal random topics)
    const norms = tf.tidy(() => tf.norm(m.topics, 'euclidean', 1).arraySync() as number[]);
    norms.forEach((n) => expect(n).toBeGreaterThan(0.1));
    disposeInputs(x);
    m.dispose();
  });

  it('gradients through generate(h(x)) reach the topics and the encoder; optimiser groups are disjoint', () => {
    const m = SadslModel.create(config('full'), spec, 7);
    const x = batch(spec, 8);
    const groups = m.trainableGroups();
    const names = new Map(Object.entries(m.getWeights()).map(([n, v]) => [v as tf.Variable, n]));
    const { grads, value } = tf.variableGrads(() => {
      const f = m.forward(x, true);
      const g = m.generate(f.topicCode, tf.zeros([B, 16]), true);
      const target = x.domain === 'image' ? x.images : x.bow;
      return tf.add(tf.mean(tf.abs(tf.sub(g, target))), tf.mean(tf.softplus(tf.neg(m.discriminate(g, true))))) as tf.Scalar;
    }, [...groups.main, ...groups.generator]);
    const gradNorm = (name: string): number => {
      const v = [...names.entries()].find(([, n]) => n === name)![0];
      return tf.tidy(() => tf.norm(grads[v.name]).dataSync()[0]);
    };
    expect(gradNorm('topics')).toBeGreaterThan(0);
    expect(gradNorm(spec.domain === 'image' ? 'enc.conv1.weight' : 'enc.embedding.weight')).toBeGreaterThan(0);
    expect(gradNorm('attn.Wa.weight')).toBeGreaterThan(0);
    expect(gradNorm(spec.domain === 'image' ? 'G.fc.weight' : 'G.fc1.weight')).toBeGreaterThan(0);
    const all = [...groups.main, ...groups.generator, ...groups.discriminator];
    expect(new Set(all).size).toBe(all.length);
    expect(groups.main.map((v) => names.get(v)!).every((n) => !n.startsWith('G.') && !n.startsWith('D.'))).toBe(true);
    expect(all.some((v) => names.get(v)!.includes('running'))).toBe(false);
    tf.dispose([value, ...Object.values(grads)]);
    disposeInputs(x);
    m.dispose();
  });

  it('getWeights/setWeights round trip gives identical codes; bad weights are rejected', () => {
    const a = SadslModel.create(config('full'), spec, 11);
    const b = SadslModel.create(config('full'), spec, 12);
    const x = batch(spec, 13);
    tf.tidy(() => {
      a.forward(x, true);
    }); // move the BatchNorm running statistics away from their init
    const za = a.encode(x);
    const zb0 = b.encode(x);
    expect(Array.from(zb0.dataSync())).not.toEqual(Array.from(za.dataSync()));
    b.setWeights(a.getWeights());
    const zb = b.encode(x);
    expect(Array.from(zb.dataSync())).toEqual(Array.from(za.dataSync()));
    const w = { ...a.getWeights() };
    delete w['topics'];
    expect(() => b.setWeights(w)).toThrow(/missing 'topics'/);
    expect(() => b.setWeights({ ...a.getWeights(), topics: tf.zeros([K + 1, d]) })).toThrow(/'topics' has shape/);
    tf.dispose([za, zb0, zb]);
    disposeInputs(x);
    a.dispose();
    b.dispose();
  });

  it('no tensor leak over repeated forward / encode / explain / initTopics', () => {
    const m = SadslModel.create(config('full'), spec, 1);
    const x = batch(spec, 2);
    const a = sliceInputs(x, 0, 1);
    const once = (): void => {
      tf.tidy(() => {
        m.forward(x, true);
      });
      m.encode(x).dispose();
      m.explain(a, a);
      m.initTopics(x, new Rng(1));
    };
    once();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(n);
    disposeInputs(a);
    disposeInputs(x);
    m.dispose();
  });
});

describe('SadslModel checks', () => {
  it('no-adversarial has no G or D', () => {
    const m = SadslModel.create(config('no-adversarial'), imageSpec, 1);
    expect(m.hasAdversarial).toBe(false);
    expect(m.trainableGroups().generator).toEqual([]);
    expect(() => m.generate(tf.zeros([1, d]), tf.zeros([1, 16]), false)).toThrow(/no generator/);
    m.dispose();
  });

  it('rejects inputs of the other domain and an encoder width different from d', () => {
    const m = SadslModel.create(config('full'), imageSpec, 1);
    const x = batch(textSpec, 1);
    expect(() => m.encode(x)).toThrow(/expects image inputs/);
    disposeInputs(x);
    m.dispose();
    expect(() => SadslModel.create({ ...config('full'), imageChannels: [4, 8, 32] }, imageSpec, 1)).toThrow(/must equal d/);
  });

  it('the same seed gives the same weights', () => {
    const a = SadslModel.create(config('full'), textSpec, 42);
    const b = SadslModel.create(config('full'), textSpec, 42);
    const wa = a.getWeights();
    const wb = b.getWeights();
    expect(Object.keys(wa)).toEqual(Object.keys(wb));
    for (const k of Object.keys(wa)) expect(Array.from(wa[k].dataSync())).toEqual(Array.from(wb[k].dataSync()));
    a.dispose();
    b.dispose();
  });

  it('document centring removes the direction every document shares (and is a no-op for images)', () => {
    const n = 48;
    const rng = new Rng(5);
    const ids = new Int32Array(n * L);
    for (let b = 0; b < n; b++) for (let t = 0; t < 4 + rng.int(L - 4); t++) ids[b * L + t] = 1 + rng.int(V);
    const x: ModelInputs = {
      domain: 'text',
      ids: tf.tensor2d(ids, [n, L], 'int32'),
      mask: tf.tensor2d(Array.from(ids, (i) => (i ? 1 : 0)), [n, L]),
      bow: tf.zeros([n, V]),
    };
    // Mean cosine between the mean real-segment features of two different documents.
    const meanCos = (m: SadslModel): number =>
      tf.tidy(() => {
        const f = m.forward(x, false);
        const w = f.regionMask.expandDims(2);
        const g = tf.div(tf.sum(tf.mul(f.features, w), 1), tf.sum(w, 1)); // [n, d]
        const u = tf.div(g, tf.norm(g, 'euclidean', 1, true));
        return (tf.sum(tf.matMul(u, u, false, true)).dataSync()[0] - n) / (n * n - n);
      });
    const m = SadslModel.create(config('full'), textSpec, 3);
    const before = meanCos(m);
    const tensors = tf.memory().numTensors;
    m.centreFeatures(x);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = meanCos(m);
    expect(before).toBeGreaterThan(0.5);
    expect(Math.abs(after)).toBeLessThan(0.1);
    const none = SadslModel.create({ ...config('full'), docCentring: 'none' }, textSpec, 3);
    const bias = Array.from(none.getWeights()['enc.proj.bias'].dataSync());
    none.centreFeatures(x);
    expect(Array.from(none.getWeights()['enc.proj.bias'].dataSync())).toEqual(bias);
    const img = SadslModel.create(config('full'), imageSpec, 3);
    const y = batch(imageSpec, 1);
    const codes = img.encode(y);
    img.centreFeatures(y);
    const again = img.encode(y);
    expect(Array.from(again.dataSync())).toEqual(Array.from(codes.dataSync()));
    tf.dispose([codes, again]);
    disposeInputs(x);
    disposeInputs(y);
    [m, none, img].forEach((k) => k.dispose());
  });
});
