import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/registry.js';
import { DataError } from '../../src/errors.js';
import { pixelsFor, tempDir, writeMnistDir } from './fixtures.js';

let cache: string;
beforeAll(() => {
  cache = tempDir('sadsl-cache-');
  process.env.SADSL_CACHE = cache;
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('MNIST-style IDX folders', () => {
  it.each([true, false])('loads the four IDX files (gzip %s)', async (gzip) => {
    const dir = tempDir();
    const { trainLabels } = writeMnistDir(dir, { train: 12, test: 5, side: 3, gzip });
    const ds = await loadDataset(`mnist:${dir}`, { cache: false });
    expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.train).toMatchObject({ n: 12, height: 3, width: 3, channels: 1 });
    expect(ds.test.n).toBe(5);
    expect([...ds.train.labels]).toEqual([...trainLabels]);
    expect(ds.train.kind === 'image' && [...ds.train.pixels.subarray(9, 18)]).toEqual([...pixelsFor(2, 9).subarray(9, 18)]);
    expect(ds.splitInfo).toEqual({ kind: 'given' });
  });

  it('names Fashion-MNIST classes and accepts the dotted file names', async () => {
    const dir = tempDir();
    writeMnistDir(dir, { train: 10, test: 10 });
    renameSync(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-images.idx3-ubyte'));
    const ds = await loadDataset(`fashion-mnist:${dir}`, { cache: false });
    expect(ds.classes[0]).toBe('T-shirt/top');
    expect(ds.classes[9]).toBe('Ankle boot');
    expect(ds.name).toBe('fashion-mnist');
  });

  it('finds fashion-mnist under $SADSL_DATA', async () => {
    const root = tempDir();
    const dir = join(root, 'fashion-mnist');
    mkdirSync(dir);
    writeMnistDir(dir, { train: 7, test: 3 });
    process.env.SADSL_DATA = root;
    try {
      const ds = await loadDataset('fashion-mnist', { cache: false });
      expect([ds.train.n, ds.test.n]).toEqual([7, 3]);
    } finally {
      delete process.env.SADSL_DATA;
    }
  });

  it('names the missing file', async () => {
    const dir = tempDir();
    writeMnistDir(dir, { train: 4, test: 4, gzip: true });
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    const err = await loadDataset(`mnist:${dir}`, { cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(`${dir}: missing IDX file t10k-labels-idx1-ubyte[.gz]`);
  });

  it('sample-images: 2,000 / 500 class-balanced Fashion-MNIST images from the repo', async () => {
    const ds = await loadDataset('sample-images', { cache: false });
    expect([ds.train.n, ds.test.n]).toEqual([2000, 500]);
    expect(ds.train).toMatchObject({ height: 28, width: 28, channels: 1 });
    const counts = (labels: Int32Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(counts(ds.train.labels)).toEqual(new Array(10).fill(200));
    expect(counts(ds.test.labels)).toEqual(new Array(10).fill(50));
  });
});
