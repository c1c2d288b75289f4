/**
 * The on-disk form of a search index:
 *   index.json   this manifest: the model it was built with (fingerprint), the dataset spec and split the
 *                ids point into (`split:row`), the code layout and the LanceDB ANN index;
 *   codes.f32    codes z [n, dim], float32 little-endian (the exact backend);
 *   labels.i32   labels [n];
 *   theta.f32    topic strengths θ [n, K] (topic models; the topic gallery);
 *   lance/       the LanceDB database with table `codes` (the ANN backend).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ModelError } from '../errors.js';

export const INDEX_FILES = { manifest: 'index.json', codes: 'codes.f32', labels: 'labels.i32', theta: 'theta.f32', lance: 'lance' } as const;

const annSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('ivf_pq'), partitions: z.number().int().positive(), subVectors: z.number().int().positive() }),
]);

export const indexManifestSchema = z.object({
  format: z.literal('sadsl-index'),
  version: z.literal(1),
  /** The model the codes come from; queries must be encoded by a model with the same fingerprint. */
  model: z.object({ dir: z.string(), fingerprint: z.string() }),
  /** Where the indexed objects live: row i is object `split:i` of this dataset. */
  dataset: z.object({ spec: z.string(), name: z.string(), domain: z.enum(['image', 'text']), classes: z.array(z.string()) }),
  split: z.enum(['train', 'test']),
  n: z.number().int().nonnegative(),
  dim: z.number().int().positive(),
  layout: z.object({ topics: z.number().int().positive(), blockDim: z.number().int().positive() }),
  hasTheta: z.boolean(),
  ann: annSchema,
  createdAt: z.string(),
});
export type IndexManifest = z.infer<typeof indexManifestSchema>;

export async function readIndexManifest(dir: string): Promise<IndexManifest> {
  const file = path.join(dir, INDEX_FILES.manifest);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ModelError(`${file}: ${err.code === 'ENOENT' ? 'not found (build one with `sadsl index`)' : `unreadable (${err.message})`}`);
  }
  const r = indexManifestSchema.safeParse(json);
  if (!r.success) throw new ModelError(`${file}: not a sadsl index (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return r.data;
}

/** A float32/int32 array file read whole, checked against the length the manifest promises. */
export async function readArrayFile<T extends Float32Array | Int32Array>(file: string, ctor: { new (b: ArrayBuffer, o: number, n: number): T }, length: number): Promise<T> {
  const buf = await fs.readFile(file).catch((e: Error) => {
    throw new ModelError(`${file}: ${e.message}`);
  });
  if (buf.byteLength !== length * 4) throw new ModelError(`${file}: expected ${length * 4} bytes, found ${buf.byteLength} (truncated index?)`);
  // Copy to an aligned buffer: Buffers from the pool may start at an unaligned offset.
  const aligned = new ArrayBuffer(buf.byteLength);
  new Uint8Array(aligned).set(buf);
  return new ctor(aligned, 0, length);
}
