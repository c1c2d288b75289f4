/**
 * MNIST-style datasets: a directory holding the four standard IDX files, gzipped or not
 * (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, `t10k-…`). The files' own train/test
 * split is used.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import type { ImageDataset } from '../types.js';
import { readMaybeGzip } from '../gzip.js';
import { idxSplit } from './idx.js';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const STEMS = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** `train-images-idx3-ubyte`, also spelled `train-images.idx3-ubyte`, optionally with `.gz`. */
function findFile(files: string[], dir: string, stem: string): string {
  const alt = stem.replace(/-idx/, '.idx');
  const hit = [stem, `${stem}.gz`, alt, `${alt}.gz`].find((f) => files.includes(f));
  if (!hit) throw new DataError(`${dir}: missing IDX file ${stem}[.gz]`);
  return join(dir, hit);
}

/** The four IDX files of `dir` (throws a `DataError` naming the first one missing). */
export async function mnistFiles(dir: string): Promise<Record<keyof typeof STEMS, string>> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    throw new DataError(`${dir}: cannot read directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return {
    trainImages: findFile(files, dir, STEMS.trainImages),
    trainLabels: findFile(files, dir, STEMS.trainLabels),
    testImages: findFile(files, dir, STEMS.testImages),
    testLabels: findFile(files, dir, STEMS.testLabels),
  };
}

export async function loadMnistDir(dir: string, opts: { name: string; classes: string[]; spec: string }): Promise<ImageDataset> {
  const f = await mnistFiles(dir);
  const [tri, trl, tei, tel] = await Promise.all(
    [f.trainImages, f.trainLabels, f.testImages, f.testLabels].map((p) => readMaybeGzip(p)),
  );
  const k = opts.classes.length;
  const train = idxSplit(tri, trl, k, { images: f.trainImages, labels: f.trainLabels });
  const test = idxSplit(tei, tel, k, { images: f.testImages, labels: f.testLabels });
  if (train.height !== test.height || train.width !== test.width) {
    throw new DataError(`${f.testImages}: images are ${test.height}×${test.width}, training images ${train.height}×${train.width}`);
  }
  return { spec: opts.spec, name: opts.name, domain: 'image', classes: opts.classes, train, test, splitInfo: { kind: 'given' } };
}
