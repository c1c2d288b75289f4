import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFile, cachedLoad, deserializeDataset, serializeDataset, sourceFingerprint } from '../../src/data/cache.js';
import { loadDataset } from '../../src/data/registry.js';
import type { Dataset, ImageDataset, TextDataset } from '../../src/data/types.js';
import { tempDir, writeMnistDir } from './fixtures.js';

const image: ImageDataset = {
  spec: 'images:/x',
  name: 'x',
  domain: 'image',
  classes: ['a', 'b'],
  train: { kind: 'image', n: 2, height: 1, width: 2, channels: 3, pixels: Uint8Array.from({ length: 12 }, (_, i) => i * 20), labels: Int32Array.of(1, 0), sources: ['/x/b/1.png', '/x/a/2.png'] },
  test: { kind: 'image', n: 1, height: 1, width: 2, channels: 3, pixels: new Uint8Array(6).fill(7), labels: Int32Array.of(1) },
  splitInfo: { kind: 'stratified', seed: 3, testFraction: 0.25 },
};

const text: TextDataset = {
  spec: 'text:/t',
  name: 't',
  domain: 'text',
  classes: ['ü', '猫'],
  train: { kind: 'text', n: 3, texts: ['héllo wörld', '', 'emoji 🐱 and 猫'], labels: Int32Array.of(0, 1, 1), sources: ['a.txt', 'b.txt', 'c.txt'] },
  test: { kind: 'text', n: 1, texts: ['x'], labels: Int32Array.of(0) },
  splitInfo: { kind: 'given' },
};

/** Plain-object view of a dataset, so typed arrays compare by content. */
function plain(ds: Dataset): unknown {
  return JSON.parse(JSON.stringify(ds, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v)));
}

let cache: string;
beforeAll(() => {
  cache = tempDir('sadsl-cache-');
  process.env.SADSL_CACHE = cache;
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('dataset serialisation', () => {
  it.each([
    ['image', image],
    ['text', text],
  ] as const)('round-trips a %s dataset', (_kind, ds) => {
    const buf = serializeDataset(ds, 'k1');
    const back = deserializeDataset(buf, 'k1')!;
    expect(plain(back)).toEqual(plain(ds));
    expect(back.train.labels).toBeInstanceOf(Int32Array);
  });

  it('returns null for another key, a truncated file or garbage', () => {
    const buf = serializeDataset(image, 'k1');
    expect(deserializeDataset(buf, 'k2')).toBeNull();
    for (const cut of [3, 20, buf.length - 1]) expect(deserializeDataset(buf.subarray(0, cut), 'k1')).toBeNull();
    expect(deserializeDataset(Buffer.from('SADSLDS1garbage!!'), 'k1')).toBeNull();
  });

  it('reads int32 arrays from unaligned buffers', () => {
    const buf = serializeDataset(text, 'k');
    const shifted = Buffer.alloc(buf.length + 1).subarray(1);
    buf.copy(shifted);
    expect(plain(deserializeDataset(shifted, 'k')!)).toEqual(plain(text));
  });
});

describe('cachedLoad', () => {
  it('parses once, then serves the cache until the source changes', async () => {
    const dir = tempDir();
    const src = join(dir, 'source.bin');
    writeFileSync(src, 'v1');
    let calls = 0;
    const load = async (): Promise<Dataset> => (calls++, image);
    const key = { loader: 'test', path: src, options: { size: 8 } };
    const first = await cachedLoad(key, load, { dir: cache });
    const second = await cachedLoad(key, load, { dir: cache });
    expect([first.hit, second.hit, calls]).toEqual([false, true, 1]);
    expect(plain(second.dataset)).toEqual(plain(image));
    // Other options are another entry.
    expect((await cachedLoad({ ...key, options: { size: 9 } }, load, { dir: cache })).hit).toBe(false);
    // A new mtime invalidates; the entry is overwritten in place.
    utimesSync(src, new Date(), new Date(Date.now() + 5000));
    expect((await cachedLoad(key, load, { dir: cache })).hit).toBe(false);
    expect((await cachedLoad(key, load, { dir: cache })).hit).toBe(true);
    // A corrupt entry is re-parsed, not trusted.
    writeFileSync(cacheFile(cache, key), 'corrupt');
    expect((await cachedLoad(key, load, { dir: cache })).hit).toBe(false);
    expect(calls).toBe(4);
    expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fingerprints directories by every file and is null for missing paths', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), '1');
    const f1 = await sourceFingerprint(dir);
    writeFileSync(join(dir, 'b'), '2');
    expect(await sourceFingerprint(dir)).not.toBe(f1);
    expect(await sourceFingerprint(join(dir, 'nope'))).toBeNull();
  });

  it('loadDataset writes one cache entry and reads it back identically', async () => {
    const dir = tempDir();
    writeMnistDir(dir, { train: 20, test: 10, gzip: true });
    const before = readdirSync(cache).length;
    const a = await loadDataset(`mnist:${dir}`);
    const b = await loadDataset(`mnist:${dir}`);
    expect(readdirSync(cache).length).toBe(before + 1);
    expect(plain(b)).toEqual(plain(a));
    const entry = readdirSync(cache).find((f) => f.startsWith('mnist-'))!;
    expect(readFileSync(join(cache, entry)).subarray(0, 8).toString()).toBe('SADSLDS1');
  });
});
