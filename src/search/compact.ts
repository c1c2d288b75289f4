/**
 * Compact codes. A code is K topic blocks z_k = √θ_k v̂_k with ‖v̂_k‖ = 1, so ‖z_k‖² = θ_k (+ ε_θ) and
 * s(x, y) = Σ_k ⟨z_k(x), z_k(y)⟩ (docs/model.md eqs. (11)–(12)): a block of small mass adds almost nothing to
 * any score. A compact code keeps, per object, its blocks of largest mass — the fewest whose dropped mass
 * Σ θ_k of the other blocks is at most `maxDroppedMass`, and never more than `maxBlocks` — each stored in
 * int8 or int4 with a per-block scale, in float16, or in float32 (lossless). int4 packs two values per byte
 * (levels −7…7) and keeps its scales and the dropped mass in float16, so that 15 blocks of d = 128 fit in
 * 1,024 bytes (int8: 7 blocks in 944). The compact score
 * s̃(x, y) = Σ_{k kept by both} ⟨z̃_k(x), z̃_k(y)⟩ is computed exactly from what is stored; by Cauchy–Schwarz
 * on the dropped blocks, |s̃ − s| ≤ √δ(x) + √δ(y) + (quantisation error), where δ is the dropped mass.
 *
 * In memory the blocks are held in CSR form: object i owns blocks offsets[i]..offsets[i+1], block b has a
 * topic, a scale and `blockDim` values (value = stored · scale).
 */
import { util as arrowUtil } from 'apache-arrow';
import { COMPACT_DEFAULTS, type CompactParams } from '../config.js';
import { ArgumentError, ModelError } from '../errors.js';
import type { CodeLayout } from './topics.js';

export type { CompactParams };
export type CodeDtype = CompactParams['dtype'];

/** int4 values are packed two per byte in a Uint8Array (value j of a block in the low nibble when j is even). */
type Values = Int8Array | Uint8Array | Uint16Array | Float32Array;

/** Bytes per array element of the stored values (int4: one byte holds two values). */
const VALUE_BYTES: Record<CodeDtype, number> = { int4: 1, int8: 1, float16: 2, float32: 4 };
/** Bytes on disk of a scale and of a dropped mass (int4 keeps both in float16). */
const META_BYTES: Record<CodeDtype, number> = { int4: 2, int8: 4, float16: 4, float32: 4 };
/** The largest quantisation level of the integer dtypes. */
const LEVELS = { int4: 7, int8: 127 } as const;

/** Array elements one block of d values takes (an odd int4 block ends in half a byte). */
function perBlock(dtype: CodeDtype, d: number): number {
  return dtype === 'int4' ? Math.ceil(d / 2) : d;
}

function allocValues(dtype: CodeDtype, n: number): Values {
  if (dtype === 'int4') return new Uint8Array(n);
  return dtype === 'int8' ? new Int8Array(n) : dtype === 'float16' ? new Uint16Array(n) : new Float32Array(n);
}

/** Empty arrays for n objects with nb blocks in all. */
function allocCodes(n: number, nb: number, d: number, dtype: CodeDtype) {
  return { offsets: new Int32Array(n + 1), topics: new Uint16Array(nb), scales: new Float32Array(nb), values: allocValues(dtype, nb * perBlock(dtype, d)), dropped: new Float32Array(n) };
}

/**
 * How far above 1 the squared norm of a stored unit-norm code (or of its inner product with itself) may come
 * from rounding alone: int4's 7 levels can add a few percent on short blocks (a 16-value block: up to ~2 %
 * seen), int8's well under 1 %. Used by the service's probe to tell rounding from corrupt bytes.
 */
export const NORM_SLACK: Record<CodeDtype, number> = { int4: 0.1, int8: 0.01, float16: 1e-3, float32: 1e-3 };

/** float32 → the nearest float16, as a number. */
const toHalf = (x: number): number => arrowUtil.uint16ToFloat64(arrowUtil.float64ToUint16(x));

/** Bytes one object with `blocks` stored blocks takes on disk: count, dropped mass, and per block topic, scale and values. */
export function compactBytes(blocks: number, layout: CodeLayout, dtype: CodeDtype): number {
  return 2 + META_BYTES[dtype] + blocks * (2 + META_BYTES[dtype] + perBlock(dtype, layout.blockDim) * VALUE_BYTES[dtype]);
}

export class CompactCodes {
  private constructor(
    readonly layout: CodeLayout,
    readonly dtype: CodeDtype,
    /** [n + 1] block offsets per object. */
    readonly offsets: Int32Array,
    /** [nb] topic of each stored block. */
    readonly topics: Uint16Array,
    /** [nb] per-block scale (int8: max|v| / 127; float16/float32: 1). */
    readonly scales: Float32Array,
    /** [nb, blockDim] stored values. */
    readonly values: Values,
    /** [n] dropped mass δ = Σ θ_k over the blocks not stored. */
    readonly dropped: Float32Array,
  ) {}

  get n(): number {
    return this.dropped.length;
  }

  get blocks(): number {
    return this.topics.length;
  }

  /** Compacts dense codes [n, K·d] (see the module comment). */
  static fromDense(codes: Float32Array, layout: CodeLayout, params: Partial<CompactParams> = {}): CompactCodes {
    const p = { ...COMPACT_DEFAULTS, ...params };
    const { topics: K, blockDim: d } = layout;
    const dim = K * d;
    if (codes.length % dim !== 0) throw new ArgumentError(`codes: expected rows of ${dim} values, got ${codes.length} values`);
    if (!Number.isInteger(p.maxBlocks) || p.maxBlocks < 1) throw new ArgumentError(`maxBlocks: must be a positive integer, got ${p.maxBlocks}`);
    if (!(p.maxDroppedMass >= 0 && p.maxDroppedMass < 1)) throw new ArgumentError(`maxDroppedMass: must be in [0, 1), got ${p.maxDroppedMass}`);
    const n = codes.length / dim;
    const maxBlocks = Math.min(p.maxBlocks, K);
    const mass = new Float64Array(K);
    const order = Array.from({ length: K }, (_, k) => k);
    const kept: number[] = [];
    const offsets = new Int32Array(n + 1);
    const dropped = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let total = 0;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0, o = i * dim + k * d; j < d; j++) s += codes[o + j] * codes[o + j];
        mass[k] = s;
        total += s;
      }
      // Largest mass first; equal masses by topic, so the choice is deterministic.
      order.sort((a, b) => mass[b] - mass[a] || a - b);
      let rest = total;
      let m = 0;
      while (m < maxBlocks && mass[order[m]] > 0 && (m === 0 || rest > p.maxDroppedMass)) rest -= mass[order[m++]];
      // Summed again over the dropped blocks themselves: exactly 0 when every block is kept.
      let gone = 0;
      for (let t = m; t < K; t++) gone += mass[order[t]];
      dropped[i] = p.dtype === 'int4' ? toHalf(gone) : gone;
      const mine = order.slice(0, m).sort((a, b) => a - b);
      for (const k of mine) kept.push(k);
      offsets[i + 1] = offsets[i] + m;
    }
    const nb = kept.length;
    const topics = Uint16Array.from(kept);
    const scales = new Float32Array(nb).fill(1);
    const values = allocValues(p.dtype, nb * perBlock(p.dtype, d));
    for (let i = 0; i < n; i++) {
      for (let b = offsets[i]; b < offsets[i + 1]; b++) {
        const src = i * dim + topics[b] * d;
        const dst = b * d;
        const packed = b * perBlock(p.dtype, d); // int4: the block's first byte
        if (p.dtype === 'int8' || p.dtype === 'int4') {
          const levels = LEVELS[p.dtype];
          let max = 0;
          for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(codes[src + j]));
          // int4's scale is the float16 that is stored; a value it rounds past the last level is clipped.
          const scale = (p.dtype === 'int4' ? toHalf(max / levels) : max / levels) || 1;
          scales[b] = scale;
          for (let j = 0; j < d; j++) {
            const q = Math.max(-levels, Math.min(levels, Math.round(codes[src + j] / scale)));
            if (values instanceof Int8Array) values[dst + j] = q;
            else values[packed + (j >> 1)] |= (q & 0xf) << ((j & 1) * 4);
          }
        } else if (values instanceof Uint16Array) {
          for (let j = 0; j < d; j++) values[dst + j] = arrowUtil.float64ToUint16(codes[src + j]);
        } else {
          values.set(codes.subarray(src, src + d), dst);
        }
      }
    }
    return new CompactCodes(layout, p.dtype, offsets, topics, scales, values, dropped);
  }

  /** Block b as float32 (value · scale), written to `out` at `at`. */
  blockInto(b: number, out: Float32Array, at: number, weight = 1): void {
    const d = this.layout.blockDim;
    const v = this.values;
    const s = this.scales[b] * weight;
    const o = b * d;
    if (this.dtype === 'int4') {
      const ob = b * perBlock('int4', d);
      for (let j = 0; j < d; j++) {
        const nibble = (v[ob + (j >> 1)] >> ((j & 1) * 4)) & 0xf;
        out[at + j] = (nibble > 7 ? nibble - 16 : nibble) * s;
      }
    } else if (v instanceof Uint16Array) for (let j = 0; j < d; j++) out[at + j] = arrowUtil.uint16ToFloat64(v[o + j]) * s;
    else for (let j = 0; j < d; j++) out[at + j] = v[o + j] * s;
  }

  /** The stored code of object i as a dense vector [K·d] (dropped blocks are zero). */
  denseInto(i: number, out: Float32Array, at = 0): void {
    const d = this.layout.blockDim;
    out.fill(0, at, at + this.layout.topics * d);
    for (let b = this.offsets[i]; b < this.offsets[i + 1]; b++) this.blockInto(b, out, at + this.topics[b] * d);
  }

  /** Dense forms of rows, [rows.length, K·d]. */
  dense(rows: readonly number[]): Float32Array {
    const dim = this.layout.topics * this.layout.blockDim;
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      if (!(r >= 0 && r < this.n)) throw new ArgumentError(`row ${r} is out of range (the index has ${this.n} objects)`);
      this.denseInto(r, out, i * dim);
    });
    return out;
  }

  /**
   * θ from the stored blocks as [n, K] (dropped topics 0): each row ‖z̃_k‖² / Σ_j ‖z̃_j‖² over its stored
   * blocks, so it sums to 1 like the model's θ. The raw norms sum to 1 − δ (minus quantisation error), and
   * anything that adds θ up — the service's topic usage — would lose the dropped mass. A row with no stored
   * block (a zero code) stays 0.
   */
  theta(): Float32Array {
    const { topics: K, blockDim: d } = this.layout;
    const out = new Float32Array(this.n * K);
    const tmp = new Float32Array(d);
    for (let i = 0; i < this.n; i++) {
      let total = 0;
      for (let b = this.offsets[i]; b < this.offsets[i + 1]; b++) {
        this.blockInto(b, tmp, 0);
        let s = 0;
        for (let j = 0; j < d; j++) s += tmp[j] * tmp[j];
        out[i * K + this.topics[b]] = s;
        total += s;
      }
      if (total > 0) for (let b = this.offsets[i]; b < this.offsets[i + 1]; b++) out[i * K + this.topics[b]] /= total;
    }
    return out;
  }

  /** Summary for manifests and reports. */
  stats(): CompactStats {
    const n = this.n;
    let maxDropped = 0;
    let sumDropped = 0;
    const hist = new Array<number>(this.layout.topics + 1).fill(0);
    for (let i = 0; i < n; i++) {
      sumDropped += this.dropped[i];
      maxDropped = Math.max(maxDropped, this.dropped[i]);
      hist[this.offsets[i + 1] - this.offsets[i]]++;
    }
    while (hist.length > 1 && hist[hist.length - 1] === 0) hist.pop();
    return {
      meanBlocks: n ? this.blocks / n : 0,
      blocksHistogram: hist,
      meanDroppedMass: n ? sumDropped / n : 0,
      maxDroppedMass: maxDropped,
      bytesPerObject: n ? serializedLength(this.n, this.blocks, this.layout, this.dtype) / n : 0,
    };
  }

  /** Objects [start, end) as a self-contained byte chunk (see `parseCompactChunks`). */
  chunk(start: number, end: number): Uint8Array {
    const { blockDim: d } = this.layout;
    const c = end - start;
    const b0 = this.offsets[start];
    const b1 = this.offsets[end];
    const nb = b1 - b0;
    const w = new ChunkWriter(chunkLength(c, nb, d, this.dtype));
    w.u32(c);
    w.u32(nb);
    const meta = (a: Float32Array) => (this.dtype === 'int4' ? Uint16Array.from(a, (x) => arrowUtil.float64ToUint16(x)) : a);
    const pb = perBlock(this.dtype, d);
    w.array(meta(this.dropped.subarray(start, end)));
    w.array(meta(this.scales.subarray(b0, b1)));
    w.array(this.values.subarray(b0 * pb, b1 * pb));
    w.array(this.topics.subarray(b0, b1));
    w.array(Uint16Array.from({ length: c }, (_, i) => this.offsets[start + i + 1] - this.offsets[start + i]));
    return w.done();
  }

  /** Objects [start, end) as their own compact codes (copies). */
  slice(start: number, end: number): CompactCodes {
    const pb = perBlock(this.dtype, this.layout.blockDim);
    const b0 = this.offsets[start];
    const b1 = this.offsets[end];
    return new CompactCodes(
      this.layout,
      this.dtype,
      Int32Array.from(this.offsets.subarray(start, end + 1), (o) => o - b0),
      this.topics.slice(b0, b1),
      this.scales.slice(b0, b1),
      this.values.slice(b0 * pb, b1 * pb),
      this.dropped.slice(start, end),
    );
  }

  /** Concatenates compact codes of the same layout and dtype (in order). */
  static concat(parts: readonly CompactCodes[], layout: CodeLayout, dtype: CodeDtype): CompactCodes {
    const n = parts.reduce((a, p) => a + p.n, 0);
    const nb = parts.reduce((a, p) => a + p.blocks, 0);
    const d = layout.blockDim;
    const { offsets, topics, scales, values, dropped } = allocCodes(n, nb, d, dtype);
    let i0 = 0;
    let b0 = 0;
    for (const p of parts) {
      if (p.dtype !== dtype || p.layout.topics !== layout.topics || p.layout.blockDim !== d) throw new ModelError('compact codes: parts differ in layout or dtype');
      for (let i = 0; i < p.n; i++) offsets[i0 + i + 1] = b0 + p.offsets[i + 1];
      topics.set(p.topics, b0);
      scales.set(p.scales, b0);
      (values as Float32Array).set(p.values as Float32Array, b0 * perBlock(dtype, d));
      dropped.set(p.dropped, i0);
      i0 += p.n;
      b0 += p.blocks;
    }
    return new CompactCodes(layout, dtype, offsets, topics, scales, values, dropped);
  }

  /** Reads the chunks `chunk` wrote, back to back in `bytes`, expecting n objects and nb blocks in all. */
  static parse(bytes: Uint8Array, layout: CodeLayout, dtype: CodeDtype, n: number, nb: number, what = 'codes'): CompactCodes {
    const d = layout.blockDim;
    const { offsets, topics, scales, values, dropped } = allocCodes(n, nb, d, dtype);
    const bad = (why: string): never => {
      throw new ModelError(`${what}: ${why} (truncated or corrupt index?)`);
    };
    let at = 0;
    let i0 = 0;
    let b0 = 0;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (at < bytes.byteLength) {
      if (at + 8 > bytes.byteLength) bad('a chunk header is cut off');
      const c = dv.getUint32(at, true);
      const cb = dv.getUint32(at + 4, true);
      const len = chunkLength(c, cb, d, dtype);
      if (at + len > bytes.byteLength || i0 + c > n || b0 + cb > nb) bad('a chunk is larger than the rest of the file');
      const r = new ChunkReader(bytes, at + 8);
      if (dtype === 'int4') {
        r.halves(dropped, i0, c);
        r.halves(scales, b0, cb);
      } else {
        r.into(dropped, i0, c);
        r.into(scales, b0, cb);
      }
      const pb = perBlock(dtype, d);
      r.into(values, b0 * pb, cb * pb);
      r.into(topics, b0, cb);
      const counts = new Uint16Array(c);
      r.into(counts, 0, c);
      for (let i = 0; i < c; i++) offsets[i0 + i + 1] = offsets[i0 + i] + counts[i];
      if (offsets[i0 + c] !== b0 + cb) bad('block counts do not add up');
      for (let b = b0; b < b0 + cb; b++) if (topics[b] >= layout.topics) bad(`topic ${topics[b]} is out of range`);
      i0 += c;
      b0 += cb;
      at += len;
    }
    if (i0 !== n || b0 !== nb) bad(`expected ${n} objects and ${nb} blocks, found ${i0} and ${b0}`);
    return new CompactCodes(layout, dtype, offsets, topics, scales, values, dropped);
  }
}

export interface CompactStats {
  meanBlocks: number;
  /** Objects with 0, 1, 2, … stored blocks. */
  blocksHistogram: number[];
  meanDroppedMass: number;
  maxDroppedMass: number;
  bytesPerObject: number;
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function chunkLength(c: number, nb: number, d: number, dtype: CodeDtype): number {
  const parts = [META_BYTES[dtype] * c, META_BYTES[dtype] * nb, nb * perBlock(dtype, d) * VALUE_BYTES[dtype], 2 * nb, 2 * c];
  return 8 + parts.reduce((a, p) => a + p + pad4(p), 0);
}

/** Bytes of n objects with nb blocks written as one chunk. */
export function serializedLength(n: number, nb: number, layout: CodeLayout, dtype: CodeDtype): number {
  return chunkLength(n, nb, layout.blockDim, dtype);
}

class ChunkWriter {
  private readonly buf: Uint8Array;
  private at = 0;
  constructor(length: number) {
    this.buf = new Uint8Array(length);
  }
  u32(v: number): void {
    new DataView(this.buf.buffer).setUint32(this.at, v, true);
    this.at += 4;
  }
  /** Little-endian typed-array bytes (every platform Node runs on is little-endian), padded to 4. */
  array(a: Values | Float32Array | Uint16Array): void {
    this.buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), this.at);
    this.at += a.byteLength + pad4(a.byteLength);
  }
  done(): Uint8Array {
    return this.buf;
  }
}

class ChunkReader {
  constructor(
    private readonly bytes: Uint8Array,
    private at: number,
  ) {}
  into(out: Values | Float32Array | Uint16Array, offset: number, count: number): void {
    const len = count * out.BYTES_PER_ELEMENT;
    new Uint8Array(out.buffer, out.byteOffset + offset * out.BYTES_PER_ELEMENT, len).set(this.bytes.subarray(this.at, this.at + len));
    this.at += len + pad4(len);
  }
  /** `count` float16 values into float32 `out` from `offset`. */
  halves(out: Float32Array, offset: number, count: number): void {
    const h = new Uint16Array(count);
    this.into(h, 0, count);
    for (let i = 0; i < count; i++) out[offset + i] = arrowUtil.uint16ToFloat64(h[i]);
  }
}
