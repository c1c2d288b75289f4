/**
 * Training on a streamed user collection (a batch read from disk per step) reaches exactly the weights of
 * training on the same collection loaded into memory: the same batches, vocabulary, k-means sample and
 * validation slice.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { loadDataset } from '../../src/data/registry.js';
import { retrievalValidation } from '../../src/eval/validation.js';
import { train } from '../../src/train/train.js';
import type { TrainedModel } from '../../src/train/trained-model.js';
import { tempDir } from '../data/fixtures.js';
import { writeJsonlCollection } from '../support/collections.js';
import { TINY_IMAGE_MODEL, TINY_TEXT_MODEL } from '../support/tiny.js';

const dir = tempDir('sadsl-train-stream-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TRAIN = { maxSteps: 3, validationSize: 8, seed: 2, P: 2, M: 4 };

async function weightsOf(m: TrainedModel): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(m.net.getWeights())) out[k] = Array.from((await v.data()) as Float32Array);
  return out;
}

async function bothWays(spec: string, model: object): Promise<void> {
  const streamed = await train({ dataset: spec, model, train: TRAIN, validate: retrievalValidation });
  const loaded = await train({ dataset: await loadDataset(spec, { seed: TRAIN.seed, cache: false }), model, train: TRAIN, validate: retrievalValidation });
  expect(streamed.lastValidation).not.toBeNull();
  expect(streamed.lastValidation).toEqual(loaded.lastValidation);
  expect(streamed.model.preprocessor.vocabulary?.words).toEqual(loaded.model.preprocessor.vocabulary?.words);
  expect(await weightsOf(streamed.model)).toEqual(await weightsOf(loaded.model));
  streamed.model.dispose();
  loaded.model.dispose();
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('training on a streamed collection', () => {
  it('text:/file.jsonl reaches the weights of the in-memory load', async () => {
    const file = join(dir, 'docs.jsonl');
    await writeJsonlCollection(file, { docs: 60, words: 50, classes: 3 });
    await bothWays(`text:${file}`, { ...TINY_TEXT_MODEL, kmeansObjects: 16 });
  });

  it('images:/dir reaches the weights of the in-memory load', async () => {
    const root = join(dir, 'images');
    for (let i = 0; i < 40; i++) {
      const cls = join(root, `c${i % 2}`);
      mkdirSync(cls, { recursive: true });
      const gray = Buffer.from(Array.from({ length: 20 * 20 }, (_, p) => ((i % 2 ? p : 400 - p) * 3 + i * 11) % 256));
      await sharp(gray, { raw: { width: 20, height: 20, channels: 1 } }).png().toFile(join(cls, `${i}.png`));
    }
    writeFileSync(join(root, 'README'), 'not an image');
    await bothWays(`images:${root}`, { ...TINY_IMAGE_MODEL, kmeansObjects: 16, kmeansIterations: 3 });
  });
});
