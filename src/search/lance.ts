/**
 * The LanceDB backend: codes in an embedded on-disk LanceDB table (`id`, `row`, `label`, `vector`),
 * searched by dot product, with an IVF_PQ index for large databases (refined with the stored vectors, so
 * returned scores are exact). Opening only reads, so several processes can serve one index at once.
 */
import type * as LanceDB from '@lancedb/lancedb';
import { createRequire } from 'node:module';
import { ModelError } from '../errors.js';
import type { Hit, SearchBackend } from './backend.js';
import { contributions, steer, weightVector, type CodeLayout, type TopicWeights } from './topics.js';

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

/** The ANN index of a LanceDB table; `none` searches all rows (exact, fine for small databases). */
export type AnnSpec = { type: 'none' } | { type: 'ivf_pq'; partitions: number; subVectors: number };

/** Search-time accuracy/speed knobs of the ANN index. */
export interface AnnSearchOptions {
  /** IVF partitions probed per query (default 20). */
  nprobes?: number;
  /** Candidates re-ranked with the full vectors, as a multiple of k (default 10). */
  refineFactor?: number;
}

/** Rows per write: large enough to amortise a fragment, small enough to bound memory. */
const WRITE_CHUNK = 65536;

/**
 * An IVF_PQ index sized for n codes of dimension dim, or none below `minRows`. Sub-vectors of 16 dims (LanceDB's
 * default) for small codes; 64 dims for codes of 1,024+ dims (4,096 = 64 sub-vectors), which keeps PQ training
 * to minutes, while the refine step re-ranks with the full vectors.
 */
export function defaultAnn(n: number, dim: number, minRows = 10_000): AnnSpec {
  if (n < minRows) return { type: 'none' };
  const subVectors = dim >= 1024 && dim % 64 === 0 ? dim / 64 : dim % 16 === 0 ? dim / 16 : dim % 8 === 0 ? dim / 8 : 1;
  return { type: 'ivf_pq', partitions: Math.max(1, Math.round(Math.sqrt(n))), subVectors };
}

/** Writes codes [n, dim] with their ids and labels as a LanceDB table in `dir` and builds the ANN index. */
export async function writeLanceTable(
  dir: string,
  data: { codes: Float32Array; labels: Int32Array; ids: (row: number) => string; dim: number },
  ann: AnnSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const { codes, labels, dim } = data;
  const n = labels.length;
  const db = await lancedb.connect(dir);
  let table: LanceDB.Table | null = null;
  const vectorType = new FixedSizeList(dim, new Field('item', new Float32(), true));
  const schema = new Schema([new Field('id', new Utf8(), false), new Field('row', new Int32(), false), new Field('label', new Int32(), false), new Field('vector', vectorType, false)]);
  for (let start = 0; start < n || (start === 0 && n === 0); start += WRITE_CHUNK) {
    const end = Math.min(n, start + WRITE_CHUNK);
    const m = end - start;
    const child = makeData({ type: new Float32(), length: m * dim, data: codes.subarray(start * dim, end * dim) });
    const columns = [
      vectorFromArray(Array.from({ length: m }, (_, i) => data.ids(start + i)), new Utf8()).data[0],
      makeData({ type: new Int32(), length: m, data: Int32Array.from({ length: m }, (_, i) => start + i) }),
      makeData({ type: new Int32(), length: m, data: labels.subarray(start, end) }),
      makeData({ type: vectorType, length: m, nullCount: 0, child }),
    ];
    const batch = new ArrowTable(schema, [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: m, nullCount: 0, children: columns }))]);
    if (table) await table.add(batch);
    else table = await db.createTable(LANCE_TABLE, batch, { mode: 'overwrite' });
    onProgress?.(end, n);
    if (n === 0) break;
  }
  if (table && ann.type === 'ivf_pq') {
    await table.createIndex('vector', {
      // k-means on 128 samples per partition for 20 iterations (LanceDB: 256 and 50): its cost grows with
      // partitions² × dim, hours for 4,096-dim codes on two cores, for little gain in recall after refining.
      config: lancedb.Index.ivfPq({ numPartitions: ann.partitions, numSubVectors: ann.subVectors, distanceType: 'dot', maxIterations: 20, sampleRate: 128 }),
    });
  }
  table?.close();
  db.close();
}

export class LanceBackend implements SearchBackend {
  readonly name = 'lance';
  private readonly dim: number;

  private constructor(
    private readonly db: LanceDB.Connection,
    private readonly table: LanceDB.Table,
    readonly size: number,
    readonly layout: CodeLayout,
    private readonly options: Required<AnnSearchOptions>,
  ) {
    this.dim = layout.topics * layout.blockDim;
  }

  /** Opens the table in `dir` for reading. */
  static async open(dir: string, layout: CodeLayout, options: AnnSearchOptions = {}): Promise<LanceBackend> {
    const db = await lancedb.connect(dir);
    const table = await db.openTable(LANCE_TABLE).catch((e: Error) => {
      db.close();
      throw new ModelError(`${dir}: no LanceDB table '${LANCE_TABLE}' (${e.message.split('\n')[0]})`);
    });
    const size = await table.countRows();
    return new LanceBackend(db, table, size, layout, { nprobes: options.nprobes ?? 20, refineFactor: options.refineFactor ?? 10 });
  }

  async search(queries: Float32Array, k: number, topicWeights?: TopicWeights): Promise<Hit[][]> {
    const dim = this.dim;
    const q = steer(queries, this.layout, weightVector(topicWeights, this.layout));
    const out: Hit[][] = [];
    for (let qi = 0; qi < q.length / dim; qi++) {
      const query = q.subarray(qi * dim, (qi + 1) * dim);
      const rows = await this.table
        .vectorSearch(Array.from(query))
        .distanceType('dot')
        .nprobes(this.options.nprobes)
        .refineFactor(this.options.refineFactor)
        .select(['id', 'row', 'label', 'vector', '_distance'])
        .limit(k)
        .toArray();
      const hits = rows.map((r: { id: string; row: number; label: number; vector: { toArray(): Float32Array } }) => {
        const c = contributions(query, 0, r.vector.toArray(), 0, this.layout);
        return { id: r.id, row: r.row, label: r.label, score: c.reduce((a, b) => a + b, 0), contributions: c };
      });
      out.push(hits.sort((a, b) => b.score - a.score || a.row - b.row));
    }
    return out;
  }

  async codes(rows: readonly number[]): Promise<Float32Array> {
    const found = await this.table.takeOffsets([...rows]).select(['row', 'vector']).toArray();
    const byRow = new Map<number, Float32Array>(found.map((r: { row: number; vector: { toArray(): Float32Array } }) => [r.row, r.vector.toArray()]));
    const out = new Float32Array(rows.length * this.dim);
    rows.forEach((r, i) => {
      const v = byRow.get(r);
      if (!v) throw new ModelError(`LanceDB table: row ${r} is missing`);
      out.set(v, i * this.dim);
    });
    return out;
  }

  async close(): Promise<void> {
    this.table.close();
    this.db.close();
  }
}
