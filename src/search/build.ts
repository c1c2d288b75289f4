/**
 * `sadsl index`: encodes objects with a trained model, a batch at a time, into an index (write.ts) in a
 * directory or on S3-compatible storage (store.ts). Memory stays bounded by the batch and the compact codes.
 */
import path from 'node:path';
import { INDEX_DEFAULTS, type AnnIndexType, type CompactParams } from '../config.js';
import { range, residentReader } from '../data/reader.js';
import { openDataset } from '../data/registry.js';
import type { Split, SplitName, SplitReader } from '../data/types.js';
import { Rng } from '../engine/random.js';
import { ArgumentError, ModelError } from '../errors.js';
import { TrainedModel, loadModel } from '../train/trained-model.js';
import { modelLayout } from './layout.js';
import { openStore } from './store.js';
import { IndexWriter, rebuildAnn, type AnnOptions } from './write.js';
import { checkFingerprint, readIndexManifest, type IndexManifest } from './manifest.js';

/** Objects to index, read a range at a time (a split in memory, or a source generated or streamed on demand). */
export interface ObjectSource {
  n: number;
  /** Objects [start, end) as a split of end − start objects, with their labels. */
  read(start: number, end: number): Promise<Split>;
}

/** A range of a split as its own split (views where possible). */
export function sliceSplit(split: Split, start: number, end: number): Split {
  const n = end - start;
  const sources = split.sources?.slice(start, end);
  if (split.kind === 'image') {
    const size = split.height * split.width * split.channels;
    return { ...split, n, pixels: split.pixels.subarray(start * size, end * size), labels: split.labels.subarray(start, end), ...(sources ? { sources } : {}) };
  }
  return { ...split, n, texts: split.texts.slice(start, end), labels: split.labels.subarray(start, end), ...(sources ? { sources } : {}) };
}

export function splitSource(split: Split): ObjectSource {
  return { n: split.n, read: async (start, end) => sliceSplit(split, start, end) };
}

/** A split reader's objects a range at a time: views of a resident split, or a streamed split's batch read from disk. */
export function readerSource(reader: SplitReader): ObjectSource {
  if (reader.resident) return splitSource(reader.resident);
  return { n: reader.n, read: async (start, end) => (await reader.read(range(start, end))).split };
}

export interface BuildIndexOptions {
  /** Saved model or run directory. */
  model: string;
  /** Dataset spec (default: the model's). */
  dataset?: string;
  split?: SplitName;
  /** Objects to index instead of the dataset split (ids are still `split:row`). */
  source?: ObjectSource;
  /** An index directory or s3://bucket/path. */
  out: string;
  /** Objects per forward pass. */
  batchSize?: number;
  codes?: Partial<CompactParams>;
  /** `auto` (default): an ANN stage from INDEX_DEFAULTS.annMinObjects objects; `none`; or explicit options. */
  ann?: 'auto' | 'none' | AnnOptions;
  /** Held-out queries for the ANN's recall measurement (default: annQueries objects of the other split). */
  heldOut?: Split;
  /**
   * Rebuild only the ANN stage of the index already at `out` (with `ann`'s index type, default INDEX_DEFAULTS):
   * nothing is encoded again; the model gives the held-out queries and must be the one the index was built with.
   */
  annOnly?: boolean;
  /** The ANN index type when no `ann.index` is given (default INDEX_DEFAULTS.annIndex); sized for the objects indexed. */
  annIndex?: AnnIndexType;
  /** `scan`: the first pass over a streamed collection (image files, or a JSONL file's bytes). */
  onProgress?: (stage: 'scan' | 'encode' | 'ann' | 'measure', done: number, total: number) => void;
}

export async function buildIndex(opts: BuildIndexOptions): Promise<IndexManifest> {
  const manifest = await TrainedModel.readManifest(opts.model);
  const model = await loadModel(opts.model);
  try {
    const ds = await openDataset(opts.dataset ?? model.dataset.spec, { onProgress: (d, t) => opts.onProgress?.('scan', d, t) });
    if (ds.domain !== manifest.input.domain) throw new ModelError(`${opts.model}: the model takes ${manifest.input.domain}s, dataset ${ds.spec} has ${ds.domain}s`);
    const splitName = opts.split ?? 'train';
    const source = opts.source ?? readerSource(ds[splitName]);
    const n = source.n;
    const bs = opts.batchSize ?? INDEX_DEFAULTS.batchSize;
    const chosen = opts.ann === 'none' ? null : opts.ann === undefined || opts.ann === 'auto' ? (n >= INDEX_DEFAULTS.annMinObjects || opts.annOnly ? {} : null) : opts.ann;
    const ann = chosen && opts.annIndex ? { indexType: opts.annIndex, ...chosen } : chosen;
    if (opts.annOnly && !ann) throw new ArgumentError('annOnly: rebuilds the ANN stage; it cannot be combined with ann: none');
    const store = await openStore(opts.out);
    // The stored codes must come from this model: its held-out queries measure the rebuilt stage.
    if (opts.annOnly) checkFingerprint(await readIndexManifest(store), opts.model, manifest.fingerprint);
    let heldOut: Float32Array | undefined;
    if (ann) {
      const other = opts.heldOut ? residentReader(opts.heldOut) : ds[splitName === 'train' ? 'test' : 'train'];
      const rows = new Rng(1).sample(range(0, other.n), Math.min(other.n, INDEX_DEFAULTS.annQueries));
      heldOut = (await model.encode(await other.read([...rows].sort((a, b) => a - b)))).codes;
    }
    if (opts.annOnly) return await rebuildAnn(store, { ann, heldOut, onProgress: (stage, d, t) => opts.onProgress?.(stage, d, t) });
    const dim = model.config.variant === 'no-topics' ? model.config.d : model.config.K * model.config.d;
    const writer = await IndexWriter.create(
      store,
      {
        model: { dir: path.resolve(opts.model), fingerprint: manifest.fingerprint },
        dataset: { spec: ds.spec, name: ds.name, domain: ds.domain, classes: ds.classes },
        split: splitName,
        layout: modelLayout(model, dim),
      },
      { codes: opts.codes, ann, heldOut, onProgress: (stage, d, t) => opts.onProgress?.(stage, d, t) },
    );
    for (let start = 0; start < n; start += bs) {
      const end = Math.min(n, start + bs);
      const split = await source.read(start, end);
      const enc = await model.encode({ split }, { batchSize: bs });
      await writer.add(enc.codes, split.labels);
      opts.onProgress?.('encode', end, n);
    }
    return await writer.finish();
  } finally {
    model.dispose();
  }
}
