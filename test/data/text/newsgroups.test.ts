import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as tar from 'tar-stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { PACKAGE_ROOT } from '../../../src/data/paths.js';
import { loadNewsgroups } from '../../../src/data/text/newsgroups.js';
import { DataError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sadsl-20news-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const post = (subject: string, body: string): Buffer =>
  Buffer.from(`From: x@y.z\nSubject: ${subject}\nLines: 2\n\n${body}`);

/** name → content, in archive order (deliberately not sorted). */
const FILES: [string, Buffer][] = [
  ['20news-bydate-train/sci.space/102', post('Re: orbit', '> quoted\nanswer')],
  ['20news-bydate-train/sci.space/99', post('launch', 'rockets')],
  ['20news-bydate-train/comp.graphics/7', post('pixels', 'a shader')],
  ['20news-bydate-test/comp.graphics/8', post('jpeg', 'compress')],
  ['20news-bydate-test/sci.space/300', Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\n\nna\xefve', 'latin1')])],
];

async function tarball(files: [string, Buffer][]): Promise<Buffer> {
  const pack = tar.pack();
  const dirs = new Set(files.map(([n]) => n.slice(0, n.lastIndexOf('/') + 1)));
  for (const d of [...dirs].sort()) pack.entry({ name: d, type: 'directory' });
  for (const [name, content] of files) pack.entry({ name }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const rawTar = await tarball(FILES);
const tgz = gzipSync(rawTar);
const tgzPath = join(dir, '20news-bydate.tar.gz');
writeFileSync(tgzPath, tgz);

describe('loadNewsgroups', () => {
  it('reads a tar.gz: bydate split, sorted classes, posts ordered by group then numeric id, headers stripped', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const d = await loadNewsgroups(tgzPath);
    expect(d.name).toBe('20news');
    expect(d.classes).toEqual(['comp.graphics', 'sci.space']);
    expect(d.splitInfo).toEqual({ kind: 'given' });
    expect(d.train.n).toBe(3);
    expect(d.train.sources).toEqual([
      '20news-bydate-train/comp.graphics/7',
      '20news-bydate-train/sci.space/99',
      '20news-bydate-train/sci.space/102',
    ]);
    expect(Array.from(d.train.labels)).toEqual([0, 1, 1]);
    expect(d.train.texts[2]).toBe('Re: orbit\n\n> quoted\nanswer');
    expect(d.test.n).toBe(2);
    expect(Array.from(d.test.labels)).toEqual([0, 1]);
    // the one non-UTF-8 post is decoded as latin-1, with a single warning that counts it
    expect(d.test.texts[1]).toBe('café\n\nnaïve');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/1 posts not valid UTF-8, decoded as latin-1/);
    warn.mockRestore();
  });

  it('reads a plain tar and the extracted folders the same way', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fromTgz = await loadNewsgroups(tgzPath);
    const tarPath = join(dir, 'plain.tar');
    writeFileSync(tarPath, rawTar);
    const extracted = join(dir, 'extracted');
    for (const [name, content] of FILES) {
      mkdirSync(join(extracted, name, '..'), { recursive: true });
      writeFileSync(join(extracted, name), content);
    }
    expect(await loadNewsgroups(tarPath)).toEqual(fromTgz);
    expect(await loadNewsgroups(extracted)).toEqual(fromTgz);
    vi.restoreAllMocks();
  });

  it('rejects missing, empty, foreign and incomplete sources with a DataError naming the path', async () => {
    await expect(loadNewsgroups(join(dir, 'nope.tar.gz'))).rejects.toThrow(/nope\.tar\.gz: no such file or folder/);
    const empty = join(dir, 'empty.tar.gz');
    writeFileSync(empty, '');
    await expect(loadNewsgroups(empty)).rejects.toThrow(DataError);
    const text = join(dir, 'text.tar.gz');
    writeFileSync(text, 'hello, this is not an archive at all '.repeat(30));
    await expect(loadNewsgroups(text)).rejects.toThrow(/text\.tar\.gz: corrupt or truncated archive/);
    const onlyTrain = join(dir, 'train-only.tar.gz');
    writeFileSync(onlyTrain, gzipSync(await tarball(FILES.slice(0, 2))));
    await expect(loadNewsgroups(onlyTrain)).rejects.toThrow(/train-only\.tar\.gz: not a 20news-bydate archive/);
    await expect(loadNewsgroups(join(dir, 'extracted', '20news-bydate-train'))).rejects.toThrow(/expected the folders/);
  });

  it('either loads the same posts or throws a DataError on truncated or byte-flipped tar.gz (fuzz)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const good = await loadNewsgroups(tgzPath);
    const bad = join(dir, 'fuzz.tar.gz');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ cut: fc.integer({ min: 0, max: tgz.length - 1 }) }),
          fc.record({ flips: fc.array(fc.tuple(fc.nat(tgz.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }) }),
        ),
        async (m) => {
          let bytes = Buffer.from(tgz);
          if ('cut' in m) bytes = bytes.subarray(0, m.cut);
          else for (const [at, x] of m.flips) bytes[at] ^= x;
          writeFileSync(bad, bytes);
          try {
            expect(await loadNewsgroups(bad)).toEqual(good); // e.g. a flip in the gzip header's mtime
          } catch (e) {
            expect(e).toBeInstanceOf(DataError);
            expect((e as Error).message.startsWith(bad)).toBe(true);
            expect((e as Error).message).not.toContain('\n');
          }
        },
      ),
      { numRuns: 150, seed: 42 },
    );
    vi.restoreAllMocks();
  });
});

/** The shared copy beside the checkout, as the registry's default `20news` path. */
const REAL = join(PACKAGE_ROOT, '..', 'shared', 'datasets', '20news-bydate.tar.gz');
describe.skipIf(!existsSync(REAL))('loadNewsgroups on the real 20news-bydate.tar.gz (skipped when absent)', () => {
  it('has the bydate split 11,314 / 7,532 and 20 classes', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const d = await loadNewsgroups(REAL);
    expect(d.train.n).toBe(11314);
    expect(d.test.n).toBe(7532);
    expect(d.classes.length).toBe(20);
    expect(d.classes[0]).toBe('alt.atheism');
    expect(d.train.sources![0]).toBe('20news-bydate-train/alt.atheism/49960');
    expect(d.train.texts[0].startsWith('Alt.Atheism FAQ: Atheist Resources\n\n')).toBe(true);
    vi.restoreAllMocks();
  });
});
