/**
 * CIFAR-10 binary batches: `data_batch_1..5.bin` (train), `test_batch.bin` (test), each record one
 * label byte then 3,072 pixel bytes as three 32×32 planes (R, G, B); class names in `batches.meta.txt`.
 * The directory may be the extracted `cifar-10-batches-bin` folder or its parent.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import type { ImageDataset, ImageSplit } from '../types.js';
import { maybeGunzip } from '../gzip.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';

/** Parses the records of one batch file into [n, 32, 32, 3] pixels and labels below `numClasses`. */
export function parseCifarBatch(buf: Uint8Array, numClasses: number, file: string): { pixels: Uint8Array; labels: Int32Array } {
  if (buf.length === 0 || buf.length % RECORD !== 0) {
    throw new DataError(`${file}: ${buf.length} bytes is not a whole number of ${RECORD}-byte CIFAR records`);
  }
  const n = buf.length / RECORD;
  const pixels = new Uint8Array(n * 3 * PLANE);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * RECORD;
    const c = buf[r];
    if (c >= numClasses) throw new DataError(`${file}: label ${c} of record ${i} is not below ${numClasses}`);
    labels[i] = c;
    const o = i * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      pixels[o + 3 * p] = buf[r + 1 + p]; // planar RGB → interleaved HWC
      pixels[o + 3 * p + 1] = buf[r + 1 + PLANE + p];
      pixels[o + 3 * p + 2] = buf[r + 1 + 2 * PLANE + p];
    }
  }
  return { pixels, labels };
}

/** Class names: one per non-empty line of `batches.meta.txt`. */
export function parseCifarMeta(text: string, file: string): string[] {
  const names = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (names.length < 2) throw new DataError(`${file}: expected one class name per line, found ${names.length}`);
  return names;
}

async function batchDir(dir: string): Promise<string> {
  for (const d of [dir, join(dir, 'cifar-10-batches-bin')]) {
    if (await stat(join(d, TEST_FILE)).then((s) => s.isFile(), () => false)) return d;
  }
  throw new DataError(`${dir}: no CIFAR-10 binary batches (looked for ${TEST_FILE} here and in cifar-10-batches-bin/)`);
}

async function readBatch(file: string): Promise<Buffer> {
  const buf = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`${file}: cannot read (${err.code ?? err.message})`);
  });
  return maybeGunzip(buf, file);
}

function concatSplit(parts: { pixels: Uint8Array; labels: Int32Array }[]): ImageSplit {
  const n = parts.reduce((a, p) => a + p.labels.length, 0);
  const pixels = new Uint8Array(n * 3 * PLANE);
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    pixels.set(p.pixels, at * 3 * PLANE);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return { kind: 'image', n, height: SIDE, width: SIDE, channels: 3, pixels, labels };
}

export async function loadCifar10(dir: string, spec: string): Promise<ImageDataset> {
  const d = await batchDir(dir);
  const metaFile = join(d, 'batches.meta.txt');
  const meta = await readFile(metaFile, 'utf8').catch(() => {
    throw new DataError(`${metaFile}: missing CIFAR-10 class names`);
  });
  const classes = parseCifarMeta(meta, metaFile);
  const trainParts = [];
  for (const f of TRAIN_FILES) {
    const file = join(d, f);
    trainParts.push(parseCifarBatch(await readBatch(file), classes.length, file));
  }
  const testFile = join(d, TEST_FILE);
  const test = concatSplit([parseCifarBatch(await readBatch(testFile), classes.length, testFile)]);
  return { spec, name: 'cifar10', domain: 'image', classes, train: concatSplit(trainParts), test, splitInfo: { kind: 'given' } };
}
