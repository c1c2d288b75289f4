import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelConfigSchema, parseConfig, trainConfigSchema, type Variant } from '../../src/config.js';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import * as tf from '../../src/engine/tf.js';
import { ModelError } from '../../src/errors.js';
import { SadslModel } from '../../src/model/sadsl.js';
import type { ModelInputs } from '../../src/model/types.js';
import { JointTrainer, jointLoss, lossWeights, type JointLoss } from '../../src/train/joint-step.js';

const IMAGE = { domain: 'image', height: 8, width: 8, channels: 1 } as const;
const TRAIN = parseConfig(trainConfigSchema, { P: 2, M: 4 }, 'train config');
const DEVIANCE = { beta: TRAIN.beta, margin: TRAIN.margin };

function tinyModel(variant: Variant = 'full', seed = 1): SadslModel {
  const config = parseConfig(
    modelConfigSchema,
    { variant, d: 16, K: 4, imageChannels: [4, 8, 16], noiseDim: 4, kmeansIterations: 5 },
    'model config',
  );
  return SadslModel.create(config, IMAGE, seed);
}

/** Two trivially separable classes of 8×8 images: bright top half vs bright bottom half, plus noise. */
function separableBatch(rng: Rng): { x: ModelInputs; labels: Int32Array } {
  const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
  const px = new Float32Array(8 * 64);
  for (let b = 0; b < 8; b++) {
    for (let i = 0; i < 64; i++) {
      const top = i < 32;
      px[b * 64 + i] = (top === (labels[b] === 0) ? 0.8 : -0.8) + 0.2 * rng.normal();
    }
  }
  return { x: { domain: 'image', images: tf.tensor4d(px, [8, 8, 8, 1]) }, labels };
}

function disposeX(x: ModelInputs): void {
  if (x.domain === 'image') x.images.dispose();
  else tf.dispose([x.ids, x.mask, x.bow]);
}

type Term = (l: JointLoss) => tf.Scalar;

/** Sum of |gradient| per weight name prefix ('enc', 'attn', 'topics', 'G'), for one loss term. */
function gradMass(model: SadslModel, term: Term, x: ModelInputs, labels: Int32Array): Record<string, number> {
  const names = new Map(Object.entries(model.getWeights()).map(([k, v]) => [(v as tf.Variable).name, k]));
  const groups = model.trainableGroups();
  const noise = tf.randomNormal([8, model.config.noiseDim]) as tf.Tensor2D;
  const weights = lossWeights(model, TRAIN);
  const { value, grads } = tf.variableGrads(
    () => term(jointLoss(model, x, labels, weights, DEVIANCE, noise)),
    [...groups.main, ...groups.generator],
  );
  const mass: Record<string, number> = {};
  for (const [id, g] of Object.entries(grads)) {
    const key = names.get(id)!.split('.')[0];
    mass[key] = (mass[key] ?? 0) + tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]);
  }
  tf.dispose([value, noise, ...Object.values(grads)]);
  return mass;
}

// Gradient checks run on cpu (the reference backend); multi-step behaviour on wasm, whose training kernels
// are checked against cpu by the last test.
describe('JointTrainer on cpu', () => {
  const toDispose: { dispose(): void }[] = [];
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });
  afterEach(() => {
    for (const d of toDispose.splice(0)) d.dispose();
  });

  it('sends the gradients of L_rec and L_G into the topics and the encoder', () => {
    const model = tinyModel();
    toDispose.push(model);
    const { x, labels } = separableBatch(new Rng(4));
    for (const term of [(l: JointLoss) => l.rec, (l: JointLoss) => l.g]) {
      const mass = gradMass(model, term, x, labels);
      expect(mass.topics).toBeGreaterThan(0);
      expect(mass.enc).toBeGreaterThan(0);
      expect(mass.attn).toBeGreaterThan(0);
      expect(mass.G).toBeGreaterThan(0);
    }
    disposeX(x);
  });

  it('variant no-adversarial: no G/D terms, no gradient from them, only the main optimiser', async () => {
    const model = tinyModel('no-adversarial');
    const rng = new Rng(5);
    const trainer = new JointTrainer(model, TRAIN, rng);
    toDispose.push(model, trainer);
    expect(lossWeights(model, TRAIN)).toEqual({ sim: 1, rec: 0, adv: 0, div: 0.1, bal: 0.5, proto: 0, sharp: 0, protoSharp: 0, cluster: 0, balanceOn: 'batch', proxyTemperature: 0.05 });
    const lambdaCluster = parseConfig(trainConfigSchema, { ...TRAIN, lambdaCluster: 1 }, 'train config');
    expect(() => lossWeights(model, lambdaCluster)).toThrow(/lambdaCluster > 0 needs .*model.proxies/);
    const { x, labels } = separableBatch(rng);
    const groups = model.trainableGroups();
    expect(() =>
      tf.variableGrads(() => {
        const l = jointLoss(model, x, labels, trainer.weights, DEVIANCE, null);
        return tf.add(l.rec, l.g) as tf.Scalar;
      }, groups.main),
    ).toThrow(/connection/);
    const l = trainer.step(x, labels);
    expect([l.rec, l.g, l.d]).toEqual([0, 0, 0]);
    expect(l.total).toBeCloseTo(l.sim + 0.1 * l.div + 0.5 * l.bal, 4);
    const state = await trainer.getState();
    expect(Object.keys(state).some((k) => k.startsWith('generator') || k.startsWith('discriminator'))).toBe(false);
    tf.dispose(Object.values(state));
    disposeX(x);
  });

  it('proxyLrScale: the prototypes take a step s times longer (own Adam), every other weight the same step', async () => {
    const config = parseConfig(modelConfigSchema, { variant: 'no-adversarial', d: 16, K: 4, imageChannels: [4, 8, 16], kmeansIterations: 5, proxies: true }, 'model config');
    const deltas: Record<string, Float32Array>[] = [];
    for (const proxyLrScale of [1, 10]) {
      const model = SadslModel.create(config, IMAGE, 3, 2);
      const train = parseConfig(trainConfigSchema, { P: 2, M: 4, lambdaProxy: 1, proxyLrScale }, 'train config');
      const rng = new Rng(6);
      const trainer = new JointTrainer(model, train, rng);
      toDispose.push(model, trainer);
      const values = () => Object.fromEntries(Object.entries(model.getWeights()).map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
      const before = values();
      const { x, labels } = separableBatch(rng);
      trainer.step(x, labels);
      disposeX(x);
      const after = values();
      deltas.push(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v.map((a, i) => a - before[k][i])])));
      const state = await trainer.getState();
      expect(Object.keys(state).includes('prototypes/iter')).toBe(proxyLrScale !== 1);
      tf.dispose(Object.values(state));
    }
    const [one, ten] = deltas;
    expect(Array.from(one.prototypes).some((v) => Math.abs(v) > 1e-5)).toBe(true);
    expect(Array.from(ten.prototypes)).toEqual(Array.from(one.prototypes, (v) => expect.closeTo(10 * v, 6)));
    for (const name of Object.keys(one).filter((k) => k !== 'prototypes')) expect(Array.from(ten[name])).toEqual(Array.from(one[name]));
  });

  // On cpu: wasm lacks UnsortedSegmentSum, the gradient of the embedding lookup.
  it('trains a tiny document model (reconstruction near 1 at init)', () => {
    const config = parseConfig(
      modelConfigSchema,
      { d: 16, K: 4, noiseDim: 4, vocabSize: 30, maxLength: 16, docWindow: 4, docHidden: 8 },
      'model config',
    );
    const model = SadslModel.create(config, { domain: 'text', vocabSize: 30, maxLength: 16 }, 2);
    const rng = new Rng(10);
    const trainer = new JointTrainer(model, TRAIN, rng);
    toDispose.push(model, trainer);
    const ids = new Int32Array(8 * 16);
    const bow = new Float32Array(8 * 30);
    for (let b = 0; b < 8; b++) {
      for (let t = 0; t < 12; t++) ids[b * 16 + t] = 1 + (b < 4 ? 0 : 14) + rng.int(14);
      for (let t = 0; t < 12; t++) bow[b * 30 + ids[b * 16 + t]] += 1 / 12;
    }
    const x: ModelInputs = {
      domain: 'text',
      ids: tf.tensor2d(ids, [8, 16], 'int32'),
      mask: tf.tensor2d(Float32Array.from(ids, (i) => (i ? 1 : 0)), [8, 16]),
      bow: tf.tensor2d(bow, [8, 30]),
    };
    const l = trainer.step(x, Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]));
    for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
    expect(l.rec).toBeGreaterThan(0.8);
    expect(l.rec).toBeLessThan(1.3);
    disposeX(x);
  });
});

describe('JointTrainer on wasm', () => {
  const toDispose: { dispose(): void }[] = [];
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
  });
  afterEach(() => {
    for (const d of toDispose.splice(0)) d.dispose();
  });

  it('lowers the similarity loss on a separable set within 20 steps', () => {
    const model = tinyModel();
    const rng = new Rng(3);
    const { x, labels } = separableBatch(rng);
    model.initTopics(x, rng);
    const trainer = new JointTrainer(model, TRAIN, rng);
    toDispose.push(model, trainer);
    const first = trainer.step(x, labels);
    let last = first;
    for (let s = 1; s < 20; s++) last = trainer.step(x, labels);
    for (const v of Object.values(last)) expect(Number.isFinite(v)).toBe(true);
    expect(first.total).toBeCloseTo(
      first.sim + first.rec + 0.1 * first.g + 0.1 * first.div + 0.5 * first.bal,
      4,
    );
    expect(last.sim).toBeLessThan(0.7 * first.sim);
    expect(last.total).toBeLessThan(first.total);
    expect(first.d).toBeGreaterThan(0);
    disposeX(x);
  });

  it('variant no-topics: no diversity or balance term', () => {
    const model = tinyModel('no-topics');
    const rng = new Rng(6);
    const trainer = new JointTrainer(model, TRAIN, rng);
    toDispose.push(model, trainer);
    const { x, labels } = separableBatch(rng);
    const l = trainer.step(x, labels);
    expect([l.div, l.bal]).toEqual([0, 0]);
    expect(l.rec).toBeGreaterThan(0);
    expect(l.total).toBeCloseTo(l.sim + l.rec + 0.1 * l.g, 4);
    disposeX(x);
  });

  it('leaks no tensors over 5 steps', () => {
    const model = tinyModel();
    const rng = new Rng(7);
    const trainer = new JointTrainer(model, TRAIN, rng);
    toDispose.push(model, trainer);
    const { x, labels } = separableBatch(rng);
    trainer.step(x, labels); // creates the Adam moments
    const before = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) trainer.step(x, labels);
    expect(tf.memory().numTensors).toBe(before);
    disposeX(x);
  });

  it('getState/setState with the same Rng state and weights reproduces the next step exactly', async () => {
    const model = tinyModel();
    const rng = new Rng(8);
    const { x, labels } = separableBatch(rng);
    const trainer = new JointTrainer(model, TRAIN, rng);
    toDispose.push(model, trainer);
    trainer.step(x, labels);
    trainer.step(x, labels);
    const state = await trainer.getState();
    expect(Object.keys(state)).toContain('main/topics/m');
    expect(Object.keys(state)).toContain('discriminator/iter');
    const weights = Object.fromEntries(Object.entries(model.getWeights()).map(([k, v]) => [k, v.clone()]));
    const rngState = rng.getState();
    const want = trainer.step(x, labels);
    const snapshot = () => Object.fromEntries(Object.entries(model.getWeights()).map(([k, v]) => [k, v.dataSync().slice()]));
    const wantWeights = snapshot();
    trainer.step(x, labels); // move on, so the restore has something to undo

    model.setWeights(weights);
    const resumedRng = new Rng(0);
    resumedRng.setState(rngState);
    const restored = new JointTrainer(model, TRAIN, resumedRng);
    toDispose.push(restored);
    await restored.setState(state);
    const got = restored.step(x, labels);
    expect(got).toEqual(want);
    const gotWeights = snapshot();
    for (const k of Object.keys(wantWeights)) expect(gotWeights[k], k).toEqual(wantWeights[k]);
    tf.dispose([...Object.values(state), ...Object.values(weights)]);
    disposeX(x);
  });

  it('setState rejects a state of another shape', async () => {
    const model = tinyModel();
    const rng = new Rng(9);
    const trainer = new JointTrainer(model, TRAIN, rng);
    toDispose.push(model, trainer);
    const { x, labels } = separableBatch(rng);
    trainer.step(x, labels);
    const state = await trainer.getState();
    const bad = { ...state, 'main/topics/m': tf.zeros([3, 16]) };
    await expect(trainer.setState(bad)).rejects.toThrow(ModelError);
    await expect(trainer.setState(bad)).rejects.toThrow(/main\/topics/);
    tf.dispose([...Object.values(state), bad['main/topics/m']]);
    disposeX(x);
  });

});

/** A tiny document model and a batch of 8 documents of two classes (class words 1–10 vs 11–20, padded). */
function tinyDocs(seed: number, rng: Rng): { model: SadslModel; x: ModelInputs; labels: Int32Array } {
  const V = 40;
  const L = 32;
  const config = parseConfig(
    modelConfigSchema,
    { d: 16, K: 4, noiseDim: 4, vocabSize: V, maxLength: L, docHidden: 16, kmeansIterations: 5 },
    'model config',
  );
  const model = SadslModel.create(config, { domain: 'text', vocabSize: V, maxLength: L }, seed);
  const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
  const ids = new Int32Array(8 * L);
  const mask = new Float32Array(8 * L);
  const bow = new Float32Array(8 * V);
  for (let b = 0; b < 8; b++) {
    const len = 10 + rng.int(L - 10);
    for (let t = 0; t < len; t++) {
      const w = labels[b] * 10 + 1 + rng.int(10) + (rng.next() < 0.3 ? 20 : 0); // ids 1..40
      ids[b * L + t] = w;
      mask[b * L + t] = 1;
      bow[b * V + w - 1] += 1 / len;
    }
  }
  const x: ModelInputs = { domain: 'text', ids: tf.tensor2d(ids, [8, L], 'int32'), mask: tf.tensor2d(mask, [8, L]), bow: tf.tensor2d(bow, [8, V]) };
  return { model, x, labels };
}

describe('JointTrainer across backends', () => {
  const run = async (backend: string, make: () => { model: SadslModel; x: ModelInputs; labels: Int32Array; rng: Rng }) => {
    await initEngine({ backend });
    const { model, x, labels, rng } = make();
    const noise = rng.normalTensor([8, model.config.noiseDim]) as tf.Tensor2D;
    const names = new Map(Object.entries(model.getWeights()).map(([k, v]) => [(v as tf.Variable).name, k]));
    const groups = model.trainableGroups();
    let terms: number[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const l = jointLoss(model, x, labels, lossWeights(model, TRAIN), DEVIANCE, noise);
      terms = [l.sim, l.rec, l.g, l.div, l.bal, l.total].map((t) => t.dataSync()[0]);
      return l.total;
    }, [...groups.main, ...groups.generator]);
    const g = Object.fromEntries(Object.entries(grads).map(([id, t]) => [names.get(id)!, t.dataSync().slice()]));
    tf.dispose([value, noise, ...Object.values(grads)]);
    model.dispose();
    disposeX(x);
    return { terms, g };
  };

  const expectSame = (cpu: Awaited<ReturnType<typeof run>>, wasm: Awaited<ReturnType<typeof run>>) => {
    cpu.terms.forEach((v, i) => expect(wasm.terms[i]).toBeCloseTo(v, 4));
    expect(Object.keys(wasm.g).sort()).toEqual(Object.keys(cpu.g).sort());
    for (const k of Object.keys(cpu.g)) {
      const a = cpu.g[k];
      const b = wasm.g[k];
      let scale = 0;
      let diff = 0;
      for (let i = 0; i < a.length; i++) {
        scale = Math.max(scale, Math.abs(a[i]));
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      expect(diff, k).toBeLessThanOrEqual(1e-6 + 1e-3 * scale);
    }
  };

  it('computes the same losses and gradients on wasm as on cpu (images)', async () => {
    const make = () => {
      const rng = new Rng(12);
      return { model: tinyModel('full', 11), ...separableBatch(rng), rng };
    };
    expectSame(await run('cpu', make), await run('wasm', make));
  });

  it('computes the same losses and gradients on wasm as on cpu (documents)', async () => {
    const make = () => {
      const rng = new Rng(5);
      return { ...tinyDocs(4, rng), rng };
    };
    const cpu = await run('cpu', make);
    expect(Object.keys(cpu.g)).toContain('enc.embedding.weight');
    expectSame(cpu, await run('wasm', make));
  });
});
