import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadTextFolder } from '../../../src/data/text/folder.js';
import { DataError } from '../../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'sadsl-textdir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

const opts = { seed: 7, testFraction: 0.25 };

describe('loadTextFolder', () => {
  it('reads one sub-folder per class of .txt files and makes a seeded stratified split', async () => {
    for (let i = 1; i <= 8; i++) write(`plain/space/${i}.txt`, `space post ${i}`);
    for (let i = 1; i <= 4; i++) write(`plain/hockey/${i}.txt`, `hockey post ${i}`);
    write('plain/hockey/notes.md', 'ignored: not a .txt');
    write('plain/.hidden/x.txt', 'ignored: hidden');
    const d = await loadTextFolder(join(root, 'plain'), opts);
    expect(d.name).toBe('plain');
    expect(d.classes).toEqual(['hockey', 'space']);
    expect(d.splitInfo).toEqual({ kind: 'stratified', seed: 7, testFraction: 0.25 });
    expect(d.train.n + d.test.n).toBe(12);
    // 25 % of each class: 1 of 4 hockey, 2 of 8 space
    expect(Array.from(d.test.labels).sort()).toEqual([0, 1, 1]);
    for (const s of [d.train, d.test]) {
      s.texts.forEach((t, i) => {
        expect(t.startsWith(d.classes[s.labels[i]])).toBe(true);
        expect(s.sources![i]).toContain(`/${d.classes[s.labels[i]]}/`);
      });
    }
    expect(await loadTextFolder(join(root, 'plain'), opts)).toEqual(d); // same seed, same split
    const other = await loadTextFolder(join(root, 'plain'), { seed: 8, testFraction: 0.25 });
    expect(other.test.sources).not.toEqual(d.test.sources);
  });

  it('uses train/ and test/ sub-folders as the given split; decodes latin-1 with one warning', async () => {
    write('given/train/a/1.txt', 'alpha one');
    write('given/train/a/2.txt', Buffer.from('d\xe9j\xe0 vu', 'latin1'));
    write('given/train/b/1.txt', 'beta one');
    write('given/test/a/3.txt', Buffer.from('\xa9 latin', 'latin1'));
    write('given/test/b/2.txt', 'beta two');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const d = await loadTextFolder(join(root, 'given'), opts);
    expect(d.splitInfo).toEqual({ kind: 'given' });
    expect(d.train.texts).toEqual(['alpha one', 'déjà vu', 'beta one']);
    expect(Array.from(d.train.labels)).toEqual([0, 0, 1]);
    expect(d.test.texts).toEqual(['© latin', 'beta two']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/2 files not valid UTF-8/);
    warn.mockRestore();
  });

  it('rejects bad folders with a DataError naming the folder', async () => {
    await expect(loadTextFolder(join(root, 'missing'), opts)).rejects.toThrow(/missing: no such folder/);
    write('emptyclass/a/1.txt', 'x');
    write('emptyclass/a/2.txt', 'y');
    mkdirSync(join(root, 'emptyclass/b'));
    await expect(loadTextFolder(join(root, 'emptyclass'), opts)).rejects.toThrow(/emptyclass\/b: empty class folder/);
    write('noclasses/loose.txt', 'x');
    await expect(loadTextFolder(join(root, 'noclasses'), opts)).rejects.toThrow(/noclasses: no class sub-folders/);
    write('halfsplit/train/a/1.txt', 'x');
    await expect(loadTextFolder(join(root, 'halfsplit'), opts)).rejects.toThrow(/has a train\/ folder but no test\//);
    write('tiny/a/1.txt', 'x');
    await expect(loadTextFolder(join(root, 'tiny'), opts)).rejects.toThrow(DataError); // one document cannot be split
  });
});
