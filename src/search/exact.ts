/**
 * Exact search over compact codes (compact.ts). Queries are compacted with the index's own parameters, so the
 * score is the compact score s̃(q, x) = Σ_k w_k ⟨q̃_k, x̃_k⟩ over the topics both keep, computed exactly.
 *
 * The stored blocks are regrouped by topic (an inverted list per topic: rows, scales, values), so a query
 * touches only the blocks of the topics it keeps. A block of queries is answered in one pass over the
 * database: per range of rows, every topic's blocks are read once and scored against all queries of the
 * block that keep that topic, into a score tile [queries, rows] that feeds a running top-k per query.
 * This is why concurrent queries are answered together (see `QueryBatcher`): the pass costs about the same
 * memory traffic for one query or for 64.
 */
import { COMPACT_DEFAULTS, type CompactParams } from '../config.js';
import { TopK } from '../engine/topk.js';
import { ArgumentError } from '../errors.js';
import type { Hit, SearchBackend } from './backend.js';
import { CompactCodes } from './compact.js';
import { weightVector, type CodeLayout, type TopicWeights } from './topics.js';

/** Rows per score tile: [queries, TILE] float32 stays in cache for blocks of up to 64 queries. */
const TILE = 4096;

/** The stored blocks of one topic, by ascending row. */
interface TopicList {
  rows: Int32Array;
  scales: Float32Array;
  values: Int8Array | Float32Array; // [rows.length, blockDim]
}

export class ExactBackend implements SearchBackend {
  readonly name = 'exact';
  readonly layout: CodeLayout;
  readonly size: number;
  private readonly lists: TopicList[];
  private readonly queryParams: CompactParams;

  constructor(
    readonly codes_: CompactCodes,
    private readonly labels: Int32Array, // [n]
    private readonly ids: (row: number) => string,
    /** How queries are compacted (default: like the stored codes, lossless when they are). */
    queryParams?: Partial<CompactParams>,
  ) {
    this.layout = codes_.layout;
    this.size = labels.length;
    if (codes_.n !== this.size) throw new ArgumentError(`codes: expected ${this.size} objects, got ${codes_.n}`);
    this.queryParams = { ...COMPACT_DEFAULTS, ...queryParams, dtype: 'float32' };
    this.lists = invert(codes_);
  }

  async search(queries: Float32Array, k: number, topicWeights?: TopicWeights): Promise<Hit[][]> {
    const { topics: K, blockDim: d } = this.layout;
    const dim = K * d;
    if (queries.length % dim !== 0) throw new ArgumentError(`query: expected codes of dimension ${dim}`);
    const w = weightVector(topicWeights, this.layout);
    const q = CompactCodes.fromDense(queries, this.layout, this.queryParams);
    const nq = q.n;
    const kk = Math.min(k, this.size);
    // Per topic, the queries that keep it and their (steered) blocks [m, d].
    const byTopic = Array.from({ length: K }, () => ({ qs: [] as number[], vecs: [] as Float32Array[] }));
    for (let i = 0; i < nq; i++) {
      for (let b = q.offsets[i]; b < q.offsets[i + 1]; b++) {
        const t = q.topics[b];
        if (w && w[t] === 0) continue;
        const v = new Float32Array(d);
        q.blockInto(b, v, 0, w ? w[t] : 1);
        byTopic[t].qs.push(i);
        byTopic[t].vecs.push(v);
      }
    }
    const active = byTopic.map((t, topic) => ({ topic, qs: Int32Array.from(t.qs), vecs: flatten(t.vecs, d) })).filter((t) => t.qs.length > 0);
    const heaps = Array.from({ length: nq }, () => new TopK(kk));
    const tile = new Float32Array(nq * TILE);
    const cursor = new Int32Array(K);
    for (let r0 = 0; r0 < this.size; r0 += TILE) {
      const r1 = Math.min(this.size, r0 + TILE);
      tile.fill(0);
      for (const t of active) {
        const list = this.lists[t.topic];
        let p = cursor[t.topic];
        const p1 = upperBound(list.rows, r1, p);
        scoreTile(list, p, p1, r0, t.qs, t.vecs, d, tile, TILE);
        cursor[t.topic] = p1;
        p = p1;
      }
      for (let i = 0; i < nq; i++) {
        const heap = heaps[i];
        const base = i * TILE - r0;
        for (let r = r0; r < r1; r++) {
          const s = tile[base + r];
          if (s > heap.threshold) heap.push(s, r);
        }
      }
    }
    return heaps.map((heap, i) => heap.sorted().map(({ row }) => this.hit(q, i, row, w)));
  }

  /** The k best of the candidate rows for one query [dim], by the exact compact score (the ANN's re-ranking). */
  rank(query: Float32Array, rows: readonly number[], k: number, topicWeights?: TopicWeights): Hit[] {
    const w = weightVector(topicWeights, this.layout);
    const q = CompactCodes.fromDense(query, this.layout, this.queryParams);
    const hits = [...new Set(rows)].map((row) => this.hit(q, 0, row, w));
    return hits.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k);
  }

  /** A hit with its per-topic contributions and the dropped masses of both codes. */
  private hit(q: CompactCodes, qi: number, row: number, w: Float32Array | null): Hit {
    const c = compactContributions(q, qi, this.codes_, row, w);
    return {
      id: this.ids(row),
      row,
      label: this.labels[row],
      score: c.reduce((a, b) => a + b, 0),
      contributions: c,
      dropped: { query: q.dropped[qi], object: this.codes_.dropped[row] },
    };
  }

  async codes(rows: readonly number[]): Promise<Float32Array> {
    return this.codes_.dense(rows);
  }

  async close(): Promise<void> {}
}

/** Per topic k, w_k ⟨ã_k, b̃_k⟩ of object i of a and object j of b (0 for topics one of them dropped). */
export function compactContributions(a: CompactCodes, i: number, b: CompactCodes, j: number, w: Float32Array | null = null): number[] {
  const d = a.layout.blockDim;
  const out = new Array<number>(a.layout.topics).fill(0);
  const va = new Float32Array(d);
  const vb = new Float32Array(d);
  let x = a.offsets[i];
  let y = b.offsets[j];
  // Both block lists are sorted by topic: walk them together.
  while (x < a.offsets[i + 1] && y < b.offsets[j + 1]) {
    const ta = a.topics[x];
    const tb = b.topics[y];
    if (ta < tb) x++;
    else if (tb < ta) y++;
    else {
      a.blockInto(x, va, 0);
      b.blockInto(y, vb, 0);
      let s = 0;
      for (let t = 0; t < d; t++) s += va[t] * vb[t];
      out[ta] = (w ? w[ta] : 1) * s;
      x++;
      y++;
    }
  }
  return out;
}

function flatten(vecs: Float32Array[], d: number): Float32Array {
  const out = new Float32Array(vecs.length * d);
  vecs.forEach((v, i) => out.set(v, i * d));
  return out;
}

/** First position ≥ from whose row is ≥ limit. */
function upperBound(rows: Int32Array, limit: number, from: number): number {
  let lo = from;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** tile[q, row − r0] += scale · ⟨query block, stored block⟩ for the list's blocks p0..p1 and the queries qs. */
function scoreTile(list: TopicList, p0: number, p1: number, r0: number, qs: Int32Array, vecs: Float32Array, d: number, tile: Float32Array, stride: number): void {
  const { rows, scales, values } = list;
  const nq = qs.length;
  for (let p = p0; p < p1; p++) {
    const vo = p * d;
    const col = rows[p] - r0;
    const sc = scales[p];
    for (let a = 0; a < nq; a++) {
      const qo = a * d;
      // Four accumulators let the JIT overlap the multiply-adds.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        s0 += vecs[qo + j] * values[vo + j];
        s1 += vecs[qo + j + 1] * values[vo + j + 1];
        s2 += vecs[qo + j + 2] * values[vo + j + 2];
        s3 += vecs[qo + j + 3] * values[vo + j + 3];
      }
      for (; j < d; j++) s0 += vecs[qo + j] * values[vo + j];
      tile[qs[a] * stride + col] += (s0 + s1 + s2 + s3) * sc;
    }
  }
}

/** Regroups the stored blocks by topic; float16 blocks become float32 (int8 stays int8 with its scale). */
function invert(c: CompactCodes): TopicList[] {
  const { topics: K, blockDim: d } = c.layout;
  const count = new Int32Array(K);
  for (let b = 0; b < c.blocks; b++) count[c.topics[b]]++;
  const lists: TopicList[] = Array.from({ length: K }, (_, k) => ({
    rows: new Int32Array(count[k]),
    scales: new Float32Array(count[k]),
    values: c.dtype === 'int8' ? new Int8Array(count[k] * d) : new Float32Array(count[k] * d),
  }));
  const fill = new Int32Array(K);
  for (let i = 0; i < c.n; i++) {
    for (let b = c.offsets[i]; b < c.offsets[i + 1]; b++) {
      const k = c.topics[b];
      const p = fill[k]++;
      const list = lists[k];
      list.rows[p] = i;
      if (list.values instanceof Int8Array) {
        list.scales[p] = c.scales[b];
        list.values.set((c.values as Int8Array).subarray(b * d, (b + 1) * d), p * d);
      } else {
        list.scales[p] = 1;
        c.blockInto(b, list.values, p * d);
      }
    }
  }
  return lists;
}
