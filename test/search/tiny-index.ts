/** A tiny trained model (a few seconds on wasm) and its index, shared by the index and serve tests. */
import path from 'node:path';
import { buildIndex } from '../../src/search/build.js';
import type { IndexManifest } from '../../src/search/manifest.js';
import type { BuildIndexOptions } from '../../src/search/build.js';
import { train } from '../../src/train/train.js';
import { TINY_IMAGE_MODEL, TINY_TEXT_MODEL } from '../support/tiny.js';

export interface TinyIndex {
  modelDir: string;
  indexDir: string;
  manifest: IndexManifest;
}

/** Trains on sample-images (or sample-text) into `dir/run` and indexes its train split into `dir/index`. */
export async function tinyIndex(dir: string, domain: 'image' | 'text' = 'image', ann: BuildIndexOptions['ann'] = 'none', out = path.join(dir, 'index')): Promise<TinyIndex> {
  const runDir = path.join(dir, 'run');
  const r =
    domain === 'image'
      ? await train({ dataset: 'sample-images', out: runDir, train: { maxSteps: 3, validationSize: 0 }, model: TINY_IMAGE_MODEL })
      : await train({ dataset: 'sample-text', out: runDir, train: { maxSteps: 3, validationSize: 0 }, model: TINY_TEXT_MODEL });
  r.model.dispose();
  const modelDir = path.join(runDir, 'model');
  const indexDir = out;
  const manifest = await buildIndex({ model: modelDir, out: indexDir, ann });
  return { modelDir, indexDir, manifest };
}
