import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Dataset, ImageSplit } from '../../src/data/types.js';
import { readObjectFile, resolveObject } from '../../src/explain/object-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sadsl-objfile-'));
const grey = { domain: 'image' as const, height: 4, width: 6, channels: 1 };

describe('readObjectFile', () => {
  it('decodes an image, resizes it to the model input and makes it grey for 1 channel', async () => {
    const file = path.join(dir, 'red.png');
    await sharp({ create: { width: 12, height: 8, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } }).png().toFile(file);
    const s = (await readObjectFile(file, grey)) as ImageSplit;
    expect([s.kind, s.n, s.height, s.width, s.channels, s.pixels.length]).toEqual(['image', 1, 4, 6, 1, 24]);
    // red in grey: BT.601 luma, round(0.299 · 255) = 76
    expect(new Set(s.pixels)).toEqual(new Set([76]));
    const greyFile = path.join(dir, 'grey.png');
    await sharp({ create: { width: 3, height: 3, channels: 3, background: { r: 100, g: 100, b: 100 } } }).png().toFile(greyFile);
    expect(Array.from(((await readObjectFile(greyFile, grey)) as ImageSplit).pixels)).toEqual(Array(24).fill(100));
    const rgb = (await readObjectFile(file, { ...grey, channels: 3 })) as ImageSplit;
    expect(Array.from(rgb.pixels.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('reads .txt for document models; names the file in errors', async () => {
    const file = path.join(dir, 'doc.txt');
    writeFileSync(file, 'graphics card <drivers>');
    const text = { domain: 'text' as const, vocabSize: 10, maxLength: 8 };
    expect(await readObjectFile(file, text)).toMatchObject({ kind: 'text', n: 1, texts: ['graphics card <drivers>'] });
    await expect(readObjectFile(path.join(dir, 'red.png'), text)).rejects.toThrow(/red\.png: document models take \.txt files/);
    await expect(readObjectFile(file, grey)).rejects.toThrow(/doc\.txt: not a PNG, JPEG or WebP image/);
    await expect(readObjectFile(path.join(dir, 'nope.png'), grey)).rejects.toThrow(/nope\.png: no such file/);
  });
});

describe('resolveObject', () => {
  it('split:index loads the dataset lazily; a file does not', async () => {
    let loads = 0;
    const ds = { test: { kind: 'image', n: 3 }, train: { kind: 'image', n: 5 } } as unknown as Dataset;
    const load = async () => {
      loads++;
      return ds;
    };
    expect(await resolveObject('train:4', grey, load, '--a')).toEqual({ split: ds.train, indices: [4] });
    expect(loads).toBe(1);
    const f = await resolveObject(path.join(dir, 'red.png'), grey, load, '--a');
    expect(f.split.n).toBe(1);
    expect(loads).toBe(1);
    await expect(resolveObject('test:9', grey, load, '--b')).rejects.toThrow(/--b: test:9 is out of range/);
    await expect(resolveObject('nothing', grey, load, '--b')).rejects.toThrow(/--b: 'nothing' is neither/);
  });
});
