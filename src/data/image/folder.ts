/**
 * `images:/dir`: one sub-folder per class of PNG/JPEG files, decoded by `decodeImage` and resized to a
 * declared square size. Grayscale when every file is grayscale, else RGB. Optional `train/` and `test/`
 * sub-folders give the split; otherwise a seeded stratified split is made and recorded in `splitInfo`.
 * `loadImageFolder` decodes every file into memory; `openImageFolder` decodes a batch's files when it is read.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ArgumentError, DataError } from '../../errors.js';
import { stratifiedSplit } from '../split.js';
import { decodeImage, readImageHeader, toChannels, type DecodedImage } from './decode.js';
import type { DatasetReader, ImageDataset, ImageSplit, SplitReader } from '../types.js';

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

/** Runs `f` on every item, `CONCURRENCY` at a time (sharp works on libuv's thread pool), results in order. */
async function mapConcurrent<T, R>(items: readonly T[], f: (item: T) => Promise<R>, onProgress?: (done: number, total: number) => void): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
      onProgress?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out;
}

/** The split of `entries`, whose decoded images are `decoded` (same order). */
function toSplit(entries: Entry[], decoded: DecodedImage[], size: number, channels: number): ImageSplit {
  const per = size * size * channels;
  const pixels = new Uint8Array(entries.length * per);
  decoded.forEach((d, k) => pixels.set(toChannels(d.rgb, channels), k * per));
  return {
    kind: 'image',
    n: entries.length,
    height: size,
    width: size,
    channels,
    pixels,
    labels: Int32Array.from(entries, (e) => e.label),
    sources: entries.map((e) => e.file),
  };
}

const decode = (size: number) => (e: Entry) => decodeImage(e.file, size, size, e.file);

/** The listing of a folder: classes, every file with its label, and the train/test split (indices into `entries`). */
interface Listing {
  classes: string[];
  entries: Entry[];
  train: number[];
  test: number[];
  splitInfo: ImageDataset['splitInfo'];
}

async function listFolder(root: string, opts: ImageFolderOptions): Promise<Listing> {
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
  const split = given
    ? { train: ranges.train, test: ranges.test }
    : stratifiedSplit(entries.map((e) => e.label), opts.testFraction, opts.seed);
  const splitInfo: ImageDataset['splitInfo'] = given ? { kind: 'given' } : { kind: 'stratified', seed: opts.seed, testFraction: opts.testFraction };
  return { classes, entries, ...split, splitInfo };
}

const folderName = (root: string): string => root.split(/[\\/]/).filter(Boolean).pop() ?? 'images';

export async function loadImageFolder(root: string, opts: ImageFolderOptions): Promise<ImageDataset> {
  const { size } = opts;
  const l = await listFolder(root, opts);
  const decoded = await mapConcurrent(l.entries, decode(size), opts.onProgress);
  const channels = decoded.every((d) => d.gray) ? 1 : 3;
  const part = (idx: number[]): ImageSplit => toSplit(idx.map((i) => l.entries[i]), idx.map((i) => decoded[i]), size, channels);
  return { spec: opts.spec, name: folderName(root), domain: 'image', classes: l.classes, train: part(l.train), test: part(l.test), splitInfo: l.splitInfo };
}

/**
 * `images:/dir` streamed: the same objects as `loadImageFolder`, but only file names, labels and the channel count
 * (from every file's header, no pixels decoded) stay resident; `read` decodes the files of a batch.
 */
export async function openImageFolder(root: string, opts: ImageFolderOptions): Promise<DatasetReader> {
  const { size } = opts;
  const l = await listFolder(root, opts);
  const headers = await mapConcurrent(l.entries, (e) => readImageHeader(e.file, e.file), opts.onProgress);
  const channels = headers.every((h) => h.colour === 1) ? 1 : 3;
  const reader = (idx: number[]): SplitReader => ({
    kind: 'image',
    n: idx.length,
    labels: Int32Array.from(idx, (i) => l.entries[i].label),
    resident: null,
    read: async (indices) => {
      const entries = Array.from(indices, (i) => l.entries[idx[i]]);
      return { split: toSplit(entries, await mapConcurrent(entries, decode(size)), size, channels) };
    },
  });
  return { spec: opts.spec, name: folderName(root), domain: 'image', classes: l.classes, train: reader(l.train), test: reader(l.test), splitInfo: l.splitInfo };
}
