import { describe, expect, it } from 'vitest';
import { CompactCodes, compactBytes } from '../../src/search/compact.js';
import { topicCodes } from './fixtures.js';

const layout = { topics: 4, blockDim: 2 };

/** One code with block masses 0.5, 0.3, 0.15, 0.05 (topics 2, 0, 3, 1): block k = √θ_k · unit vector. */
function handCode(): Float32Array {
  const unit = (a: number) => [Math.cos(a), Math.sin(a)];
  const theta = [0.3, 0.05, 0.5, 0.15];
  return Float32Array.from(theta.flatMap((t, k) => unit(k).map((v) => Math.sqrt(t) * v)));
}

describe('compact codes', () => {
  it('keeps the fewest blocks of largest mass whose dropped mass is within the bound, in topic order', () => {
    const z = handCode();
    // δ = 0.25: 0.5 + 0.3 kept, dropped 0.2.
    let c = CompactCodes.fromDense(z, layout, { dtype: 'float32', maxBlocks: 4, maxDroppedMass: 0.25 });
    expect(Array.from(c.topics)).toEqual([0, 2]);
    expect(c.dropped[0]).toBeCloseTo(0.2, 6);
    // δ = 0.1: three blocks, dropped 0.05.
    c = CompactCodes.fromDense(z, layout, { dtype: 'float32', maxBlocks: 4, maxDroppedMass: 0.1 });
    expect(Array.from(c.topics)).toEqual([0, 2, 3]);
    expect(c.dropped[0]).toBeCloseTo(0.05, 6);
    // maxBlocks stops first: one block, dropped 0.5 (reported, above the bound).
    c = CompactCodes.fromDense(z, layout, { dtype: 'float32', maxBlocks: 1, maxDroppedMass: 0.1 });
    expect(Array.from(c.topics)).toEqual([2]);
    expect(c.dropped[0]).toBeCloseTo(0.5, 6);
    expect(c.stats()).toMatchObject({ meanBlocks: 1, blocksHistogram: [0, 1], maxDroppedMass: c.dropped[0] });
    // Stored blocks are the code's own, the rest zero.
    const dense = c.dense([0]);
    expect(Array.from(dense.subarray(4, 6))).toEqual(Array.from(z.subarray(4, 6)));
    expect(Array.from(dense.subarray(0, 4))).toEqual([0, 0, 0, 0]);
  });

  it('int8 stores each block with a per-block scale within half a step; float16 within its rounding; float32 exactly', () => {
    const { codes } = topicCodes(50, { topics: 8, blockDim: 16 }, 3);
    const l = { topics: 8, blockDim: 16 };
    const full = { maxBlocks: 8, maxDroppedMass: 0 };
    const i8 = CompactCodes.fromDense(codes, l, { dtype: 'int8', ...full });
    const f16 = CompactCodes.fromDense(codes, l, { dtype: 'float16', ...full });
    const f32 = CompactCodes.fromDense(codes, l, { dtype: 'float32', ...full });
    const rows = Array.from({ length: 50 }, (_, i) => i);
    const [a, b, c] = [i8.dense(rows), f16.dense(rows), f32.dense(rows)];
    for (let i = 0; i < codes.length; i++) {
      const block = Math.floor(i / 16);
      let max = 0;
      for (let j = block * 16; j < block * 16 + 16; j++) max = Math.max(max, Math.abs(codes[j]));
      expect(Math.abs(a[i] - codes[i])).toBeLessThanOrEqual((max / 127) * 0.5 + 1e-7);
      expect(Math.abs(b[i] - codes[i])).toBeLessThanOrEqual(Math.abs(codes[i]) * 2 ** -11 + 2 ** -24);
      expect(c[i]).toBe(codes[i]);
    }
    expect(i8.stats().bytesPerObject).toBeCloseTo(compactBytes(8, l, 'int8'), 0);
  });

  it('int4 packs two levels −7…7 per byte with a float16 scale; 15 blocks of 128 take 1,024 bytes', () => {
    // One block [0.7, −0.35, 0, 0.1]: scale = float16(0.7 / 7) = 0.0999755859375, levels 7, −4 (−3.5009 rounds
    // down), 0, 1; bytes 7 | (−4 & 15) << 4 = 199 and 0 | 1 << 4 = 16.
    const one = { topics: 1, blockDim: 4 };
    const c = CompactCodes.fromDense(Float32Array.from([0.7, -0.35, 0, 0.1]), one, { dtype: 'int4', maxBlocks: 1, maxDroppedMass: 0 });
    const s = 0.0999755859375;
    expect(c.scales[0]).toBe(s);
    expect(Array.from(c.values)).toEqual([199, 16]);
    expect(Array.from(c.dense([0]))).toEqual([7 * s, -4 * s, 0, s].map(Math.fround));
    // Every value within half a step of the stored scale (plus the clip when float16 rounded the scale down).
    const l = { topics: 8, blockDim: 16 };
    const { codes } = topicCodes(50, l, 3);
    const q = CompactCodes.fromDense(codes, l, { dtype: 'int4', maxBlocks: 8, maxDroppedMass: 0 });
    const a = q.dense(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 0; i < codes.length; i++) {
      let max = 0;
      for (let j = Math.floor(i / 16) * 16, e = j + 16; j < e; j++) max = Math.max(max, Math.abs(codes[j]));
      expect(Math.abs(a[i] - codes[i])).toBeLessThanOrEqual((max / 7) * 0.5 * (1 + 2 ** -10) + 1e-6);
    }
    expect(compactBytes(15, { topics: 32, blockDim: 128 }, 'int4')).toBe(1024);
    expect(compactBytes(7, { topics: 32, blockDim: 128 }, 'int8')).toBe(944);
    expect(q.stats().bytesPerObject).toBeCloseTo(compactBytes(8, l, 'int4'), 0);
    // An odd block size ends each block in half a byte: [0.3, −0.6, 0.15] → levels 4 (3.5 rounds up), −7, 2.
    const odd = CompactCodes.fromDense(Float32Array.from([0.3, -0.6, 0.15, 0, 0, 0]), { topics: 2, blockDim: 3 }, { dtype: 'int4', maxBlocks: 1 });
    expect(odd.scales[0]).toBe(0.085693359375); // float16(0.6 / 7)
    expect(Array.from(odd.values)).toEqual([4 | (9 << 4), 2]);
    expect(compactBytes(1, { topics: 2, blockDim: 3 }, 'int4')).toBe(2 + 2 + 2 + 2 + 2);
  });

  it('θ from the stored blocks is ‖z̃_k‖² renormalised over them: each row sums to 1', () => {
    // Blocks of mass 0.5 (topic 2) and 0.3 (topic 0) kept, 0.2 dropped: θ = (0.3, 0, 0.5, 0) / 0.8.
    const c = CompactCodes.fromDense(handCode(), layout, { dtype: 'float32', maxBlocks: 2, maxDroppedMass: 0 });
    const theta = Array.from(c.theta());
    [0.375, 0, 0.625, 0].forEach((t, k) => expect(theta[k]).toBeCloseTo(t, 6));
    // int8 rows that dropped mass: the model's θ of the stored topics over their sum, within int8's rounding.
    const l = { topics: 8, blockDim: 16 };
    const { codes, theta: truth } = topicCodes(200, l, 5);
    const q = CompactCodes.fromDense(codes, l, { dtype: 'int8', maxBlocks: 2, maxDroppedMass: 0 });
    expect(q.stats().meanDroppedMass).toBeGreaterThan(0.05);
    const th = q.theta();
    for (let i = 0; i < q.n; i++) {
      const stored = Array.from(q.topics.subarray(q.offsets[i], q.offsets[i + 1]));
      const mass = stored.reduce((a, k) => a + truth[i * 8 + k], 0);
      let sum = 0;
      for (let k = 0; k < 8; k++) {
        sum += th[i * 8 + k];
        expect(th[i * 8 + k]).toBeCloseTo(stored.includes(k) ? truth[i * 8 + k] / mass : 0, 2);
      }
      expect(sum).toBeCloseTo(1, 6);
    }
    // A zero code stores no block and its θ row stays 0.
    expect(Array.from(CompactCodes.fromDense(new Float32Array(8), layout).theta())).toEqual(new Array(4).fill(0));
  });

  it('survives a round trip through chunks, slices and concatenation; a truncated file is an error', () => {
    const l = { topics: 8, blockDim: 16 };
    const { codes } = topicCodes(300, l, 4);
    for (const dtype of ['int4', 'int8', 'float16', 'float32'] as const) {
      const c = CompactCodes.fromDense(codes, l, { dtype, maxBlocks: 3, maxDroppedMass: 0.05 });
      const bytes = Buffer.concat([c.chunk(0, 100), c.chunk(100, 250), c.chunk(250, 300)]);
      const back = CompactCodes.parse(bytes, l, dtype, c.n, c.blocks);
      const rows = Array.from({ length: 300 }, (_, i) => i);
      expect(Array.from(back.dense(rows))).toEqual(Array.from(c.dense(rows)));
      expect(Array.from(back.dropped)).toEqual(Array.from(c.dropped));
      const glued = CompactCodes.concat([c.slice(0, 120), c.slice(120, 300)], l, dtype);
      expect(Array.from(glued.dense(rows))).toEqual(Array.from(c.dense(rows)));
      expect(() => CompactCodes.parse(bytes.subarray(0, bytes.length - 10), l, dtype, c.n, c.blocks, 'codes.bin')).toThrow(/codes.bin: .*truncated or corrupt/);
      expect(() => CompactCodes.parse(bytes, l, dtype, c.n + 1, c.blocks, 'codes.bin')).toThrow(/expected 301 objects/);
    }
  });

  it('rejects bad parameters with the argument named', () => {
    expect(() => CompactCodes.fromDense(new Float32Array(7), layout)).toThrow(/rows of 8 values/);
    expect(() => CompactCodes.fromDense(handCode(), layout, { maxBlocks: 0 })).toThrow(/maxBlocks/);
    expect(() => CompactCodes.fromDense(handCode(), layout, { maxDroppedMass: 1 })).toThrow(/maxDroppedMass/);
  });
});
