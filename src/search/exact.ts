/**
 * Exact search over compact codes (compact.ts). Queries are compacted with the index's own parameters, so the
 * score is the compact score s̃(q, x) = Σ_k w_k ⟨q̃_k, x̃_k⟩ over the topics both keep, computed exactly.
 *
 * The stored blocks are regrouped by row range and topic into pieces: piece (c, k) holds the blocks of topic
 * k of the objects in rows [c·R, (c+1)·R), as a float32 matrix [rows, d] (scale folded in). A block of queries
 * is answered in one pass over the database: per row range, each topic's piece is multiplied on the engine
 * with the blocks of the queries that keep that topic ([q_k, d]·[rows, d]ᵀ, a matrix product instead of a
 * scalar loop) and scattered into a score tile [queries, R]. A pass costs about the same memory traffic for
 * one query as for 64, which is why the service answers concurrent queries together (batcher.ts).
 *
 * Pruning (exact). A pass multiplies only each query's head topics H — its largest blocks by w_k²‖q̃_k‖², all
 * but at most `tailMass` of the total — giving the partial score p(x) = Σ_{k∈H} w_k ⟨q̃_k, x̃_k⟩. By
 * Cauchy–Schwarz per topic, the tail T adds at most
 *   |Σ_{k∈T} w_k ⟨q̃_k, x̃_k⟩| ≤ b(x) = Σ_{k∈T} |w_k| ‖q̃_k‖ ‖x̃_k‖,
 * one more matrix product of the queries' tail norms with the objects' block norms ([q, K]·[K, R]), so
 * s̃(x) ∈ [p − b, p + b]. Any object whose upper bound p + b is below the k-th largest lower bound cannot be
 * among the k best; the others (candidates) are scored in full, and the k best of them are the exact top-k.
 * An object of another class keeps its mass on topics where the query has little, so both p and b are small
 * for it and the bound rules it out; on concentrated codes the head is a few of the K topics.
 */
import { totalmem } from 'node:os';
import { COMPACT_DEFAULTS, EXACT_DEFAULTS, type CompactParams } from '../config.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import type { Hit, SearchBackend } from './backend.js';
import { CompactCodes } from './compact.js';
import { weightVector, type CodeLayout, type TopicWeights } from './topics.js';
import { TopK } from '../engine/topk.js';

export interface ExactOptions {
  /** Share of a query's squared norm left out of its head topics (module comment); default `EXACT_DEFAULTS.tailMass`. */
  tailMass?: number;
  /** Rows per score tile; default `EXACT_DEFAULTS.range`. */
  range?: number;
  /** Keep the stored blocks on the engine between passes; default: when they fit the engine's budget (EXACT_DEFAULTS). */
  resident?: boolean;
}

/** Statistics of the latest search: how much pruning saved. */
export interface ExactPassStats {
  queries: number;
  /** Mean head topics per query. */
  headTopics: number;
  /** Mean objects scored in full per query. */
  candidates: number;
}

/** The blocks of one topic among the objects of one row range. */
interface Piece {
  /** Row of each block, relative to the range start. */
  rows: Int32Array;
  /** [rows.length, d] values · scale; emptied once the values stay on the engine. */
  values: Float32Array;
  /** The values on the engine, transposed to [d, blocks] (pieceTensor), when they stay there. */
  tensor: tf.Tensor2D | null;
}

/** A query's decoded blocks and its head topics. */
interface PreparedQuery {
  /** [K·d] unweighted blocks (0 where the compact query dropped the topic). */
  dense: Float32Array;
  /** Topics the query keeps. */
  kept: Uint8Array;
  head: number[];
  /** [K] |w_k| ‖q̃_k‖ for the tail topics, 0 for the head and dropped ones. */
  tail: Float32Array;
  /** Absolute slack added to every bound for float32 rounding in the engine's product. */
  eps: number;
  /** [d] scratch for one decoded database block (compactScore). */
  scratch: Float32Array;
}

export class ExactBackend implements SearchBackend {
  readonly name = 'exact';
  readonly layout: CodeLayout;
  readonly size: number;
  /** pieces[range][topic], null when no object of the range keeps the topic. */
  private readonly pieces: (Piece | null)[][];
  /** Per range, ‖x̃_k‖ of every object and topic as [K, rows] (0 where the object dropped the topic). */
  private readonly blockNorms: { values: Float32Array; tensor: tf.Tensor2D | null }[];
  private readonly queryParams: CompactParams;
  /** Share of a query's squared norm left out of its head (ExactOptions); may change between searches. */
  tailMass: number;
  private readonly range: number;
  private lastStats: ExactPassStats = { queries: 0, headTopics: 0, candidates: 0 };

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
    opts: ExactOptions = {},
  ) {
    this.layout = compact.layout;
    this.size = labels.length;
    if (compact.n !== this.size) throw new ArgumentError(`codes: expected ${this.size} objects, got ${compact.n}`);
    this.tailMass = opts.tailMass ?? EXACT_DEFAULTS.tailMass;
    if (!(this.tailMass >= 0 && this.tailMass < 1)) throw new ArgumentError(`tailMass: must be in [0, 1), got ${this.tailMass}`);
    this.range = opts.range ?? EXACT_DEFAULTS.range;
    if (!Number.isInteger(this.range) || this.range < 1) throw new ArgumentError(`range: must be a positive integer, got ${this.range}`);
    this.queryParams = { ...COMPACT_DEFAULTS, maxBlocks: compact.layout.topics, maxDroppedMass: 0, ...queryParams, dtype: 'float32' };
    const resident = opts.resident ?? compact.blocks * compact.layout.blockDim * 4 <= residentBytes();
    ({ pieces: this.pieces, blockNorms: this.blockNorms } = split(compact, this.range, resident));
  }

  /** Head topics and candidates of the latest search. */
  get stats(): ExactPassStats {
    return this.lastStats;
  }

  async search(queries: Float32Array, k: number, topicWeights?: TopicWeights): Promise<Hit[][]> {
    const { topics: K, blockDim: d } = this.layout;
    const dim = K * d;
    if (queries.length % dim !== 0) throw new ArgumentError(`query: expected codes of dimension ${dim}`);
    const w = weightVector(topicWeights, this.layout);
    const q = CompactCodes.fromDense(queries, this.layout, this.queryParams);
    const nq = q.n;
    const kk = Math.min(k, this.size);
    const prepared = Array.from({ length: nq }, (_, i) => this.prepare(q, i, w));
    // Per head topic, the queries that have it and their (steered) blocks [m, d].
    const byTopic = Array.from({ length: K }, () => ({ qs: [] as number[], vecs: [] as number[] }));
    prepared.forEach((pq, i) => {
      for (const t of pq.head) {
        byTopic[t].qs.push(i);
        const wt = w ? w[t] : 1;
        for (let j = 0; j < d; j++) byTopic[t].vecs.push(pq.dense[t * d + j] * wt);
      }
    });
    const active = byTopic.flatMap((t, topic) => (t.qs.length > 0 ? [{ topic, qs: Int32Array.from(t.qs), vecs: tf.tensor2d(t.vecs, [t.qs.length, d]) }] : []));
    const tailRows = new Float32Array(nq * K);
    prepared.forEach((pq, i) => tailRows.set(pq.tail, i * K));
    const tails = tf.tensor2d(tailRows, [nq, K]); // [q, K]
    const R = this.range;
    try {
      // The k-th largest lower bound so far, per query, and the rows whose upper bound reached it.
      const lower = Array.from({ length: nq }, () => new TopK(kk));
      const cands = Array.from({ length: nq }, () => new Candidates());
      const partial = new Float32Array(nq * R); // [q, R] p(x)
      for (let c = 0; c < this.pieces.length; c++) {
        const r0 = c * R;
        const rows = Math.min(this.size, r0 + R) - r0;
        partial.fill(0);
        for (const t of active) {
          const p = this.pieces[c][t.topic];
          if (p) scatter(await product(t.vecs, p.tensor ?? pieceTensor(p, d), !p.tensor), t.qs, p.rows, partial, R);
        }
        const norms = this.blockNorms[c];
        const bound = await product(tails, norms.tensor ?? tf.tensor2d(norms.values, [K, rows]), !norms.tensor); // [q, rows] b(x)
        for (let i = 0; i < nq; i++) {
          const cand = cands[i];
          bounds(partial, i * R, bound, i * rows, rows, r0, prepared[i].eps, lower[i], cand);
          if (cand.size > 4 * kk + 4096) cand.prune(lower[i].threshold);
        }
      }
      let scored = 0;
      const out = cands.map((cand, i) => {
        cand.prune(lower[i].threshold);
        scored += cand.size;
        const best = new TopK(kk);
        for (let j = 0; j < cand.size; j++) best.push(compactScore(prepared[i], this.compact, cand.rows[j], w), cand.rows[j]);
        // Ordered by the score each hit reports (summed per topic as compactScore sums), ties by row.
        return best.sorted().map(({ row }) => this.hit(q, i, row, w));
      });
      this.lastStats = { queries: nq, headTopics: prepared.reduce((a, p) => a + p.head.length, 0) / Math.max(1, nq), candidates: scored / Math.max(1, nq) };
      return out;
    } finally {
      tf.dispose([tails, ...active.map((t) => t.vecs)]);
    }
  }

  /** Decodes query i, orders its topics by steered mass and splits them into head and tail. */
  private prepare(q: CompactCodes, i: number, w: Float32Array | null): PreparedQuery {
    const { topics: K, blockDim: d } = this.layout;
    const dense = new Float32Array(K * d);
    const kept = new Uint8Array(K);
    const mass = new Float64Array(K);
    let total = 0;
    for (let b = q.offsets[i]; b < q.offsets[i + 1]; b++) {
      const t = q.topics[b];
      q.blockInto(b, dense, t * d);
      kept[t] = 1;
      let s = 0;
      for (let j = 0; j < d; j++) s += dense[t * d + j] ** 2;
      mass[t] = (w ? w[t] * w[t] : 1) * s;
      total += mass[t];
    }
    const order = Array.from({ length: K }, (_, t) => t)
      .filter((t) => mass[t] > 0)
      .sort((a, b) => mass[b] - mass[a] || a - b);
    let rest = total;
    const head: number[] = [];
    for (const t of order) {
      if (head.length > 0 && rest <= this.tailMass * total) break;
      head.push(t);
      rest -= mass[t];
    }
    const tail = new Float32Array(K);
    for (const t of order.slice(head.length)) tail[t] = Math.sqrt(mass[t]);
    return { dense, kept, head, tail, eps: 1e-4 * (1 + Math.sqrt(total)), scratch: new Float32Array(d) };
  }

  /** The k best of the candidate rows for one query [dim], by the exact compact score (the ANN's re-ranking). */
  rank(query: Float32Array, rows: readonly number[], k: number, topicWeights?: TopicWeights): Hit[] {
    const w = weightVector(topicWeights, this.layout);
    const q = CompactCodes.fromDense(query, this.layout, this.queryParams);
    if (rows.length === 0) return [];
    const pq = this.prepare(q, 0, w);
    // Scores first (no per-topic arrays), hits with their contributions for the k best only.
    const best = new TopK(Math.min(k, rows.length));
    // In ascending row order, so that of equal scores the lower row stays (TopK keeps the first of a tie).
    for (const row of Int32Array.from(new Set(rows)).sort()) best.push(compactScore(pq, this.compact, row, w), row);
    return best.sorted().map(({ row }) => this.hit(q, 0, row, w));
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
    for (const n of this.blockNorms) n.tensor?.dispose();
  }
}

/** a·b on the engine, read back: [queries of a topic, d]·[d, blocks] or [q, K]·[K, rows]; b is disposed when `disposeB` (made for this call). */
async function product(a: tf.Tensor2D, b: tf.Tensor2D, disposeB: boolean): Promise<Float32Array> {
  const s = tf.matMul(a, b);
  const out = (await s.data()) as Float32Array;
  s.dispose();
  if (disposeB) b.dispose();
  return out;
}

/** Bytes of float32 blocks that may stay on the current engine (EXACT_DEFAULTS). */
function residentBytes(): number {
  return tf.getBackend() === 'torch' ? totalmem() * EXACT_DEFAULTS.residentRamShareTorch : EXACT_DEFAULTS.residentBytesWasm;
}

/**
 * One query's bounds over one tile: lower bounds p − b enter the heap of the k best, rows whose upper bound
 * p + b reaches its k-th value become candidates. A function of its own so that V8 optimises the hot loop.
 */
function bounds(partial: Float32Array, pi: number, bound: Float32Array, bi: number, rows: number, r0: number, eps: number, heap: TopK, cand: Candidates): void {
  // The threshold only rises when a lower bound enters the heap; most rows fail the first test.
  let threshold = heap.threshold;
  for (let r = 0; r < rows; r++) {
    const s = partial[pi + r];
    const b = bound[bi + r] + eps;
    if (s + b < threshold) continue;
    if (s - b > threshold) {
      heap.push(s - b, r0 + r);
      threshold = heap.threshold;
    }
    // s + b ≥ s − b ≥ the new threshold when the lower bound entered the heap.
    if (s + b >= threshold) cand.push(r0 + r, s + b);
  }
}

/** Rows that may be among a query's k best, with their upper bounds (typed buffers: a pass may push millions). */
class Candidates {
  rows = new Int32Array(1024);
  upper = new Float64Array(1024);
  size = 0;

  push(row: number, upper: number): void {
    if (this.size === this.rows.length) {
      const rows = new Int32Array(2 * this.size);
      rows.set(this.rows);
      const up = new Float64Array(2 * this.size);
      up.set(this.upper);
      this.rows = rows;
      this.upper = up;
    }
    this.rows[this.size] = row;
    this.upper[this.size++] = upper;
  }

  /** Keeps the candidates whose upper bound reaches `threshold`, in order. */
  prune(threshold: number): void {
    let m = 0;
    for (let j = 0; j < this.size; j++) {
      if (this.upper[j] >= threshold) {
        this.rows[m] = this.rows[j];
        this.upper[m++] = this.upper[j];
      }
    }
    this.size = m;
  }
}

/**
 * Σ_k w_k ⟨q̃_k, x̃_k⟩ of a prepared query and stored object `row`, summed exactly as compactContributions and
 * Hit.score sum (per topic in float64, then in topic order), so candidates rank by the scores their hits report.
 */
function compactScore(pq: PreparedQuery, db: CompactCodes, row: number, w: Float32Array | null): number {
  const d = db.layout.blockDim;
  const vb = pq.scratch;
  let total = 0;
  for (let y = db.offsets[row]; y < db.offsets[row + 1]; y++) {
    const t = db.topics[y];
    if (!pq.kept[t]) continue;
    db.blockInto(y, vb, 0);
    let s = 0;
    for (let j = 0, o = t * d; j < d; j++) s += pq.dense[o + j] * vb[j];
    total += (w ? w[t] : 1) * s;
  }
  return total;
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

/** partial[q_a, rows[b]] += scores[a, b] for the queries of one topic and the blocks of one piece (tiles of R rows). */
function scatter(scores: Float32Array, qs: Int32Array, rows: Int32Array, partial: Float32Array, R: number): void {
  const nb = rows.length;
  for (let a = 0; a < qs.length; a++) {
    const base = qs[a] * R;
    const so = a * nb;
    for (let b = 0; b < nb; b++) partial[base + rows[b]] += scores[so + b];
  }
}

/**
 * Regroups the stored blocks by row range and topic, as float32 with the scale folded in, and lays out each
 * range's block norms as [K, rows]; with `resident` each range moves to the engine as it is made (the float32
 * copies of the pieces are then dropped).
 */
function split(c: CompactCodes, R: number, resident: boolean): { pieces: (Piece | null)[][]; blockNorms: { values: Float32Array; tensor: tf.Tensor2D | null }[] } {
  const { topics: K, blockDim: d } = c.layout;
  const out: (Piece | null)[][] = [];
  const blockNorms: { values: Float32Array; tensor: tf.Tensor2D | null }[] = [];
  for (let r0 = 0; r0 < c.n; r0 += R) {
    const r1 = Math.min(c.n, r0 + R);
    const count = new Int32Array(K);
    for (let b = c.offsets[r0]; b < c.offsets[r1]; b++) count[c.topics[b]]++;
    const pieces: (Piece | null)[] = Array.from({ length: K }, (_, k) => (count[k] > 0 ? { rows: new Int32Array(count[k]), values: new Float32Array(count[k] * d), tensor: null } : null));
    const norms = new Float32Array(K * (r1 - r0)); // [K, rows]
    const fill = new Int32Array(K);
    for (let i = r0; i < r1; i++) {
      for (let b = c.offsets[i]; b < c.offsets[i + 1]; b++) {
        const k = c.topics[b];
        const p = fill[k]++;
        const piece = pieces[k]!;
        piece.rows[p] = i - r0;
        c.blockInto(b, piece.values, p * d);
        let s = 0;
        for (let j = p * d; j < (p + 1) * d; j++) s += piece.values[j] ** 2;
        norms[k * (r1 - r0) + (i - r0)] = Math.sqrt(s);
      }
    }
    const n = { values: norms, tensor: null as tf.Tensor2D | null };
    if (resident) {
      for (const p of pieces) {
        if (!p) continue;
        p.tensor = pieceTensor(p, d);
        p.values = new Float32Array(0);
      }
      n.tensor = tf.tensor2d(norms, [K, r1 - r0]);
    }
    out.push(pieces);
    blockNorms.push(n);
  }
  return { pieces: out, blockNorms };
}
