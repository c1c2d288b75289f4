/** `sadsl index`: encodes a dataset split with a trained model and writes the search index. */
import path from 'node:path';
import { loadDataset } from '../data/registry.js';
import type { SplitName } from '../data/types.js';
import { TrainedModel, loadModel } from '../train/trained-model.js';
import { ModelError } from '../errors.js';
import type { IndexManifest } from './manifest.js';
import { modelLayout } from './layout.js';
import { writeIndex, type WriteIndexOptions } from './write.js';

export interface BuildIndexOptions {
  /** Saved model or run directory. */
  model: string;
  /** Dataset spec (default: the model's). */
  dataset?: string;
  split?: SplitName;
  out: string;
  /** Objects per forward pass. */
  batchSize?: number;
  ann?: WriteIndexOptions['ann'];
  onProgress?: (stage: 'encode' | 'write', done: number, total: number) => void;
}

export async function buildIndex(opts: BuildIndexOptions): Promise<IndexManifest> {
  const manifest = await TrainedModel.readManifest(opts.model);
  const model = await loadModel(opts.model);
  try {
    const ds = await loadDataset(opts.dataset ?? model.dataset.spec);
    if (ds.domain !== manifest.input.domain) throw new ModelError(`${opts.model}: the model takes ${manifest.input.domain}s, dataset ${ds.spec} has ${ds.domain}s`);
    const split = ds[opts.split ?? 'train'];
    const enc = await model.encode({ split }, { batchSize: opts.batchSize, onProgress: (d, t) => opts.onProgress?.('encode', d, t) });
    return await writeIndex(
      opts.out,
      {
        model: { dir: path.resolve(opts.model), fingerprint: manifest.fingerprint },
        dataset: { spec: ds.spec, name: ds.name, domain: ds.domain, classes: ds.classes },
        split: opts.split ?? 'train',
        layout: modelLayout(model, enc.dim),
        codes: enc.codes,
        labels: split.labels,
        theta: enc.theta?.values,
      },
      { ann: opts.ann, onProgress: (d, t) => opts.onProgress?.('write', d, t) },
    );
  } finally {
    model.dispose();
  }
}
