import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import * as tf from '../../src/engine/tf.js';
import { loadDataset } from '../../src/data/registry.js';
import type { Dataset } from '../../src/data/types.js';
import { retrievalValidation } from '../../src/eval/validation.js';
import { resolveConfigs, topicCount } from '../../src/config.js';
import { train, type TrainOptions } from '../../src/train/train.js';
import { loadModel, type TrainedModel } from '../../src/train/trained-model.js';
import { TINY_IMAGE_MODEL } from '../support/tiny.js';

const TINY_MODEL = { ...TINY_IMAGE_MODEL, kmeansIterations: 5 };
const root = mkdtempSync(path.join(tmpdir(), 'sadsl-train-'));
let ds: Dataset;

function opts(out: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return { dataset: ds, model: TINY_MODEL, train: { maxSteps: 4, checkpointEvery: 2, validationSize: 40, seed: 3, P: 4, M: 4 }, out, validate: retrievalValidation, ...extra };
}

async function weightsOf(m: TrainedModel): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(m.net.getWeights())) out[k] = (await v.data()) as Float32Array;
  return out;
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  ds = await loadDataset('sample-images', { cache: false });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('train', () => {
  it('writes a run directory with config, a metrics log, checkpoints and the final model', async () => {
    const out = path.join(root, 'a');
    // The validator sees the held-out slice; what the log records must be what the final weights give on it.
    const seen: Int32Array[] = [];
    const r = await train(opts(out, { validate: (m, split, idx) => (seen.push(Int32Array.from(idx)), retrievalValidation(m, split, idx)) }));
    expect(r.steps).toBe(4);
    const log = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = log.filter((l) => l.type === 'step');
    expect(steps.length).toBeGreaterThan(0);
    for (const l of steps) for (const k of ['sim', 'rec', 'g', 'd', 'div', 'bal', 'total']) expect(Number.isFinite(l[k])).toBe(true);
    const epoch = log.find((l) => l.type === 'epoch');
    expect(seen).toHaveLength(1);
    expect(seen[0].length).toBe(40);
    expect(new Set(seen[0]).size).toBe(40);
    expect(epoch.topicUsage.logK).toBeCloseTo(Math.log(4), 5);
    expect(readdirSync(path.join(out, 'checkpoints')).filter((e) => e.startsWith('step-'))).toEqual(['step-0000002', 'step-0000004']);
    // save → load gives identical codes
    const loaded = await loadModel(out);
    const objects = { split: ds.test, indices: [0, 1, 2, 3, 4] };
    const before = await r.model.encode(objects);
    const after = await loaded.encode(objects);
    expect(Array.from(after.codes)).toEqual(Array.from(before.codes));
    const e1 = r.model.explain({ split: ds.test, indices: [0] }, { split: ds.test, indices: [1] });
    const e2 = loaded.explain({ split: ds.test, indices: [0] }, { split: ds.test, indices: [1] });
    expect(e2.score).toBe(e1.score);
    const again = await retrievalValidation(loaded, ds.train, seen[0]);
    expect(epoch.validation.mAP).toBeCloseTo(again.metrics.mAP, 10);
    expect(epoch.topicUsage.meanEntropyTheta).toBeCloseTo(again.usage?.meanEntropyTheta ?? NaN, 6);
    // The manifest records the spec the model was trained under (a new run: the default, v3).
    const manifest = JSON.parse(readFileSync(path.join(out, 'model', 'model.json'), 'utf8')).sadsl;
    expect(manifest.specVersion).toBe('v3');
    expect(manifest.config.spec).toBe('v3');
    loaded.dispose();
    r.model.dispose();
  });

  it('trains and saves a v2 model when the config asks for it, and loads a manifest written before v3', async () => {
    const out = path.join(root, 'v2');
    const r = await train(opts(out, { model: { ...TINY_MODEL, spec: 'v2' } }));
    expect(Object.keys(r.model.net.getWeights())).not.toContain('prototypes');
    const file = path.join(out, 'model', 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json.sadsl.specVersion).toBe('v2');
    delete json.sadsl.config.spec; // as saved before spec v3 existed
    writeFileSync(file, JSON.stringify(json));
    const loaded = await loadModel(out);
    expect(loaded.config.spec).toBe('v2');
    const objects = { split: ds.test, indices: [0, 1] };
    expect(Array.from((await loaded.encode(objects)).codes)).toEqual(Array.from((await r.model.encode(objects)).codes));
    loaded.dispose();
    r.model.dispose();
  });

  it('with classTopics equal gives every class the same number of topics, and records the K it used', async () => {
    const C = ds.classes.length;
    const trainCfg = resolveConfigs().train; // v3: class-assigned topics (λ_cluster 1)
    type Share = 'auto' | 'equal' | 'modulo';
    const K = (k: number, classTopics: Share, domain: 'image' | 'text' = 'image', t = trainCfg) => topicCount(resolveConfigs({ K: k, classTopics }).model, t, C, domain);
    expect(C).toBe(10);
    expect([K(32, 'equal'), K(25, 'equal'), K(10, 'equal'), K(4, 'equal'), K(32, 'modulo')]).toEqual([30, 20, 10, 10, 32]);
    // auto: equal shares for documents, K as given for images; topics not class-assigned: K as given.
    expect([K(32, 'auto', 'text'), K(32, 'auto', 'image'), K(32, 'modulo', 'text')]).toEqual([30, 32, 32]);
    expect(K(32, 'equal', 'text', { ...trainCfg, lambdaCluster: 0 })).toBe(32);
    const out = path.join(root, 'equal');
    const r = await train(opts(out, { model: { ...TINY_MODEL, K: 4, classTopics: 'equal' }, train: { maxSteps: 2, validationSize: 40, seed: 3, P: 4, M: 4 } }));
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).model.K).toBe(10);
    expect(r.model.config.K).toBe(10);
    expect((await r.model.encode({ split: ds.test, indices: [0] })).codes.length).toBe(10 * r.model.config.d);
    r.model.dispose();
  });

  it('resumes after a kill and reaches the weights of the uninterrupted run', async () => {
    const full = await train(opts(path.join(root, 'full')));
    const out = path.join(root, 'killed');
    // Simulate a kill right after the checkpoint of step 2.
    await expect(
      train(opts(out, { onEvent: (e) => { if (e.type === 'checkpoint' && e.step === 2) throw new Error('killed'); } })),
    ).rejects.toThrow('killed');
    const resumed = await train({ dataset: '', out, resume: true });
    expect(resumed.steps).toBe(2);
    const a = await weightsOf(full.model);
    const b = await weightsOf(resumed.model);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(Array.from(b[k]), k).toEqual(Array.from(a[k]));
    full.model.dispose();
    resumed.model.dispose();
  });

  it('does not leak tensors across training', async () => {
    const before = tf.memory().numTensors;
    const r = await train({ ...opts(path.join(root, 'leak')), train: { maxSteps: 3, validationSize: 0, P: 4, M: 4 } });
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad config fields by name and a resume without a run', async () => {
    await expect(train({ dataset: ds, train: { P: 0 } })).rejects.toThrow(/P:/);
    await expect(train({ dataset: ds, model: { variant: 'nope' as never } })).rejects.toThrow(/variant/);
    await expect(train({ dataset: '', out: path.join(root, 'none'), resume: true })).rejects.toThrow(/no run found/);
  });
});
