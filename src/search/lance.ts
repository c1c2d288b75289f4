/**
 * The LanceDB backend: an approximate candidate stage in front of the exact compact scores. The table
 * `codes` (`id`, `row`, `label`, `vector`) holds each object's code projected to D dims (projection.ts); an
 * ANN index over it (IVF_RQ, IVF_PQ, IVF_FLAT or IVF_HNSW_SQ, by dot product) proposes k · refineFactor
 * candidates per query,
 * which are scored exactly on the compact codes (ExactBackend.rank), so every returned score and
 * contribution is exact and only recall is approximate. The table may live on a local path or on
 * S3-compatible storage (`s3://bucket/path`, storage options from store.ts); opening only reads, so several
 * processes can serve one index at once.
 */
import type * as LanceDB from '@lancedb/lancedb';
import { createRequire } from 'node:module';
import { INDEX_DEFAULTS } from '../config.js';
import { ModelError } from '../errors.js';
import type { Hit, SearchBackend } from './backend.js';
import type { ExactBackend } from './exact.js';
import type { Projection } from './projection.js';
import { steer, weightVector, type CodeLayout, type TopicWeights } from './topics.js';

export const LANCE_TABLE = 'codes';

const require = createRequire(import.meta.url);
// LanceDB logs routine notices ("No existing dataset…, it will be created") as warnings; its logger reads
// LANCEDB_LOG once, when the module loads.
process.env.LANCEDB_LOG ??= 'error';
const lancedb = require('@lancedb/lancedb') as typeof LanceDB;
// LanceDB is a CommonJS module that checks `instanceof` against its own copy of apache-arrow: tables built
// with the ESM build fail those checks, so the arrow classes come from the CommonJS build too.
const { Field, FixedSizeList, Float32, Int32, RecordBatch, Schema, Struct, Table: ArrowTable, Utf8, makeData, vectorFromArray } =
  require('apache-arrow') as typeof import('apache-arrow');

/** LanceDB's k-means of the IVF partitions (`INDEX_DEFAULTS` says why not LanceDB's defaults). */
const KMEANS = { maxIterations: INDEX_DEFAULTS.annKmeansIterations, sampleRate: INDEX_DEFAULTS.annSampleRate };

/**
 * How the ANN index is built: IVF partitions over RaBitQ codes (`bits` per dimension), product-quantised codes,
 * the vectors themselves, or an HNSW graph per partition over scalar-quantised vectors.
 */
export type AnnIndexSpec =
  | { type: 'ivf_rq'; partitions: number; bits: number }
  | { type: 'ivf_pq'; partitions: number; subVectors: number }
  | { type: 'ivf_flat'; partitions: number }
  | { type: 'ivf_hnsw_sq'; partitions: number; m: number; efConstruction: number };

/** LanceDB's index configuration of a spec. */
function indexConfig(spec: AnnIndexSpec): LanceDB.Index {
  const common = { numPartitions: spec.partitions, distanceType: 'dot' as const, ...KMEANS };
  switch (spec.type) {
    case 'ivf_rq':
      return lancedb.Index.ivfRq({ ...common, numBits: spec.bits });
    case 'ivf_pq':
      return lancedb.Index.ivfPq({ ...common, numSubVectors: spec.subVectors });
    case 'ivf_flat':
      return lancedb.Index.ivfFlat(common);
    case 'ivf_hnsw_sq':
      return lancedb.Index.hnswSq({ ...common, m: spec.m, efConstruction: spec.efConstruction });
  }
}

/** A one-line description of an index spec (CLI, benchmarks). */
export function describeIndex(spec: AnnIndexSpec): string {
  switch (spec.type) {
    case 'ivf_rq':
      return `IVF_RQ ${spec.partitions} partitions, ${spec.bits} bit${spec.bits === 1 ? '' : 's'} per dimension`;
    case 'ivf_pq':
      return `IVF_PQ ${spec.partitions} partitions × ${spec.subVectors} sub-vectors`;
    case 'ivf_flat':
      return `IVF_FLAT ${spec.partitions} partitions`;
    case 'ivf_hnsw_sq':
      return `IVF_HNSW_SQ ${spec.partitions} partitions, m ${spec.m}`;
  }
}

/** Builds (or rebuilds) the ANN index over the table's `vector` column. */
async function createIndex(table: LanceDB.Table, spec: AnnIndexSpec): Promise<void> {
  await table.createIndex('vector', { config: indexConfig(spec), replace: true });
}

/** Rebuilds the ANN index of an existing table (another index type, same vectors). */
export async function reindex(loc: LanceLocation, spec: AnnIndexSpec): Promise<void> {
  const db = await connect(loc);
  try {
    const table = await db.openTable(LANCE_TABLE).catch((e: Error) => {
      throw new ModelError(`${loc.uri}: no LanceDB table '${LANCE_TABLE}' (${e.message.split('\n')[0]})`);
    });
    try {
      await createIndex(table, spec);
    } finally {
      table.close();
    }
  } finally {
    db.close();
  }
}

/** Search-time knobs: IVF partitions probed, candidates per query as a multiple of k, HNSW beam width. */
export interface AnnSearchParams {
  nprobes: number;
  refineFactor: number;
  ef?: number;
}

export interface LanceLocation {
  uri: string;
  storageOptions?: Record<string, string>;
}

export async function connect(loc: LanceLocation): Promise<LanceDB.Connection> {
  return lancedb.connect(loc.uri, loc.storageOptions ? { storageOptions: loc.storageOptions } : undefined);
}

/** Appends rows (`id`, `row`, `label`, `vector` [D]) to the table `codes`, creating it on the first call. */
export class LanceWriter {
  private table: LanceDB.Table | null = null;
  private readonly schema: InstanceType<typeof Schema>;
  private readonly vectorType: InstanceType<typeof FixedSizeList>;

  private constructor(
    private readonly db: LanceDB.Connection,
    readonly D: number,
  ) {
    this.vectorType = new FixedSizeList(D, new Field('item', new Float32(), true));
    this.schema = new Schema([new Field('id', new Utf8(), false), new Field('row', new Int32(), false), new Field('label', new Int32(), false), new Field('vector', this.vectorType, false)]);
  }

  static async open(loc: LanceLocation, D: number): Promise<LanceWriter> {
    return new LanceWriter(await connect(loc), D);
  }

  async add(rows: { start: number; ids: string[]; labels: Int32Array; vectors: Float32Array }): Promise<void> {
    const m = rows.labels.length;
    if (m === 0) return;
    const child = makeData({ type: new Float32(), length: m * this.D, data: rows.vectors });
    const columns = [
      vectorFromArray(rows.ids, new Utf8()).data[0],
      makeData({ type: new Int32(), length: m, data: Int32Array.from({ length: m }, (_, i) => rows.start + i) }),
      makeData({ type: new Int32(), length: m, data: rows.labels }),
      makeData({ type: this.vectorType, length: m, nullCount: 0, child }),
    ];
    const batch = new ArrowTable(this.schema, [new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: m, nullCount: 0, children: columns }))]);
    if (this.table) await this.table.add(batch);
    else this.table = await this.db.createTable(LANCE_TABLE, batch, { mode: 'overwrite' });
  }

  /** Builds (or rebuilds) the ANN index over `vector`. */
  async createIndex(spec: AnnIndexSpec): Promise<void> {
    if (!this.table) throw new ModelError('LanceDB table: no rows to index');
    await createIndex(this.table, spec);
  }

  close(): void {
    this.table?.close();
    this.db.close();
  }
}

/** ANN candidates from LanceDB, scored exactly by the exact backend. */
export class LanceBackend implements SearchBackend {
  readonly name = 'lance';

  private constructor(
    private readonly db: LanceDB.Connection,
    private readonly table: LanceDB.Table,
    private readonly exact: ExactBackend,
    private readonly projection: Projection,
    readonly params: AnnSearchParams,
  ) {}

  get layout(): CodeLayout {
    return this.exact.layout;
  }

  get size(): number {
    return this.exact.size;
  }

  static async open(loc: LanceLocation, exact: ExactBackend, projection: Projection, params: AnnSearchParams): Promise<LanceBackend> {
    const db = await connect(loc);
    const table = await db.openTable(LANCE_TABLE).catch((e: Error) => {
      db.close();
      throw new ModelError(`${loc.uri}: no LanceDB table '${LANCE_TABLE}' (${e.message.split('\n')[0]})`);
    });
    return new LanceBackend(db, table, exact, projection, params);
  }

  /** The same backend with other search knobs (the build's parameter sweep). */
  withParams(params: AnnSearchParams): LanceBackend {
    return new LanceBackend(this.db, this.table, this.exact, this.projection, params);
  }

  async search(queries: Float32Array, k: number, topicWeights?: TopicWeights): Promise<Hit[][]> {
    const { dim, D, matrix } = this.projection;
    const w = weightVector(topicWeights, this.layout);
    // Steering is linear, so the steered query is projected like any other.
    const q = steer(queries, this.layout, w);
    const out: Hit[][] = [];
    for (let qi = 0; qi < q.length / dim; qi++) {
      const y = new Float32Array(D);
      for (let t = 0; t < dim; t++) {
        const v = q[qi * dim + t];
        if (v !== 0) for (let c = 0; c < D; c++) y[c] += v * matrix[t * D + c];
      }
      let search = this.table
        .vectorSearch(y)
        .distanceType('dot')
        .nprobes(this.params.nprobes)
        .select(['row'])
        .limit(Math.min(this.size, k * this.params.refineFactor));
      if (this.params.ef) search = search.ef(this.params.ef);
      const rows = (await search.toArray()).map((r: { row: number }) => r.row);
      out.push(this.exact.rank(queries.subarray(qi * dim, (qi + 1) * dim), rows, k, topicWeights));
    }
    return out;
  }

  async codes(rows: readonly number[]): Promise<Float32Array> {
    return this.exact.codes(rows);
  }

  async close(): Promise<void> {
    this.table.close();
    this.db.close();
    await this.exact.close();
  }
}
