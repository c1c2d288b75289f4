/**
 * Dataset specs: one syntax for the CLI, configs and the API — `name` or `name:path`. The
 * registry resolves a spec to a loader and its source path and wraps every loader in the dataset cache,
 * so image and text datasets alike are parsed once.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DATA_DEFAULTS } from '../config.js';
import { ArgumentError, DataError } from '../errors.js';
import { cachedLoad } from './cache.js';
import { loadCifar10 } from './image/cifar.js';
import { loadImageFolder, openImageFolder } from './image/folder.js';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES, loadMnistDir } from './image/mnist.js';
import { SAMPLE_IMAGES_DIR, loadSampleImages } from './image/sample.js';
import { PACKAGE_ROOT, cacheDir, samplePath } from './paths.js';
import { residentDatasetReader } from './reader.js';
import { loadTextFolder, openTextFolder } from './text/folder.js';
import { loadJsonl, openJsonl } from './text/jsonl.js';
import { loadNewsgroups } from './text/newsgroups.js';
import { loadSampleText } from './text/sample.js';
import type { Dataset, DatasetReader } from './types.js';

export interface LoadOptions {
  /** Side of the square images of `images:/dir` (default 28, at least 8). */
  imageSize?: number;
  /** Seed of the stratified split of sources without a train/test split (default 0). */
  seed?: number;
  /** Test share of that split (default 0.2). */
  testFraction?: number;
  /** Use the dataset cache (default true). */
  cache?: boolean;
  /** Called while a slow source is parsed (not on cache hits). */
  onProgress?: (done: number, total: number) => void;
}


/** What to do when Fashion-MNIST is not installed. */
const FASHION_MNIST_HINT = 'install the Debian package (apt-get install dataset-fashion-mnist), set SADSL_DATA, or use fashion-mnist:/dir';

/** The default 20 News archive, relative to the package root. */
const DEFAULT_20NEWS = '../shared/datasets/20news-bydate.tar.gz';

interface Resolved {
  loader: string;
  path: string;
  options: Record<string, unknown>;
  load: () => Promise<Dataset>;
  /** A streamed reader of the same dataset (user collections only; the others are read into memory). */
  open?: () => Promise<DatasetReader>;
}

function dataDirCandidates(name: string): string[] {
  const env = process.env.SADSL_DATA;
  return [...(env ? [resolve(env, name)] : []), `/usr/share/datasets/${name}`];
}

function twentyNewsCandidates(): string[] {
  const env = process.env.SADSL_20NEWS;
  return [...(env ? [resolve(env)] : []), resolve(PACKAGE_ROOT, DEFAULT_20NEWS)];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function firstExisting(spec: string, candidates: string[], hint: string): Promise<string> {
  for (const c of candidates) if (await exists(c)) return c;
  throw new DataError(`dataset "${spec}" not found (looked in ${candidates.join(', ')}); ${hint}`);
}

async function existingPath(spec: string, path: string): Promise<string> {
  const abs = resolve(path);
  if (!(await exists(abs))) throw new DataError(`dataset "${spec}": ${abs} does not exist`);
  return abs;
}

async function resolveSpec(spec: string, o: Required<Omit<LoadOptions, 'onProgress'>> & LoadOptions): Promise<Resolved> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? undefined : spec.slice(colon + 1);
  if (arg === '') throw new DataError(`dataset "${spec}": empty path after "${kind}:"`);
  const split = { seed: o.seed, testFraction: o.testFraction };
  switch (kind) {
    case 'fashion-mnist':
    case 'mnist': {
      const path = arg
        ? await existingPath(spec, arg)
        : await firstExisting(spec, dataDirCandidates(kind), kind === 'fashion-mnist' ? FASHION_MNIST_HINT : `set SADSL_DATA or use ${kind}:/dir`);
      const classes = kind === 'mnist' ? MNIST_CLASSES : FASHION_MNIST_CLASSES;
      return { loader: kind, path, options: {}, load: () => loadMnistDir(path, { name: kind, classes, spec }) };
    }
    case 'cifar10': {
      if (!arg) throw new DataError(`dataset "${spec}": give the CIFAR-10 binary folder as cifar10:/dir`);
      const path = await existingPath(spec, arg);
      return { loader: kind, path, options: {}, load: () => loadCifar10(path, spec) };
    }
    case 'images': {
      if (!arg) throw new DataError(`dataset "${spec}": give the folder as images:/dir`);
      const path = await existingPath(spec, arg);
      const options = { size: o.imageSize, ...split };
      const folder = { ...options, spec, onProgress: o.onProgress };
      return { loader: kind, path, options, load: () => loadImageFolder(path, folder), open: () => openImageFolder(path, folder) };
    }
    case '20news': {
      const path = arg
        ? await existingPath(spec, arg)
        : await firstExisting(spec, twentyNewsCandidates(), 'set SADSL_20NEWS or use 20news:/path');
      return { loader: kind, path, options: {}, load: () => loadNewsgroups(path) };
    }
    case 'text': {
      if (!arg) throw new DataError(`dataset "${spec}": give a folder or a .jsonl file as text:/path`);
      const path = await existingPath(spec, arg);
      const isDir = (await stat(path)).isDirectory();
      return {
        loader: isDir ? 'text-folder' : 'jsonl',
        path,
        options: split,
        load: () => (isDir ? loadTextFolder(path, split) : loadJsonl(path, split)),
        open: () => (isDir ? openTextFolder(path, split) : openJsonl(path, { ...split, onProgress: o.onProgress })),
      };
    }
    case 'sample-images':
    case 'sample-text':
      if (arg !== undefined) throw new DataError(`dataset "${spec}": ${kind} takes no path`);
      return kind === 'sample-images'
        ? { loader: kind, path: SAMPLE_IMAGES_DIR, options: {}, load: loadSampleImages }
        : { loader: kind, path: samplePath('text'), options: {}, load: loadSampleText };
    default:
      throw new DataError(`unknown dataset "${spec}"; ${describeSpecs().split('\n')[0]}`);
  }
}

async function resolveOptions(spec: string, opts: LoadOptions): Promise<{ r: Resolved; cache: boolean }> {
  const o = { ...DATA_DEFAULTS, ...stripUndefined(opts) };
  if (!(o.testFraction > 0 && o.testFraction < 1)) {
    throw new ArgumentError(`testFraction must be between 0 and 1 (exclusive), got ${o.testFraction}`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new ArgumentError(`seed must be a non-negative integer, got ${o.seed}`);
  return { r: await resolveSpec(spec.trim(), o), cache: o.cache };
}

async function load(r: Resolved, cache: boolean): Promise<Dataset> {
  return cache ? (await cachedLoad({ loader: r.loader, path: r.path, options: r.options }, r.load, { dir: cacheDir() })).dataset : r.load();
}

/** Loads a dataset by spec (see `describeSpecs`), from the cache when the source is unchanged. */
export async function loadDataset(spec: string, opts: LoadOptions = {}): Promise<Dataset> {
  const { r, cache } = await resolveOptions(spec, opts);
  return { ...(await load(r, cache)), spec };
}

/**
 * Opens a dataset by spec for reading on demand (training, indexing): user collections (`images:`, `text:`) are
 * streamed, a batch at a time, so a collection larger than memory can be trained on and indexed; the
 * built-in datasets are loaded (and cached) as by `loadDataset`. `onProgress` reports the first pass over a
 * streamed collection: an image folder's files (every header is read), a JSONL file's bytes.
 */
export async function openDataset(spec: string, opts: LoadOptions = {}): Promise<DatasetReader> {
  const { r, cache } = await resolveOptions(spec, opts);
  return { ...(r.open ? await r.open() : residentDatasetReader(await load(r, cache))), spec };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The accepted specs, for `--help` texts. */
export function describeSpecs(): string {
  return [
    'dataset specs: fashion-mnist, mnist:/dir, cifar10:/dir, images:/dir, 20news, text:/dir, text:/file.jsonl, sample-images, sample-text',
    '  fashion-mnist          Fashion-MNIST IDX .gz files in $SADSL_DATA/fashion-mnist or /usr/share/datasets/fashion-mnist',
    '  fashion-mnist:/dir     a folder with the four standard IDX files (gzipped or not); mnist:/dir likewise, digit classes',
    '  cifar10:/dir           CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin, batches.meta.txt)',
    '  images:/dir            one sub-folder of PNG/JPEG files per class (optional train/ and test/), resized to --image-size',
    `  20news[:/path]         20 Newsgroups bydate (.tar.gz or extracted); default $SADSL_20NEWS or ${DEFAULT_20NEWS} from the package root`,
    '  text:/dir              one sub-folder of .txt files per class (optional train/ and test/)',
    '  text:/file.jsonl       one {"text": ..., "label": ...} object per line',
    '  sample-images          2,000 / 500 Fashion-MNIST images embedded in the package',
    '  sample-text            a small 20 News sample embedded in the package',
  ].join('\n');
}
