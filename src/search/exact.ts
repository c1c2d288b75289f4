/**
 * Exact search over compact codes (compact.ts). Queries are compacted with the index's own parameters, so the
 * score is the compact score s̃(q, x) = Σ_k w_k ⟨q̃_k, x̃_k⟩ over the topics both keep, computed exactly.
 *
 * The stored blocks are regrouped by row range and topic into pieces: piece (c, k) holds the blocks of topic
 * k of the objects in rows [c·R, (c+1)·R), as a float32 matrix [rows, d] (scale folded in). A block of queries
 * is answered in one pass over the database: per row range, each topic's piece is multiplied on the engine
 * with the blocks of the queries that keep that topic ([q_k, d]·[rows, d]ᵀ, a matrix product instead of a
 * scalar loop), scattered into a score tile [queries, R], and the tile feeds a running top-k per query.
 * A query touches only the pieces of the topics it keeps, and a pass costs about the same memory traffic for
 * one query as for 64, which is why the service answers concurrent queries together (batcher.ts).
 */
import { COMPACT_DEFAULTS, type CompactParams } from '../config.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import type { Hit, SearchBackend } from './backend.js';
import { CompactCodes } from './compact.js';
import { weightVector, type CodeLayout, type TopicWeights } from './topics.js';
import { TopK, bestFirst } from '../engine/topk.js';

/** Rows per range: a score tile of 64 queries × R floats is 16 MB. */
const RANGE = 65536;
/** Pieces stay on the engine (no copy per pass) while all of them take at most this many bytes. */
const RESIDENT_BYTES = 1.5 * 2 ** 30;

/** The blocks of one topic among the objects of one row range. */
interface Piece {
  /** Row of each block, relative to the range start. */
  rows: Int32Array;
  /** [rows.length, d] values · scale. */
  values: Float32Array;
  /** The values on the engine, transposed to [d, blocks] (pieceTensor), when they stay there. */
  tensor: tf.Tensor2D | null;
}

export class ExactBackend implements SearchBackend {
  readonly name = 'exact';
  readonly layout: CodeLayout;
  readonly size: number;
  /** pieces[range][topic], null when no object of the range keeps the topic. */
  private readonly pieces: (Piece | null)[][];
  private readonly queryParams: CompactParams;

  constructor(
    readonly compact: CompactCodes,
    private readonly labels: Int32Array, // [n]
    private readonly ids: (row: number) => string,
    /**
     * How queries are compacted. Default: not at all (every block, float32): a query is scored against what each
     * object stores (asymmetric, as product quantisation scores), which costs nothing on disk and, on the
     * Fashion-MNIST bench, halves to quarters the mAP lost to compact codes (int8 ≤ 7 blocks: −0.020 → −0.012).
     */
    queryParams?: Partial<CompactParams>,
  ) {
    this.layout = compact.layout;
    this.size = labels.length;
    if (compact.n !== this.size) throw new ArgumentError(`codes: expected ${this.size} objects, got ${compact.n}`);
    this.queryParams = { ...COMPACT_DEFAULTS, maxBlocks: compact.layout.topics, maxDroppedMass: 0, ...queryParams, dtype: 'float32' };
    this.pieces = split(compact);
    if (compact.blocks * compact.layout.blockDim * 4 <= RESIDENT_BYTES) {
      for (const range of this.pieces) for (const p of range) if (p) p.tensor = pieceTensor(p, compact.layout.blockDim);
    }
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
    const byTopic = Array.from({ length: K }, () => ({ qs: [] as number[], vecs: [] as number[] }));
    const v = new Float32Array(d);
    for (let i = 0; i < nq; i++) {
      for (let b = q.offsets[i]; b < q.offsets[i + 1]; b++) {
        const t = q.topics[b];
        if (w && w[t] === 0) continue;
        q.blockInto(b, v, 0, w ? w[t] : 1);
        byTopic[t].qs.push(i);
        for (let j = 0; j < d; j++) byTopic[t].vecs.push(v[j]);
      }
    }
    const active = byTopic.flatMap((t, topic) => (t.qs.length > 0 ? [{ topic, qs: Int32Array.from(t.qs), vecs: tf.tensor2d(t.vecs, [t.qs.length, d]) }] : []));
    try {
      const heaps = Array.from({ length: nq }, () => new TopK(kk));
      const tile = new Float32Array(nq * RANGE);
      for (let c = 0; c < this.pieces.length; c++) {
        const r0 = c * RANGE;
        const r1 = Math.min(this.size, r0 + RANGE);
        tile.fill(0);
        for (const t of active) {
          const p = this.pieces[c][t.topic];
          if (p) scatter(await this.product(t.vecs, p, d), t.qs, p.rows, tile);
        }
        for (let i = 0; i < nq; i++) {
          const heap = heaps[i];
          const base = i * RANGE;
          for (let r = 0; r < r1 - r0; r++) {
            const s = tile[base + r];
            if (s > heap.threshold) heap.push(s, r0 + r);
          }
        }
      }
      // Ordered by the score each hit reports (summed per topic here), which can differ from the engine's
      // product in the last float32 bit: near-ties would otherwise list out of order, and unlike rank()'s.
      return heaps.map((heap, i) => heap.sorted().map(({ row }) => this.hit(q, i, row, w)).sort(bestFirst));
    } finally {
      tf.dispose(active.map((t) => t.vecs));
    }
  }

  /** Scores [queries of the topic, blocks of the piece] on the engine. */
  private async product(queries: tf.Tensor2D, p: Piece, d: number): Promise<Float32Array> {
    const s = tf.tidy(() => tf.matMul(queries, p.tensor ?? pieceTensor(p, d)));
    const out = (await s.data()) as Float32Array;
    s.dispose();
    return out;
  }

  /** The k best of the candidate rows for one query [dim], by the exact compact score (the ANN's re-ranking). */
  rank(query: Float32Array, rows: readonly number[], k: number, topicWeights?: TopicWeights): Hit[] {
    const w = weightVector(topicWeights, this.layout);
    const q = CompactCodes.fromDense(query, this.layout, this.queryParams);
    const hits = [...new Set(rows)].map((row) => this.hit(q, 0, row, w));
    return hits.sort(bestFirst).slice(0, k);
  }

  /** A hit with its per-topic contributions and the dropped masses of both codes. */
  private hit(q: CompactCodes, qi: number, row: number, w: Float32Array | null): Hit {
    const c = compactContributions(q, qi, this.compact, row, w);
    return {
      id: this.ids(row),
      row,
      label: this.labels[row],
      score: c.reduce((a, b) => a + b, 0),
      contributions: c,
      dropped: { query: q.dropped[qi], object: this.compact.dropped[row] },
    };
  }

  async codes(rows: readonly number[]): Promise<Float32Array> {
    return this.compact.dense(rows);
  }

  async close(): Promise<void> {
    for (const range of this.pieces) for (const p of range) p?.tensor?.dispose();
  }
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

/** A piece as [d, blocks]: the engine's product is fastest untransposed. */
function pieceTensor(p: Piece, d: number): tf.Tensor2D {
  const n = p.rows.length;
  const t = new Float32Array(d * n);
  for (let b = 0; b < n; b++) for (let j = 0; j < d; j++) t[j * n + b] = p.values[b * d + j];
  return tf.tensor2d(t, [d, n]);
}

/** tile[q_a, rows[b]] += scores[a, b] for the queries of one topic and the blocks of one piece. */
function scatter(scores: Float32Array, qs: Int32Array, rows: Int32Array, tile: Float32Array): void {
  const nb = rows.length;
  for (let a = 0; a < qs.length; a++) {
    const base = qs[a] * RANGE;
    const so = a * nb;
    for (let b = 0; b < nb; b++) tile[base + rows[b]] += scores[so + b];
  }
}

/** Regroups the stored blocks by row range and topic, as float32 with the scale folded in. */
function split(c: CompactCodes): (Piece | null)[][] {
  const { topics: K, blockDim: d } = c.layout;
  const out: (Piece | null)[][] = [];
  for (let r0 = 0; r0 < c.n; r0 += RANGE) {
    const r1 = Math.min(c.n, r0 + RANGE);
    const count = new Int32Array(K);
    for (let b = c.offsets[r0]; b < c.offsets[r1]; b++) count[c.topics[b]]++;
    const pieces = Array.from({ length: K }, (_, k) => (count[k] > 0 ? { rows: new Int32Array(count[k]), values: new Float32Array(count[k] * d), tensor: null } : null));
    const fill = new Int32Array(K);
    for (let i = r0; i < r1; i++) {
      for (let b = c.offsets[i]; b < c.offsets[i + 1]; b++) {
        const k = c.topics[b];
        const p = fill[k]++;
        const piece = pieces[k]!;
        piece.rows[p] = i - r0;
        c.blockInto(b, piece.values, p * d);
      }
    }
    out.push(pieces);
  }
  return out;
}
