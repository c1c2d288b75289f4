import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, modelConfigSchema } from '../../src/config.js';
import { loadDataset } from '../../src/data/registry.js';
import type { Dataset, ImageSplit } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import * as tf from '../../src/engine/tf.js';
import { ArgumentError } from '../../src/errors.js';
import { subsetSplit } from '../../src/eval/experiment.js';
import type { DenseCodes } from '../../src/train/codes.js';
import { createMethod, methodsFor } from '../../src/eval/methods/index.js';
import { SadslModel } from '../../src/model/sadsl.js';
import { EmbeddingNet } from '../../src/train/embedding-net.js';
import { Preprocessor } from '../../src/train/preprocess.js';
import { TINY_IMAGE_MODEL, TINY_TEXT_MODEL } from '../support/tiny.js';


function norms(c: DenseCodes): number[] {
  return Array.from({ length: c.codes.length / c.dim }, (_, i) => Math.hypot(...c.codes.subarray(i * c.dim, (i + 1) * c.dim)));
}

/** The first n objects of a split (keeps the tests fast). */
function head(split: ImageSplit, n: number): ImageSplit {
  const size = split.height * split.width * split.channels;
  return { ...split, n, pixels: split.pixels.slice(0, n * size), labels: split.labels.slice(0, n) };
}

describe('methods', () => {
  let images: Dataset;
  let texts: Dataset;
  let tmp: string;
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    images = await loadDataset('sample-images');
    texts = await loadDataset('sample-text');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sadsl-methods-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('lists the ids of each domain and rejects others', () => {
    expect(methodsFor('image')).toEqual([
      'sadsl', 'sadsl-no-attention', 'sadsl-no-adversarial', 'sadsl-no-topics', 'raw', 'pca', 'contrastive', 'triplet', 'multi-similarity', 'softmax',
    ]);
    expect(methodsFor('text')).toContain('lsa');
    expect(methodsFor('text')).not.toContain('pca');
    expect(() => createMethod('pca', 'text', { epochs: 1 })).toThrow(ArgumentError);
    expect(() => createMethod('arcface', 'image', { epochs: 1 })).toThrow(/unknown method "arcface"/);
  });

  it('EmbeddingNet is SADSL\'s encoder (same seed, same weights) mean-pooled over real regions', async () => {
    for (const [ds, model] of [[images, TINY_IMAGE_MODEL], [texts, TINY_TEXT_MODEL]] as const) {
      const config = parseConfig(modelConfigSchema, model, 'model');
      const pre = Preprocessor.fit(ds.train, config.vocabSize, config.maxLength);
      const net = new EmbeddingNet(config, pre.input, 7);
      const sadsl = SadslModel.create(config, pre.input, 7);
      const x = pre.inputs(ds.test, [0, 1, 2]);
      const [got, want] = tf.tidy(() => {
        // At initialisation γ = 0, so SADSL's F' is the encoder output F.
        const f = sadsl.forward(x, false);
        const m = f.regionMask.expandDims(2); // [B, R, 1]
        const mean = tf.div(tf.sum(tf.mul(f.features, m), 1), tf.sum(m, 1)); // [B, d]
        return [net.embed(x, false).arraySync(), (tf.div(mean, tf.norm(mean, 'euclidean', 1, true)) as tf.Tensor2D).arraySync()];
      });
      for (let i = 0; i < 3; i++) for (let j = 0; j < config.d; j++) expect(got[i][j]).toBeCloseTo(want[i][j], 4);
      net.dispose();
      sadsl.dispose();
      tf.dispose(Object.values(x));
    }
  });

  it('learned baselines train a few steps and give unit-norm codes of dimension d, deterministically', async () => {
    const small: Dataset = { ...images, test: head(images.test as ImageSplit, 20) };
    const run = async (id: string): Promise<DenseCodes> => {
      const m = createMethod(id, 'image', { epochs: 1, maxSteps: 2, model: TINY_IMAGE_MODEL });
      const steps: number[] = [];
      await m.fit(small, { seed: 3, onProgress: (d) => steps.push(d) });
      expect(steps).toEqual([1, 2]);
      const c = (await m.encode(small.test)) as DenseCodes;
      m.dispose?.();
      return c;
    };
    for (const id of ['contrastive', 'triplet', 'multi-similarity', 'softmax']) {
      const c = await run(id);
      expect(c.kind).toBe('dense');
      expect(c.dim).toBe(16);
      expect(c.codes.length).toBe(20 * 16);
      for (const n of norms(c)) expect(n).toBeCloseTo(1, 4);
    }
    expect(Array.from((await run('triplet')).codes)).toEqual(Array.from((await run('triplet')).codes));
  });

  it('a learned baseline trains on documents', async () => {
    const m = createMethod('multi-similarity', 'text', { epochs: 1, maxSteps: 2, model: TINY_TEXT_MODEL });
    await m.fit(texts, { seed: 0 });
    const c = (await m.encode(subsetSplit(texts.test, Int32Array.from([0, 1, 2, 3, 4])))) as DenseCodes;
    expect(c.dim).toBe(16);
    expect(c.codes.length).toBe(5 * 16);
    expect(c.codes.every(Number.isFinite)).toBe(true);
    m.dispose?.();
  });

  it('a SADSL method trains its variant, saves its run and encodes K·d codes', async () => {
    const dir = path.join(tmp, 'sadsl-no-attention');
    const m = createMethod('sadsl-no-attention', 'image', { epochs: 1, maxSteps: 2, model: TINY_IMAGE_MODEL, runDir: () => dir });
    await expect(m.encode(images.test)).rejects.toThrow(/needs fit/);
    await m.fit(images, { seed: 0 });
    expect(existsSync(path.join(dir, 'model', 'model.json'))).toBe(true);
    const c = (await m.encode(head(images.test as ImageSplit, 10))) as DenseCodes;
    expect(c.dim).toBe(4 * 16);
    for (const n of norms(c)) expect(n).toBeCloseTo(1, 3);
    m.dispose?.();

    // A finished run in the same directory is loaded, not retrained: same codes, same training time.
    const again = createMethod('sadsl-no-attention', 'image', { epochs: 1, maxSteps: 2, model: TINY_IMAGE_MODEL, runDir: () => dir });
    const steps: number[] = [];
    await again.fit(images, { seed: 0, onProgress: (d) => steps.push(d) });
    expect(steps).toEqual([]);
    expect(again.trainSeconds).toBe(m.trainSeconds);
    const c2 = (await again.encode(head(images.test as ImageSplit, 10))) as DenseCodes;
    expect(Array.from(c2.codes)).toEqual(Array.from(c.codes));
    again.dispose?.();
  });
});
