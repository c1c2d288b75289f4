import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadImageFolder } from '../../src/data/image/folder.js';
import { loadDataset } from '../../src/data/registry.js';
import { ArgumentError, DataError } from '../../src/errors.js';
import { tempDir } from './fixtures.js';

/** A uniform grayscale PNG of the given side and value. */
function grayPng(file: string, side: number, value: number): Promise<unknown> {
  return sharp(Buffer.alloc(side * side, value), { raw: { width: side, height: side, channels: 1 } }).toColourspace('b-w').png().toFile(file);
}

/** A uniform RGB image (PNG or JPEG by extension). */
function rgbImage(file: string, w: number, h: number, rgb: [number, number, number]): Promise<unknown> {
  const buf = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) buf.set(rgb, 3 * i);
  return sharp(buf, { raw: { width: w, height: h, channels: 3 } }).toFile(file);
}

function mk(...parts: string[]): string {
  const d = join(...parts);
  mkdirSync(d, { recursive: true });
  return d;
}

const opts = { size: 8, seed: 1, testFraction: 0.25, spec: 'images:test' };

describe('images:/dir', () => {
  it('all-grayscale folders load as 1 channel, resized, with a recorded stratified split', async () => {
    const root = tempDir();
    for (const [cls, value] of [['ankle', 40], ['bag', 200]] as const) {
      const d = mk(root, cls);
      for (let i = 0; i < 4; i++) await grayPng(join(d, `${i}.png`), 12 + i, value);
    }
    writeFileSync(join(root, 'bag', 'notes.txt'), 'ignored');
    const ds = await loadImageFolder(root, opts);
    expect(ds.classes).toEqual(['ankle', 'bag']);
    expect(ds.train).toMatchObject({ n: 6, height: 8, width: 8, channels: 1 });
    expect(ds.test.n).toBe(2);
    expect(ds.splitInfo).toEqual({ kind: 'stratified', seed: 1, testFraction: 0.25 });
    expect([...ds.test.labels].sort()).toEqual([0, 1]);
    // Uniform images stay uniform after resizing: every pixel has its class's value.
    for (let i = 0; i < ds.train.n; i++) {
      const want = ds.train.labels[i] === 0 ? 40 : 200;
      expect(new Set(ds.train.pixels.subarray(i * 64, (i + 1) * 64))).toEqual(new Set([want]));
    }
    expect(ds.train.sources?.every((s) => s.endsWith('.png'))).toBe(true);
  });

  it('one RGB file makes the whole dataset RGB; sizes from 8×8 up and JPEG load', async () => {
    const root = tempDir();
    await grayPng(join(mk(root, 'a'), 'g.png'), 8, 100);
    await grayPng(join(root, 'a', 'h.png'), 8, 100);
    await rgbImage(join(mk(root, 'b'), 'c.png'), 40, 30, [255, 0, 0]);
    await rgbImage(join(root, 'b', 'd.jpg'), 64, 64, [0, 0, 255]);
    const ds = await loadImageFolder(root, { ...opts, size: 10 });
    expect(ds.train.channels).toBe(3);
    const all = [ds.train, ds.test];
    const find = (src: string) => {
      for (const s of all) {
        const i = s.sources!.findIndex((f) => f.endsWith(src));
        if (i >= 0 && s.kind === 'image') return [...s.pixels.subarray(i * 300, i * 300 + 3)];
      }
      throw new Error(src);
    };
    expect(find('g.png')).toEqual([100, 100, 100]);
    expect(find('c.png')).toEqual([255, 0, 0]);
    const blue = find('d.jpg');
    expect(blue[2]).toBeGreaterThan(240); // JPEG is lossy
    expect(blue[0]).toBeLessThan(15);
  });

  it('train/ and test/ sub-folders give the split', async () => {
    const root = tempDir();
    await grayPng(join(mk(root, 'train', 'x'), '1.png'), 9, 1);
    await grayPng(join(mk(root, 'train', 'y'), '1.png'), 9, 2);
    await grayPng(join(root, 'train', 'y', '2.png'), 9, 2);
    await grayPng(join(mk(root, 'test', 'y'), '1.png'), 9, 2);
    const ds = await loadDataset(`images:${root}`, { imageSize: 8, cache: false });
    expect(ds.splitInfo).toEqual({ kind: 'given' });
    expect(ds.classes).toEqual(['x', 'y']);
    expect([...ds.train.labels]).toEqual([0, 1, 1]);
    expect([...ds.test.labels]).toEqual([1]);
  });

  it('rejects an empty class folder, an undecodable image and a too-small size', async () => {
    const root = tempDir();
    await grayPng(join(mk(root, 'a'), '1.png'), 8, 1);
    mk(root, 'empty');
    await expect(loadImageFolder(root, opts)).rejects.toThrow(`${join(root, 'empty')}: empty class folder`);
    const bad = tempDir();
    await grayPng(join(mk(bad, 'a'), '1.png'), 8, 1);
    writeFileSync(join(mk(bad, 'b'), 'broken.jpg'), 'not a jpeg at all');
    const err = await loadImageFolder(bad, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(new RegExp(`^${join(bad, 'b', 'broken.jpg')}: not a PNG, JPEG or WebP image`));
    await expect(loadImageFolder(bad, { ...opts, size: 4 })).rejects.toThrow(ArgumentError);
    await expect(loadImageFolder(tempDir(), opts)).rejects.toThrow(/no class sub-folders/);
  });

  it('reports progress for every file', async () => {
    const root = tempDir();
    for (const c of ['a', 'b']) for (let i = 0; i < 3; i++) await grayPng(join(mk(root, c), `${i}.png`), 8, i);
    const seen: number[] = [];
    await loadImageFolder(root, { ...opts, onProgress: (done, total) => seen.push(done * 100 + total) });
    expect(seen.sort((a, b) => a - b)).toEqual([106, 206, 306, 406, 506, 606]);
  });
});
