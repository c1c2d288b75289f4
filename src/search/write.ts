/**
 * Writes an index (see manifest.ts for what is stored) from codes that arrive in batches, so a collection
 * of any size is indexed in bounded memory: each batch is compacted and appended to `codes.bin`, its labels
 * to `labels.i32`, its projected vectors to the LanceDB table. Only the compact codes (≈ 1 KB per object)
 * stay in memory, for the recall measurement at the end. `finish` builds the ANN index, sweeps its search
 * parameters against exact search on held-out queries, and writes the manifest last: a location without a
 * manifest is an unfinished index.
 */
import { COMPACT_DEFAULTS, INDEX_DEFAULTS, type AnnIndexType, type CompactParams } from '../config.js';
import { range } from '../data/reader.js';
import { formatRef } from '../data/refs.js';
import { ArgumentError } from '../errors.js';
import type { Hit } from './backend.js';
import { CompactCodes } from './compact.js';
import { ExactBackend } from './exact.js';
import { LanceBackend, LanceWriter, reindex, type AnnIndexSpec, type AnnSearchParams } from './lance.js';
import { FileSummer, INDEX_FILES, INDEX_VERSION, arrayBytes, readIndexArrays, readIndexManifest, type AnnManifest, type FileSum, type IndexManifest } from './manifest.js';
import { Rng } from '../engine/random.js';
import { fitProjection, projectCompact, type Projection } from './projection.js';
import { LANCE_FOLDER, type FileWriter, type IndexStore } from './store.js';
import type { CodeLayout } from './topics.js';

export interface IndexHeader {
  model: IndexManifest['model'];
  dataset: IndexManifest['dataset'];
  split: IndexManifest['split'];
  layout: CodeLayout;
}

export interface AnnOptions {
  /** D of the projected vectors (default INDEX_DEFAULTS.annDims, at most the code's dim). */
  dims?: number;
  /** The index; default `defaultAnnIndex` of `indexType` for the objects indexed. */
  index?: AnnIndexSpec;
  /** The index type when `index` is not given (default INDEX_DEFAULTS.annIndex). */
  indexType?: AnnIndexType;
  /** Search parameters to use as they are (no sweep). */
  search?: AnnSearchParams;
  targetRecall?: number;
  k?: number;
}

export interface WriteIndexOptions {
  codes?: Partial<CompactParams>;
  /** The ANN stage (LanceDB); without it the index is searched exactly. */
  ann?: AnnOptions | null;
  /** Dense codes [q, dim] of held-out queries for the recall measurement (recall is not measured without). */
  heldOut?: Float32Array;
  onProgress?: (stage: 'ann' | 'measure', done: number, total: number) => void;
}

/** A file writer that sums (size, SHA-256) what goes through it, for the manifest. */
interface SummedWriter extends FileWriter {
  sum: FileSummer;
}

function summed(w: FileWriter): SummedWriter {
  const sum = new FileSummer();
  return {
    sum,
    append: async (bytes) => {
      sum.update(bytes);
      await w.append(bytes);
    },
    close: () => w.close(),
  };
}

/** Rows per LanceDB append: large enough to amortise a fragment, small enough to bound memory. */
const LANCE_CHUNK = 65536;

/** Sweep of the search parameters, cheapest first within each nprobes. */
const SWEEP: AnnSearchParams[] = INDEX_DEFAULTS.annSweepProbes.flatMap((nprobes) => INDEX_DEFAULTS.annSweepRefine.map((refineFactor) => ({ nprobes, refineFactor })));

/** The ANN index of a type for n vectors of D dims: √n partitions (at least 256 vectors each), PQ with D/8 sub-vectors. */
export function defaultAnnIndex(n: number, D: number, type: AnnIndexType = INDEX_DEFAULTS.annIndex): AnnIndexSpec {
  const partitions = Math.max(1, Math.min(Math.round(Math.sqrt(n)), Math.floor(n / 256)));
  if (type === 'ivf_rq') return { type, partitions, bits: INDEX_DEFAULTS.annRqBits };
  if (type === 'ivf_flat') return { type, partitions };
  return { type, partitions, subVectors: D % 8 === 0 ? D / 8 : D % 4 === 0 ? D / 4 : 1 };
}

export class IndexWriter {
  private n = 0;
  private readonly parts: CompactCodes[] = [];
  private readonly labels: Int32Array[] = [];
  private readonly params: CompactParams;

  private constructor(
    private readonly store: IndexStore,
    private readonly header: IndexHeader,
    private readonly opts: WriteIndexOptions,
    private readonly codesFile: SummedWriter,
    private readonly labelsFile: SummedWriter,
  ) {
    this.params = { ...COMPACT_DEFAULTS, ...opts.codes };
  }

  /** Starts an index at `store`, replacing whatever was there. */
  static async create(store: IndexStore, header: IndexHeader, opts: WriteIndexOptions = {}): Promise<IndexWriter> {
    // The files of this format and of version 1 (codes.f32, theta.f32), so a rebuild leaves nothing stale.
    await store.clear([...Object.values(INDEX_FILES), 'codes.f32', 'theta.f32'], [LANCE_FOLDER]); // the manifest first
    const codesFile = summed(await store.writer(INDEX_FILES.codes));
    const labelsFile = summed(await store.writer(INDEX_FILES.labels));
    return new IndexWriter(store, header, opts, codesFile, labelsFile);
  }

  get size(): number {
    return this.n;
  }

  /** Appends objects: dense codes [b, dim] and their labels [b]. */
  async add(codes: Float32Array, labels: Int32Array): Promise<void> {
    const b = labels.length;
    const dim = this.header.layout.topics * this.header.layout.blockDim;
    if (codes.length !== b * dim) throw new ArgumentError(`codes: expected ${b}×${dim} values, got ${codes.length}`);
    const c = CompactCodes.fromDense(codes, this.header.layout, this.params);
    this.parts.push(c);
    await this.codesFile.append(c.chunk(0, c.n));
    const own = Int32Array.from(labels);
    this.labels.push(own);
    await this.labelsFile.append(arrayBytes(own));
    this.n += b;
  }

  /**
   * Fits the projection on a seeded sample of the stored codes and writes every object's projected vector
   * to the LanceDB table, in chunks.
   */
  private async writeVectors(codes: CompactCodes, labels: Int32Array, D: number): Promise<Projection> {
    const { layout } = this.header;
    const dim = layout.topics * layout.blockDim;
    const sample = new Rng(0).sample(range(0, this.n), Math.min(this.n, INDEX_DEFAULTS.projectionSample));
    const p = await fitProjection(codes.dense([...sample].sort((a, b) => a - b)), dim, D);
    const lance = await LanceWriter.open(this.store.lance, p.D);
    try {
      for (let start = 0; start < this.n; start += LANCE_CHUNK) {
        const end = Math.min(this.n, start + LANCE_CHUNK);
        const part = codes.slice(start, end);
        const vectors = await projectCompact(p, part);
        await lance.add({ start, ids: Array.from({ length: end - start }, (_, i) => formatRef(this.header.split, start + i)), labels: labels.subarray(start, end), vectors });
        this.opts.onProgress?.('ann', end, this.n);
      }
      this.opts.onProgress?.('ann', this.n, this.n);
    } catch (e) {
      lance.close();
      throw e;
    }
    this.lance = lance;
    return p;
  }

  private lance: LanceWriter | null = null;

  /** Builds the ANN index, measures it and writes the projection and the manifest. */
  async finish(): Promise<IndexManifest> {
    await this.codesFile.close();
    await this.labelsFile.close();
    const files: Record<string, FileSum> = { [INDEX_FILES.codes]: this.codesFile.sum.digest(), [INDEX_FILES.labels]: this.labelsFile.sum.digest() };
    const codes = CompactCodes.concat(this.parts, this.header.layout, this.params.dtype);
    this.parts.length = 0;
    const labels = concatI32(this.labels);
    let ann: AnnManifest = { type: 'none' };
    if (this.opts.ann && this.n > 0) {
      const t0 = performance.now();
      const dim = this.header.layout.topics * this.header.layout.blockDim;
      const p = await this.writeVectors(codes, labels, Math.min(dim, this.opts.ann.dims ?? INDEX_DEFAULTS.annDims));
      const index = this.opts.ann.index ?? defaultAnnIndex(this.n, p.D, this.opts.ann.indexType);
      await this.lance!.createIndex(index);
      this.lance!.close();
      const buildSeconds = (performance.now() - t0) / 1000;
      const projection = arrayBytes(p.matrix);
      await this.store.write(INDEX_FILES.projection, projection);
      files[INDEX_FILES.projection] = FileSummer.of(projection);
      const chosen = await chooseSearch(this.store, this.header.split, codes, labels, p, this.opts);
      ann = { type: 'lance', dims: p.D, index, search: chosen.search, measured: chosen.measured, buildSeconds };
    }
    const stats = codes.stats();
    const manifest: IndexManifest = {
      format: 'sadsl-index',
      version: INDEX_VERSION,
      ...this.header,
      n: this.n,
      dim: this.header.layout.topics * this.header.layout.blockDim,
      codes: { params: this.params, blocks: codes.blocks, ...stats },
      ann,
      files,
      createdAt: new Date().toISOString(),
    };
    await this.store.write(INDEX_FILES.manifest, JSON.stringify(manifest, null, 1));
    return manifest;
  }
}

/** Measured search parameters of an ANN stage, as the manifest records them. */
type ChosenSearch = { search: AnnSearchParams; measured: Extract<AnnManifest, { type: 'lance' }>['measured'] };

/** The search parameters: given, or the fastest of the sweep with recall@k ≥ target on the held-out queries. */
async function chooseSearch(store: IndexStore, split: IndexManifest['split'], codes: CompactCodes, labels: Int32Array, p: Projection, opts: WriteIndexOptions): Promise<ChosenSearch> {
  const o = opts.ann ?? {};
  const queries = opts.heldOut;
  const { dim } = p;
  const n = codes.n;
  if (!queries || queries.length === 0) return { search: o.search ?? { ...INDEX_DEFAULTS.annSearch }, measured: null };
  const k = Math.min(o.k ?? INDEX_DEFAULTS.annK, n);
  const target = o.targetRecall ?? INDEX_DEFAULTS.annTargetRecall;
  const exact = new ExactBackend(codes, labels, (r) => formatRef(split, r));
  const nq = queries.length / dim;
  const truth = await exact.search(queries, k);
  // One query at a time, as a service without concurrent queries sees them.
  const timedQueries = Math.min(nq, 20);
  const t0 = performance.now();
  for (let i = 0; i < timedQueries; i++) await exact.search(queries.subarray(i * dim, (i + 1) * dim), k);
  const exactQps = timedQueries / ((performance.now() - t0) / 1000);
  const base = await LanceBackend.open(store.lance, exact, p, o.search ?? SWEEP[0]);
  try {
    const sweep: { nprobes: number; refineFactor: number; ef?: number; recall: number; qps: number }[] = [];
    const grid = o.search ? [o.search] : SWEEP;
    for (const [i, params] of grid.entries()) {
      opts.onProgress?.('measure', i + 1, grid.length);
      // Per nprobes the refine factors rise: once one reaches the target (or already scores every object), the
      // larger ones cost more for nothing.
      const done = sweep.some((s) => s.nprobes === params.nprobes && (s.recall >= target || k * s.refineFactor >= n));
      if (!o.search && done) continue;
      const lance = base.withParams(params);
      await lance.search(queries.subarray(0, dim), k); // warm the index cache
      const t = performance.now();
      const hits = await lance.search(queries, k);
      const qps = nq / ((performance.now() - t) / 1000);
      sweep.push({ ...params, recall: recall(hits, truth), qps });
    }
    const ok = sweep.filter((s) => s.recall >= target).sort((a, b) => b.qps - a.qps);
    const best = ok[0] ?? [...sweep].sort((a, b) => b.recall - a.recall || b.qps - a.qps)[0];
    const search: AnnSearchParams = { nprobes: best.nprobes, refineFactor: best.refineFactor, ...(best.ef ? { ef: best.ef } : {}) };
    return { search, measured: { queries: nq, k, recall: best.recall, annQps: best.qps, exactQps, sweep } };
  } finally {
    await base.close(); // closes the exact backend too
  }
}

/**
 * Rebuilds the ANN stage of a finished index with LanceDB vectors (another index type, or parameters measured
 * again) without encoding anything: the stored vectors and projection stay, the index over them is rebuilt,
 * the search parameters are swept again on the held-out queries, and the manifest is rewritten.
 */
export async function rebuildAnn(store: IndexStore, opts: WriteIndexOptions): Promise<IndexManifest> {
  const m = await readIndexManifest(store);
  if (m.ann.type !== 'lance') throw new ArgumentError(`${store.uri}: the index has no ANN stage to rebuild (build it with --ann lance)`);
  const { codes, labels, projection } = await readIndexArrays(store, m);
  const D = m.ann.dims;
  const p: Projection = { dim: m.dim, D, matrix: projection! };
  const index = opts.ann?.index ?? defaultAnnIndex(m.n, D, opts.ann?.indexType);
  const t0 = performance.now();
  await reindex(store.lance, index);
  const buildSeconds = (performance.now() - t0) / 1000;
  const chosen = await chooseSearch(store, m.split, codes, labels, p, opts);
  const manifest: IndexManifest = { ...m, ann: { type: 'lance', dims: D, index, search: chosen.search, measured: chosen.measured, buildSeconds }, createdAt: new Date().toISOString() };
  await store.write(INDEX_FILES.manifest, JSON.stringify(manifest, null, 1));
  return manifest;
}

/** Mean fraction of the exact top-k rows that the ANN returned. */
export function recall(hits: Hit[][], truth: Hit[][]): number {
  let found = 0;
  let total = 0;
  hits.forEach((h, q) => {
    const want = new Set(truth[q].map((x) => x.row));
    found += h.filter((x) => want.has(x.row)).length;
    total += want.size;
  });
  return total ? found / total : 1;
}

function concatI32(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
