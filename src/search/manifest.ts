/**
 * The stored form of a search index (in a directory or under an s3:// prefix, see store.ts):
 *   index.json      this manifest: the model it was built with (fingerprint), the dataset spec and split the
 *                   ids point into (`split:row`), the code layout, the compact-code parameters and statistics,
 *                   and the ANN index with its chosen and measured parameters; written last;
 *   codes.bin       the compact codes (compact.ts: chunks of objects with their stored topic blocks);
 *   labels.i32      labels [n], int32 little-endian;
 *   projection.f32  the ANN projection P [dim, D] (projection.ts), when there is an ANN index;
 *   lance/          the LanceDB database with table `codes` (projected vectors and the ANN index).
 * The manifest records the size and SHA-256 of the three binary files; opening the index checks them, so a file
 * changed, truncated or swapped after the build is refused at start. LanceDB's folder is left to LanceDB and to
 * the service's probe search.
 */
import { createHash, type Hash } from 'node:crypto';
import { z } from 'zod';
import { compactParamsSchema } from '../config.js';
import { ModelError } from '../errors.js';
import { CompactCodes } from './compact.js';
import type { IndexStore } from './store.js';

export const INDEX_FILES = { manifest: 'index.json', codes: 'codes.bin', labels: 'labels.i32', projection: 'projection.f32' } as const;
/** 3: the manifest lists each file's size and SHA-256 (`files`). */
export const INDEX_VERSION = 3;

const annIndexSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ivf_rq'), partitions: z.number().int().positive(), bits: z.number().int().positive() }),
  z.object({ type: z.literal('ivf_flat'), partitions: z.number().int().positive() }),
  z.object({ type: z.literal('ivf_pq'), partitions: z.number().int().positive(), subVectors: z.number().int().positive() }),
  z.object({ type: z.literal('ivf_hnsw_sq'), partitions: z.number().int().positive(), m: z.number().int().positive(), efConstruction: z.number().int().positive() }),
]);

export const annSearchSchema = z.object({ nprobes: z.number().int().positive(), refineFactor: z.number().int().positive(), ef: z.number().int().positive().optional() });

/** Recall and speed of the chosen search parameters on held-out queries, measured when the index was built. */
const annMeasuredSchema = z.object({
  queries: z.number().int().nonnegative(),
  k: z.number().int().positive(),
  recall: z.number(),
  annQps: z.number(),
  exactQps: z.number(),
  /** Every setting tried: the choice is the fastest that reached the target recall (else the best recall). */
  sweep: z.array(z.object({ nprobes: z.number(), refineFactor: z.number(), ef: z.number().optional(), recall: z.number(), qps: z.number() })),
});

const annSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.literal('lance'),
    /** D: the projected dimension the LanceDB vectors have. */
    dims: z.number().int().positive(),
    index: annIndexSchema,
    search: annSearchSchema,
    measured: annMeasuredSchema.nullable(),
    buildSeconds: z.number(),
  }),
]);

const fileSumSchema = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type FileSum = z.infer<typeof fileSumSchema>;

export const indexManifestSchema = z.object({
  format: z.literal('sadsl-index'),
  version: z.literal(INDEX_VERSION),
  /** The model the codes come from; queries must be encoded by a model with the same fingerprint. */
  model: z.object({ dir: z.string(), fingerprint: z.string() }),
  /** Where the indexed objects live: row i is object `split:i` of this dataset. */
  dataset: z.object({ spec: z.string(), name: z.string(), domain: z.enum(['image', 'text']), classes: z.array(z.string()) }),
  split: z.enum(['train', 'test']),
  n: z.number().int().nonnegative(),
  dim: z.number().int().positive(),
  layout: z.object({ topics: z.number().int().positive(), blockDim: z.number().int().positive() }),
  codes: z.object({
    params: compactParamsSchema,
    /** Stored blocks in all. */
    blocks: z.number().int().nonnegative(),
    meanBlocks: z.number(),
    blocksHistogram: z.array(z.number()),
    meanDroppedMass: z.number(),
    maxDroppedMass: z.number(),
    bytesPerObject: z.number(),
  }),
  ann: annSchema,
  /** Size and SHA-256 of codes.bin, labels.i32 and (with an ANN stage) projection.f32. */
  files: z.record(z.string(), fileSumSchema),
  createdAt: z.string(),
});
export type IndexManifest = z.infer<typeof indexManifestSchema>;
export type AnnManifest = IndexManifest['ann'];

export async function readIndexManifest(store: IndexStore): Promise<IndexManifest> {
  const where = `${store.uri.replace(/\/+$/, '')}/${INDEX_FILES.manifest}`;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(await store.read(INDEX_FILES.manifest)).toString('utf8'));
  } catch (e) {
    const msg = (e as Error).message;
    throw new ModelError(/not found/.test(msg) ? `${where}: not found (build one with \`sadsl index\`)` : `${where}: unreadable (${msg})`);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if ((json as { format?: unknown } | null)?.format === 'sadsl-index' && version !== INDEX_VERSION) {
    throw new ModelError(`${where}: index format version ${String(version)}, this sadsl reads version ${INDEX_VERSION}; rebuild it with \`sadsl index\``);
  }
  const r = indexManifestSchema.safeParse(json);
  if (!r.success) throw new ModelError(`${where}: not a sadsl index (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return r.data;
}

/** Refuses a model whose weights differ from the ones the index was built with. */
export function checkFingerprint(index: IndexManifest, modelDir: string, fingerprint: string): void {
  if (fingerprint !== index.model.fingerprint) {
    throw new ModelError(
      `${modelDir}: model fingerprint ${fingerprint.slice(0, 12)}… differs from the one the index was built with (${index.model.fingerprint.slice(0, 12)}…, ${index.model.dir}); rebuild the index or pass that model`,
    );
  }
}

/** Size and SHA-256 of a file as it is written, chunk by chunk. */
export class FileSummer {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): FileSum {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  static of(bytes: Uint8Array): FileSum {
    const s = new FileSummer();
    s.update(bytes);
    return s.digest();
  }
}

/** Reads a file of the index and checks it against the size and SHA-256 its manifest recorded. */
export async function readChecked(store: IndexStore, manifest: IndexManifest, name: string): Promise<Uint8Array> {
  const where = `${store.uri.replace(/\/+$/, '')}/${name}`;
  const expected = manifest.files[name];
  if (!expected) throw new ModelError(`${where}: the manifest records no checksum for it; rebuild the index with \`sadsl index\``);
  const buf = await store.read(name);
  if (buf.byteLength !== expected.bytes) throw new ModelError(`${where}: ${buf.byteLength} bytes, the manifest says ${expected.bytes} (truncated or corrupt index?)`);
  const got = FileSummer.of(buf).sha256;
  if (got !== expected.sha256) {
    throw new ModelError(`${where}: SHA-256 ${got.slice(0, 16)}… differs from the manifest's ${expected.sha256.slice(0, 16)}… (the file changed after the index was built: corrupt index? rebuild it with \`sadsl index\`)`);
  }
  return buf;
}

/** A little-endian float32/int32 file of the index, checked against its checksum and the length the manifest promises. */
export async function readArray<T extends Float32Array | Int32Array>(
  store: IndexStore,
  manifest: IndexManifest,
  name: string,
  ctor: { new (b: ArrayBuffer, o: number, n: number): T },
  length: number,
): Promise<T> {
  const buf = await readChecked(store, manifest, name);
  if (buf.byteLength !== length * 4) throw new ModelError(`${store.uri}/${name}: expected ${length * 4} bytes, found ${buf.byteLength} (truncated index?)`);
  // Copy to an aligned buffer: Buffers from the pool may start at an unaligned offset.
  const aligned = new ArrayBuffer(buf.byteLength);
  new Uint8Array(aligned).set(buf);
  return new ctor(aligned, 0, length);
}

export function arrayBytes(a: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** What an index stores beside its manifest, read and checked: the compact codes, the labels and (with an ANN stage) the projection. */
export interface IndexArrays {
  codes: CompactCodes;
  labels: Int32Array;
  /** P [dim, D], or null without an ANN stage. */
  projection: Float32Array | null;
}

export async function readIndexArrays(store: IndexStore, m: IndexManifest): Promise<IndexArrays> {
  const where = `${store.uri.replace(/\/+$/, '')}/${INDEX_FILES.codes}`;
  const codes = CompactCodes.parse(await readChecked(store, m, INDEX_FILES.codes), m.layout, m.codes.params.dtype, m.n, m.codes.blocks, where);
  const labels = await readArray(store, m, INDEX_FILES.labels, Int32Array, m.n);
  const projection = m.ann.type === 'lance' ? await readArray(store, m, INDEX_FILES.projection, Float32Array, m.dim * m.ann.dims) : null;
  return { codes, labels, projection };
}
