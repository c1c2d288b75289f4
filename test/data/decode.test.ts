/**
 * One decoder for training and queries: a transparent PNG gets the same pixels through `images:/dir` (training),
 * an uploaded query (serve, `sadsl search`) and a file named on the command line, and those pixels are the
 * hand-computed ones (transparency painted over black).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DATA_DEFAULTS } from '../../src/config.js';
import { decodeImage, toChannels } from '../../src/data/image/decode.js';
import { loadImageFolder } from '../../src/data/image/folder.js';
import type { ImageDataset, ImageSplit } from '../../src/data/types.js';
import { DataError, ImageError } from '../../src/errors.js';
import { readObjectFile } from '../../src/explain/object-file.js';
import { imageQuery } from '../../src/search/query.js';
import { tempDir } from './fixtures.js';

const SIDE = 8;

/** An 8×8 PNG from a per-pixel function giving [channel values…, alpha]. */
function png(channels: 2 | 4, at: (x: number, y: number) => number[]): Promise<Buffer> {
  const raw = Buffer.alloc(SIDE * SIDE * channels);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) raw.set(at(x, y), (y * SIDE + x) * channels);
  const img = sharp(raw, { raw: { width: SIDE, height: SIDE, channels } });
  return (channels === 2 ? img.toColourspace('b-w') : img).png().toBuffer();
}

/** Left half opaque orange, column 4 half-transparent blue, the rest fully transparent white. */
const colourAt = (x: number): number[] => (x < 4 ? [200, 40, 10, 255] : x === 4 ? [0, 0, 255, 128] : [255, 255, 255, 0]);
/** The same over black, by hand: opaque as is, α = 128/255 of 255 = 128, transparent = 0. */
const colourWant = (x: number): number[] => (x < 4 ? [200, 40, 10] : x === 4 ? [0, 0, 128] : [0, 0, 0]);

/** The pixels `images:/dir` trained on for the file named `name`. */
function trainingPixels(ds: ImageDataset, name: string): Uint8Array {
  for (const s of [ds.train, ds.test]) {
    const i = s.sources!.findIndex((f) => f.endsWith(name));
    const per = s.height * s.width * s.channels;
    if (i >= 0) return s.pixels.slice(i * per, (i + 1) * per);
  }
  throw new Error(name);
}

/** A folder dataset of the transparent file plus one opaque file per class, as training loads it. */
async function trainOn(bytes: Buffer, other: Buffer): Promise<{ ds: ImageDataset; file: string }> {
  const root = tempDir();
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  const file = join(root, 'a', 'transparent.png');
  writeFileSync(file, bytes);
  writeFileSync(join(root, 'b', 'other.png'), other);
  const ds = await loadImageFolder(root, { size: SIDE, seed: 0, testFraction: 0.5, spec: 'images:test' });
  return { ds, file };
}

describe('decodeImage', () => {
  it('a transparent colour PNG: the query path and the CLI file path get the pixels training got', async () => {
    const bytes = await png(4, colourAt);
    const { ds, file } = await trainOn(bytes, await png(4, () => [1, 2, 3, 255]));
    expect(ds.train.channels).toBe(3);
    const trained = trainingPixels(ds, 'transparent.png');
    const want = Array.from({ length: SIDE * SIDE }, (_, p) => colourWant(p % SIDE)).flat();
    expect(Array.from(trained)).toEqual(want);
    const input = { domain: 'image' as const, height: SIDE, width: SIDE, channels: 3 };
    expect(Array.from((await imageQuery(new Uint8Array(bytes), input)).pixels)).toEqual(want);
    expect(Array.from(((await readObjectFile(file, input)) as ImageSplit).pixels)).toEqual(want);
  });

  it('a transparent grayscale PNG: one channel, the same through training and query', async () => {
    // grey 150 opaque on the top half, transparent white below
    const bytes = await png(2, (_, y) => (y < 4 ? [150, 255] : [255, 0]));
    const { ds } = await trainOn(bytes, await png(2, () => [9, 255]));
    expect(ds.train.channels).toBe(1);
    const want = Array.from({ length: SIDE * SIDE }, (_, p) => (p < 4 * SIDE ? 150 : 0));
    expect(Array.from(trainingPixels(ds, 'transparent.png'))).toEqual(want);
    const query = await imageQuery(new Uint8Array(bytes), { domain: 'image', height: SIDE, width: SIDE, channels: 1 });
    expect(Array.from(query.pixels)).toEqual(want);
  });

  it('grey for 1-channel models is BT.601 luma (R itself when R = G = B)', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 77, 77, 77, 255, 255, 255]);
    // 0.299·255 = 76.2, 0.587·255 = 149.7, 0.114·255 = 29.1
    expect(Array.from(toChannels(rgb, 1))).toEqual([76, 150, 29, 77, 255]);
    expect(toChannels(rgb, 3)).toBe(rgb);
    expect(() => toChannels(rgb, 2)).toThrow(DataError);
  });

  /** `small` with its IHDR patched to claim width × height (the CRC recomputed): only the header is read. */
  function claiming(small: Buffer, width: number, height: number): Buffer {
    const big = Buffer.from(small);
    expect(big.toString('latin1', 12, 16)).toBe('IHDR');
    big.writeUInt32BE(width, 16);
    big.writeUInt32BE(height, 20);
    big.writeUInt32BE(crc32(big.subarray(12, 29)), 29);
    return big;
  }

  it('refuses an image above the pixel limit before decoding, on both paths', async () => {
    const small = await png(4, colourAt);
    const big = claiming(small, 10_000, 10_000);
    expect(10_000 * 10_000).toBeGreaterThan(DATA_DEFAULTS.maxInputPixels);
    const limits = `at most ${DATA_DEFAULTS.maxInputPixels} pixels and ${DATA_DEFAULTS.maxInputSide} on a side`;
    await expect(decodeImage(big, SIDE, SIDE, 'big.png')).rejects.toThrow(`big.png: 10000×10000 pixels is too large (${limits})`);
    const q = imageQuery(new Uint8Array(big), { domain: 'image', height: SIDE, width: SIDE, channels: 3 }, 'upload');
    await expect(q).rejects.toThrow(ImageError);
    await expect(q).rejects.toMatchObject({ problem: 'too-large', message: `upload: 10000×10000 pixels is too large (${limits})` });
    // A side libvips cannot shrink (it failed with an internal error and a GLib-CRITICAL line) is refused too.
    await expect(decodeImage(claiming(small, 1, 39_000_000), SIDE, SIDE, 'tall.png')).rejects.toMatchObject({ problem: 'too-large', message: `tall.png: 1×39000000 pixels is too large (${limits})` });
    // The unpatched file decodes: the limit, not the bytes, refused it.
    expect((await decodeImage(small, SIDE, SIDE, 'small.png')).rgb).toHaveLength(SIDE * SIDE * 3);
  });

  it('takes PNG, JPEG and WebP only, by their signatures, not the name', async () => {
    const solid = sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 200, g: 30, b: 90 } } });
    const lossless = await decodeImage(await solid.clone().webp({ lossless: true }).toBuffer(), SIDE, SIDE, 'q.webp');
    expect(Array.from(lossless.rgb.subarray(0, 3))).toEqual([200, 30, 90]);
    expect((await decodeImage(await solid.clone().jpeg().toBuffer(), SIDE, SIDE, 'q.jpg')).rgb).toHaveLength(SIDE * SIDE * 3);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="red"/></svg>');
    for (const bytes of [await solid.clone().gif().toBuffer(), await solid.clone().tiff().toBuffer(), svg, Buffer.from('hello'), Buffer.alloc(0)]) {
      await expect(decodeImage(bytes, SIDE, SIDE, 'x.png')).rejects.toMatchObject({ problem: 'unsupported', message: 'x.png: not a PNG, JPEG or WebP image' });
    }
    // A file path is sniffed the same way.
    const dir = tempDir();
    writeFileSync(join(dir, 'x.png'), svg);
    await expect(decodeImage(join(dir, 'x.png'), SIDE, SIDE, 'x.png')).rejects.toMatchObject({ problem: 'unsupported' });
    const png8 = await solid.clone().png().toBuffer();
    await expect(decodeImage(png8.subarray(0, png8.length - 20), SIDE, SIDE, 'cut.png')).rejects.toMatchObject({ problem: 'undecodable', message: expect.stringMatching(/^cut\.png: not a decodable image \(/) });
    const garbage = Buffer.concat([png8.subarray(0, 8), Buffer.alloc(100, 7)]);
    await expect(decodeImage(garbage, SIDE, SIDE, 'g.png')).rejects.toMatchObject({ problem: 'undecodable' });
  });
});
