import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeSpecs, loadDataset } from '../../src/data/registry.js';
import { ArgumentError, DataError } from '../../src/errors.js';
import { tempDir } from './fixtures.js';

// A machine without the Debian Fashion-MNIST package: its folder does not exist (every other path is real).
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const stat = (async (p: string, ...rest: []) => {
    if (String(p).startsWith('/usr/share/datasets/fashion-mnist')) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return fs.stat(p, ...rest);
  }) as typeof fs.stat;
  return { ...fs, stat };
});

let cache: string;
beforeAll(() => {
  cache = tempDir('sadsl-cache-');
  process.env.SADSL_CACHE = cache;
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

async function dataError(p: Promise<unknown>): Promise<string> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  return msg;
}

describe('dataset specs', () => {
  it('rejects unknown specs, missing paths and missing arguments, naming the spec', async () => {
    expect(await dataError(loadDataset('imagenet'))).toMatch(/^unknown dataset "imagenet"; dataset specs: fashion-mnist, /);
    expect(await dataError(loadDataset('images:/no/such/dir'))).toBe('dataset "images:/no/such/dir": /no/such/dir does not exist');
    expect(await dataError(loadDataset('cifar10'))).toMatch(/cifar10:\/dir/);
    expect(await dataError(loadDataset('images:'))).toMatch(/empty path/);
    expect(await dataError(loadDataset('sample-images:/x'))).toMatch(/takes no path/);
    expect(await dataError(loadDataset('20news:/no/such.tar.gz'))).toMatch(/does not exist/);
  });

  it('says where a default dataset was looked for', async () => {
    process.env.SADSL_DATA = '/no/such/root';
    try {
      expect(await dataError(loadDataset('mnist'))).toBe(
        'dataset "mnist" not found (looked in /no/such/root/mnist, /usr/share/datasets/mnist); set SADSL_DATA or use mnist:/dir',
      );
    } finally {
      delete process.env.SADSL_DATA;
    }
  });

  it('names the Debian package when Fashion-MNIST is not installed', async () => {
    expect(await dataError(loadDataset('fashion-mnist'))).toBe(
      'dataset "fashion-mnist" not found (looked in /usr/share/datasets/fashion-mnist); ' +
        'install the Debian package (apt-get install dataset-fashion-mnist), set SADSL_DATA, or use fashion-mnist:/dir',
    );
  });

  it('validates options', async () => {
    await expect(loadDataset('sample-images', { testFraction: 1 })).rejects.toThrow(ArgumentError);
    await expect(loadDataset('sample-images', { seed: -1 })).rejects.toThrow(ArgumentError);
  });

  it('routes text:/file.jsonl to the JSONL loader, with a seeded split, through the cache', async () => {
    const file = join(tempDir(), 'docs.jsonl');
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `document number ${i} about topic ${i % 2}`, label: i % 2 ? 'odd' : 'even' }));
    writeFileSync(file, lines.join('\n'));
    const a = await loadDataset(`text:${file}`, { seed: 4, testFraction: 0.25 });
    const b = await loadDataset(`text:${file}`, { seed: 4, testFraction: 0.25 });
    expect(a.domain).toBe('text');
    expect(a.train.n + a.test.n).toBe(20);
    expect(a.splitInfo).toEqual({ kind: 'stratified', seed: 4, testFraction: 0.25 });
    expect(b.train.kind === 'text' && b.train.texts).toEqual(a.train.kind === 'text' && a.train.texts);
    expect([...b.test.labels]).toEqual([...a.test.labels]);
    expect(b.spec).toBe(`text:${file}`);
  });

  it('describes every spec kind', () => {
    const text = describeSpecs();
    for (const k of ['fashion-mnist', 'mnist:/dir', 'cifar10:/dir', 'images:/dir', '20news', 'text:/dir', 'text:/file.jsonl', 'sample-images', 'sample-text']) {
      expect(text).toContain(k);
    }
  });
});
