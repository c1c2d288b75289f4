import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { maybeGunzip } from '../../src/data/gzip.js';
import { encodeIdx, idxSplit, parseIdx } from '../../src/data/image/idx.js';
import { pixelsFor } from './fixtures.js';

const files = { images: 'im.idx', labels: 'lb.idx' };

describe('IDX parser', () => {
  it('round-trips dimensions and data', () => {
    const data = pixelsFor(3, 20);
    const { dims, data: out } = parseIdx(encodeIdx([3, 4, 5], data), 3, 'x');
    expect(dims).toEqual([3, 4, 5]);
    expect([...out]).toEqual([...data]);
  });

  it('builds a split with labels and copied pixels', () => {
    const s = idxSplit(encodeIdx([2, 2, 3], pixelsFor(2, 6)), encodeIdx([2], Uint8Array.of(4, 1)), 10, files);
    expect(s).toMatchObject({ n: 2, height: 2, width: 3, channels: 1 });
    expect([...s.labels]).toEqual([4, 1]);
    expect([...s.pixels]).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]);
  });

  it.each([
    ['wrong magic', Uint8Array.of(0, 0, 9, 3, 0, 0, 0, 0), /wrong IDX magic 00 00 09 03/],
    ['wrong number of dimensions', encodeIdx([4], new Uint8Array(4)), /wrong IDX magic 00 00 08 01 \(expected 00 00 08 03\)/],
    ['truncated header', Uint8Array.of(0, 0, 8, 3, 0, 0), /truncated IDX header/],
    ['truncated data', encodeIdx([2, 2, 2], new Uint8Array(8)).subarray(0, 20), /truncated: dimensions 2×2×2 need 8 data bytes, found 4/],
    ['trailing bytes', Uint8Array.of(...encodeIdx([1, 1, 1], Uint8Array.of(5)), 9), /trailing bytes/],
    ['too short', Uint8Array.of(0, 0), /not an IDX file/],
  ])('rejects %s with a DataError naming the file', (_what, buf, msg) => {
    expect(() => parseIdx(buf, 3, 'bad.idx')).toThrow(DataError);
    expect(() => parseIdx(buf, 3, 'bad.idx')).toThrow(msg);
    expect(() => parseIdx(buf, 3, 'bad.idx')).toThrow(/^bad\.idx: /);
  });

  it('rejects a label/image count mismatch and out-of-range labels', () => {
    const im = encodeIdx([3, 2, 2], new Uint8Array(12));
    expect(() => idxSplit(im, encodeIdx([2], Uint8Array.of(0, 1)), 10, files)).toThrow('lb.idx: 2 labels but im.idx holds 3 images');
    expect(() => idxSplit(im, encodeIdx([3], Uint8Array.of(0, 10, 1)), 10, files)).toThrow('lb.idx: label 10 of item 1 is not below 10');
  });

  it('gzip wrapper passes plain data through and reports truncated gzip', async () => {
    const raw = Buffer.from('plain bytes');
    expect(await maybeGunzip(raw, 'f')).toBe(raw);
    const gz = gzipSync(Buffer.from('hello world, hello world'));
    expect((await maybeGunzip(gz, 'f')).toString()).toBe('hello world, hello world');
    await expect(maybeGunzip(gz.subarray(0, gz.length - 6), 'f.gz')).rejects.toThrow(/^f\.gz: truncated or corrupt gzip data/);
  });
});

/** Loads gzipped image + label IDX files the way the MNIST loader does. */
async function loadPair(imagesGz: Buffer, labelsGz: Buffer) {
  return idxSplit(await maybeGunzip(imagesGz, 'im.gz'), await maybeGunzip(labelsGz, 'lb.gz'), 10, { images: 'im.gz', labels: 'lb.gz' });
}

describe('IDX + gzip fuzzing: loads consistently or throws DataError', () => {
  const n = 6;
  const images = encodeIdx([n, 3, 3], pixelsFor(n, 9));
  const labels = encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => i % 10));
  const gzImages = gzipSync(images);
  const gzLabels = gzipSync(labels);

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  );
  const apply = (buf: Uint8Array, m: { kind: 'truncate' | 'flip'; at: number; bits?: number }): Buffer => {
    const b = Buffer.from(buf);
    if (m.kind === 'truncate') return b.subarray(0, m.at % b.length);
    b[m.at % b.length] ^= m.bits!;
    return b;
  };

  const check = async (im: Buffer, lb: Buffer): Promise<void> => {
    try {
      const s = await loadPair(im, lb);
      // A successful parse is self-consistent: sizes agree and labels are in range.
      expect(s.pixels.length).toBe(s.n * s.height * s.width);
      expect(s.labels.length).toBe(s.n);
      expect(s.labels.every((c) => c >= 0 && c < 10)).toBe(true);
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).not.toContain('\n');
    }
  };

  it('raw IDX images and labels', async () => {
    await fc.assert(fc.asyncProperty(mutation, mutation, async (mi, ml) => check(apply(images, mi), apply(labels, ml))), { numRuns: 300 });
  });

  it('gzipped IDX images and labels', async () => {
    await fc.assert(fc.asyncProperty(mutation, async (m) => check(apply(gzImages, m), gzLabels)), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(mutation, async (m) => check(gzImages, apply(gzLabels, m))), { numRuns: 200 });
  });

  it('a byte flip in the gzip body never yields silently different pixels', async () => {
    // The gzip CRC covers the data: a flipped compressed byte either fails or decodes to the original bytes.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 10, max: gzImages.length - 9 }), fc.integer({ min: 1, max: 255 }), async (at, bits) => {
        const b = Buffer.from(gzImages);
        b[at] ^= bits;
        const out = await maybeGunzip(b, 'im.gz').catch((e: unknown) => e);
        if (out instanceof DataError) return;
        expect(Buffer.compare(out as Buffer, Buffer.from(images))).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
