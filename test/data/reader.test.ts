/**
 * Streamed readers (`openDataset` on user collections) against the in-memory loaders: the same objects, labels,
 * sources, classes and split, read in any order and chunking; the vocabulary counted a chunk at a time equals
 * the one built from the whole split.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { range } from '../../src/data/reader.js';
import { loadDataset, openDataset } from '../../src/data/registry.js';
import type { Dataset, DatasetReader, Split, SplitReader } from '../../src/data/types.js';
import { Rng } from '../../src/engine/random.js';
import { DataError } from '../../src/errors.js';
import { Preprocessor } from '../../src/train/preprocess.js';
import { tempDir } from './fixtures.js';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'theta', 'kappa', 'lambda', 'sigma'];

/** Document i of class c: seeded words, a few per class only so classes differ. */
function doc(i: number, c: number): string {
  const rng = new Rng(i * 31 + c);
  return Array.from({ length: 5 + (i % 7) }, () => WORDS[(rng.int(6) + c) % WORDS.length]).join(' ') + ` n${i} é`;
}

/** A split's objects read through the reader in a seeded random order, two objects at a time, put back in index order. */
async function readAll(r: SplitReader): Promise<Split> {
  const order = new Rng(5).shuffle(range(0, r.n)) as Int32Array;
  const texts = new Array<string>(r.n);
  const sources = new Array<string>(r.n);
  const labels = new Int32Array(r.n);
  let pixels: Uint8Array | null = null;
  let shape = { height: 0, width: 0, channels: 0 };
  for (let k = 0; k < r.n; k += 2) {
    const idx = Array.from(order.subarray(k, k + 2));
    const { split, indices } = await r.read(idx);
    expect(indices).toBeUndefined(); // a streamed reader answers with just the objects asked for
    expect(split.n).toBe(idx.length);
    idx.forEach((i, j) => {
      labels[i] = split.labels[j];
      sources[i] = split.sources![j];
      if (split.kind === 'text') texts[i] = split.texts[j];
      else {
        shape = { height: split.height, width: split.width, channels: split.channels };
        const size = split.height * split.width * split.channels;
        pixels ??= new Uint8Array(r.n * size);
        pixels.set(split.pixels.subarray(j * size, (j + 1) * size), i * size);
      }
    });
  }
  return r.kind === 'text' ? { kind: 'text', n: r.n, texts, labels, sources } : { kind: 'image', n: r.n, ...shape, pixels: pixels!, labels, sources };
}

async function expectSame(reader: DatasetReader, loaded: Dataset): Promise<void> {
  expect({ ...reader, train: null, test: null }).toEqual({ ...loaded, train: null, test: null });
  for (const name of ['train', 'test'] as const) {
    expect(reader[name].resident).toBeNull();
    expect(Array.from(reader[name].labels)).toEqual(Array.from(loaded[name].labels));
    expect(await readAll(reader[name])).toEqual(loaded[name]);
  }
}

describe('streamed user collections equal the in-memory loaders', () => {
  const dir = tempDir('sadsl-reader-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const docs = Array.from({ length: 30 }, (_, i) => ({ text: doc(i, i % 3), label: ['x', 'y', 'z'][i % 3] }));

  it('text:/file.jsonl, gzipped, without and with a given split; the vocabulary counted in chunks', async () => {
    const body = docs.map((d) => JSON.stringify(d)).join('\n') + '\n\n';
    const plain = join(dir, 'docs.jsonl');
    writeFileSync(plain, `\uFEFF${body}`); // a BOM is dropped by both
    writeFileSync(join(dir, 'docs.jsonl.gz'), gzipSync(body));
    const given = join(dir, 'given.jsonl');
    // Some lines name their source; the others are `file:line`.
    writeFileSync(given, docs.map((d, i) => JSON.stringify({ ...d, split: i % 4 === 0 ? 'test' : 'train', ...(i % 5 === 0 ? { source: `doc-${i}` } : {}) })).join('\r\n'));
    for (const file of [plain, join(dir, 'docs.jsonl.gz'), given]) {
      const spec = `text:${file}`;
      const loaded = await loadDataset(spec, { cache: false, seed: 3 });
      const reader = await openDataset(spec, { seed: 3 });
      await expectSame(reader, loaded);
      const whole = Preprocessor.fit(loaded.train, 8, 16).vocabulary!;
      expect((await Preprocessor.fitReader(reader.train, 8, 16)).vocabulary!.words).toEqual(whole.words);
    }
  });

  it('a JSONL file that is not valid UTF-8 is read as latin-1 by both, with one warning', async () => {
    const file = join(dir, 'latin.jsonl');
    const lines = docs.slice(0, 6).map((d) => Buffer.from(JSON.stringify(d) + '\n', 'utf8'));
    lines.splice(3, 0, Buffer.from('{"text": "caf\xe9 cr\xe8me", "label": "x"}\n', 'latin1'));
    writeFileSync(file, Buffer.concat(lines));
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (s: string) => void warnings.push(s);
    try {
      const reader = await openDataset(`text:${file}`);
      await expectSame(reader, await loadDataset(`text:${file}`, { cache: false }));
    } finally {
      console.warn = warn;
    }
    expect(warnings.filter((w) => w.includes('latin-1'))).toHaveLength(2);
  });

  it('text:/dir and images:/dir', async () => {
    const text = join(dir, 'folder');
    docs.forEach((d, i) => {
      mkdirSync(join(text, d.label), { recursive: true });
      writeFileSync(join(text, d.label, `${i}.txt`), d.text);
    });
    await expectSame(await openDataset(`text:${text}`), await loadDataset(`text:${text}`, { cache: false }));

    const images = join(dir, 'images');
    for (let i = 0; i < 12; i++) {
      const cls = join(images, `c${i % 3}`);
      mkdirSync(cls, { recursive: true });
      const rgb = Buffer.from(Array.from({ length: 10 * 12 * 3 }, (_, p) => (p * 7 + i * 40) % 256));
      await sharp(rgb, { raw: { width: 10, height: 12, channels: 3 } }).png().toFile(join(cls, `${i}.png`));
    }
    const spec = `images:${images}`;
    await expectSame(await openDataset(spec, { imageSize: 8 }), await loadDataset(spec, { cache: false, imageSize: 8 }));
  });

  it('bad input: one DataError naming the folder, file or line', async () => {
    await expect(openDataset(`text:${join(dir, 'absent')}`)).rejects.toThrow(/absent does not exist/);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(docs[0])}\n${JSON.stringify(docs[1])}\n{"text": 1}\n`);
    await expect(openDataset(`text:${bad}`)).rejects.toThrow(DataError);
    await expect(openDataset(`text:${bad}`)).rejects.toThrow(/bad\.jsonl:3: "text" must be a string$/);
    const empty = join(dir, 'empty', 'a');
    mkdirSync(empty, { recursive: true });
    await expect(openDataset(`images:${join(dir, 'empty')}`)).rejects.toThrow(/empty class folder/);
    // A file that vanishes after the first pass is named when its batch is read.
    const gone = join(dir, 'gone');
    for (const [i, d] of docs.slice(0, 6).entries()) {
      mkdirSync(join(gone, d.label), { recursive: true });
      writeFileSync(join(gone, d.label, `${i}.txt`), d.text);
    }
    const reader = await openDataset(`text:${gone}`);
    rmSync(join(gone, 'x'), { recursive: true });
    await expect(reader.train.read(range(0, reader.train.n))).rejects.toThrow(/gone\/x\/\d\.txt: cannot read file \(ENOENT\)/);
  });
});
