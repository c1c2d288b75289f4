/**
 * `images:/dir`: one sub-folder per class of PNG/JPEG files, decoded by `decodeImage` and resized to a
 * declared square size. Grayscale when every file is grayscale, else RGB. Optional `train/` and `test/`
 * sub-folders give the split; otherwise a seeded stratified split is made and recorded in `splitInfo`.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ArgumentError, DataError } from '../../errors.js';
import { stratifiedSplit } from '../split.js';
import { decodeImage, toChannels, type DecodedImage } from './decode.js';
import type { ImageDataset, ImageSplit } from '../types.js';

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Smallest accepted output side: the image encoder downsamples by 4. */
export const MIN_IMAGE_SIZE = 8;
/** Files decoded at once (sharp decodes on libuv's thread pool). */
const CONCURRENCY = 4;

export interface ImageFolderOptions {
  size: number;
  seed: number;
  testFraction: number;
  spec: string;
  onProgress?: (done: number, total: number) => void;
}

interface Entry {
  file: string;
  label: number;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`${dir}: cannot read directory (${err.code ?? err.message})`);
  });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** Image files of each class folder under `root`; an empty class folder is an error. */
async function listClasses(root: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const name of await subdirs(root)) {
    const dir = join(root, name);
    const files = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => join(dir, e.name))
      .sort();
    if (files.length === 0) throw new DataError(`${dir}: empty class folder (no .png/.jpg/.jpeg files)`);
    out.set(name, files);
  }
  if (out.size === 0) throw new DataError(`${root}: no class sub-folders of PNG/JPEG images`);
  return out;
}

async function decodeAll(entries: Entry[], size: number, onProgress?: (done: number, total: number) => void): Promise<DecodedImage[]> {
  const out = new Array<DecodedImage>(entries.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      out[i] = await decodeImage(entries[i].file, size, size, entries[i].file);
      onProgress?.(++done, entries.length);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out;
}

function toSplit(entries: Entry[], decoded: DecodedImage[], idx: number[], size: number, channels: number): ImageSplit {
  const per = size * size * channels;
  const pixels = new Uint8Array(idx.length * per);
  idx.forEach((i, k) => pixels.set(toChannels(decoded[i].rgb, channels), k * per));
  return {
    kind: 'image',
    n: idx.length,
    height: size,
    width: size,
    channels,
    pixels,
    labels: Int32Array.from(idx, (i) => entries[i].label),
    sources: idx.map((i) => entries[i].file),
  };
}

export async function loadImageFolder(root: string, opts: ImageFolderOptions): Promise<ImageDataset> {
  const { size } = opts;
  if (!Number.isInteger(size) || size < MIN_IMAGE_SIZE) {
    throw new ArgumentError(`image size must be an integer >= ${MIN_IMAGE_SIZE}, got ${size}`);
  }
  const top = await subdirs(root);
  const given = top.includes('train') && top.includes('test');
  const parts = given
    ? { train: await listClasses(join(root, 'train')), test: await listClasses(join(root, 'test')) }
    : { all: await listClasses(root) };
  const classes = [...new Set(Object.values(parts).flatMap((m) => [...m.keys()]))].sort();
  const entries: Entry[] = [];
  const ranges: Record<string, number[]> = {};
  for (const [part, byClass] of Object.entries(parts)) {
    ranges[part] = [];
    for (const [name, files] of byClass) {
      for (const file of files) {
        ranges[part].push(entries.length);
        entries.push({ file, label: classes.indexOf(name) });
      }
    }
  }
  const decoded = await decodeAll(entries, size, opts.onProgress);
  const channels = decoded.every((d) => d.gray) ? 1 : 3;
  const split = given
    ? { train: ranges.train, test: ranges.test }
    : stratifiedSplit(entries.map((e) => e.label), opts.testFraction, opts.seed);
  return {
    spec: opts.spec,
    name: root.split(/[\\/]/).filter(Boolean).pop() ?? 'images',
    domain: 'image',
    classes,
    train: toSplit(entries, decoded, split.train, size, channels),
    test: toSplit(entries, decoded, split.test, size, channels),
    splitInfo: given ? { kind: 'given' } : { kind: 'stratified', seed: opts.seed, testFraction: opts.testFraction },
  };
}
