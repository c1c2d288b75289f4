/** Writes an index directory from codes (see manifest.ts for the layout). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatRef } from '../data/refs.js';
import { defaultAnn, writeLanceTable, type AnnSpec } from './lance.js';
import { INDEX_FILES, type IndexManifest } from './manifest.js';
import type { CodeLayout } from './topics.js';

export interface IndexData {
  model: IndexManifest['model'];
  dataset: IndexManifest['dataset'];
  split: IndexManifest['split'];
  layout: CodeLayout;
  codes: Float32Array; // [n, dim]
  labels: Int32Array; // [n]
  theta?: Float32Array; // [n, K]
}

export interface WriteIndexOptions {
  /** The ANN index: `auto` = IVF_PQ from 10,000 codes up (default), `ivf_pq` = IVF_PQ sized for the codes. */
  ann?: 'auto' | 'ivf_pq' | AnnSpec;
  onProgress?: (done: number, total: number) => void;
}

async function writeArray(file: string, a: Float32Array | Int32Array): Promise<void> {
  await fs.writeFile(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

export async function writeIndex(dir: string, data: IndexData, opts: WriteIndexOptions = {}): Promise<IndexManifest> {
  const n = data.labels.length;
  const dim = data.layout.topics * data.layout.blockDim;
  const ann = !opts.ann || opts.ann === 'auto' ? defaultAnn(n, dim) : opts.ann === 'ivf_pq' ? defaultAnn(n, dim, 0) : opts.ann;
  await fs.mkdir(dir, { recursive: true });
  await writeArray(path.join(dir, INDEX_FILES.codes), data.codes);
  await writeArray(path.join(dir, INDEX_FILES.labels), data.labels);
  if (data.theta) await writeArray(path.join(dir, INDEX_FILES.theta), data.theta);
  await fs.rm(path.join(dir, INDEX_FILES.lance), { recursive: true, force: true });
  await writeLanceTable(path.join(dir, INDEX_FILES.lance), { codes: data.codes, labels: data.labels, dim, ids: (row) => formatRef(data.split, row) }, ann, opts.onProgress);
  const manifest: IndexManifest = {
    format: 'sadsl-index',
    version: 1,
    model: data.model,
    dataset: data.dataset,
    split: data.split,
    n,
    dim,
    layout: data.layout,
    hasTheta: Boolean(data.theta),
    ann,
    createdAt: new Date().toISOString(),
  };
  // The manifest goes last: a directory without one is an unfinished index.
  await fs.writeFile(path.join(dir, INDEX_FILES.manifest), JSON.stringify(manifest, null, 1));
  return manifest;
}
