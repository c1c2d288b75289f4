/** A tiny trained model (a few seconds on wasm) and its index, shared by the index and serve tests. */
import path from 'node:path';
import { buildIndex } from '../../src/search/build.js';
import type { IndexManifest } from '../../src/search/manifest.js';
import type { BuildIndexOptions } from '../../src/search/build.js';
import { train } from '../../src/train/train.js';
import { TINY_IMAGE_MODEL, TINY_TEXT_MODEL } from '../support/tiny.js';

export const TINY_INDEX_CODES = { dtype: 'int8', maxBlocks: 7, maxDroppedMass: 0.02 } as const;

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
  // int8: the search and serve tests' bounds (self-score, θ, explanation gaps) are int8's; the int4 default's
  // quantisation is tested in compact.test.ts (its 7 levels are coarse for this model's 16-value blocks).
  const manifest = await buildIndex({ model: modelDir, out: indexDir, ann, codes: TINY_INDEX_CODES });
  return { modelDir, indexDir, manifest };
}
