/**
 * Reads a folder holding one sub-folder per class of text files (used by the `text:/dir` loader and by the
 * extracted 20 News folders). Classes and files are taken in `naturalOrder`, hidden entries
 * skipped; an empty class folder is an error. Files are read a few at a time to overlap disk waits.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import type { TextFileDecoder } from './decode.js';

/** Digit-only names by value (`9` before `10`), others by code unit, so the order is locale-independent. */
export function naturalOrder(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ClassFile {
  label: string;
  path: string;
  text: string;
}

async function listDir(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  } catch (e) {
    throw new DataError(`${dir}: cannot read folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** The class sub-folders of `dir` (sorted); an error when there are none. */
export async function classFolders(dir: string): Promise<string[]> {
  const names = (await listDir(dir)).filter((e) => e.isDirectory()).map((e) => e.name);
  if (names.length === 0) throw new DataError(`${dir}: no class sub-folders`);
  return names.sort(naturalOrder);
}

export interface ClassFileEntry {
  label: string;
  path: string;
}

/** Every accepted file of every class sub-folder of `dir` with its label (nothing read). */
export async function listClassFiles(dir: string, accept: (name: string) => boolean = () => true): Promise<ClassFileEntry[]> {
  const jobs: ClassFileEntry[] = [];
  for (const label of await classFolders(dir)) {
    const files = (await listDir(join(dir, label))).filter((e) => e.isFile() && accept(e.name)).map((e) => e.name);
    if (files.length === 0) throw new DataError(`${join(dir, label)}: empty class folder`);
    for (const f of files.sort(naturalOrder)) jobs.push({ label, path: join(dir, label, f) });
  }
  return jobs;
}

/** The texts of files, in order, read a few at a time. */
export async function readTextFiles(paths: readonly string[], decoder: TextFileDecoder): Promise<string[]> {
  const out = new Array<string>(paths.length);
  const CONCURRENCY = 32;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const k = next++;
      let bytes: Buffer;
      try {
        bytes = await readFile(paths[k]);
      } catch (e) {
        throw new DataError(`${paths[k]}: cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      out[k] = decoder.decode(bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, paths.length) }, worker));
  return out;
}

/** Every accepted file of every class sub-folder of `dir`, decoded. */
export async function readClassFolders(
  dir: string,
  decoder: TextFileDecoder,
  accept: (name: string) => boolean = () => true,
): Promise<ClassFile[]> {
  const jobs = await listClassFiles(dir, accept);
  const texts = await readTextFiles(jobs.map((j) => j.path), decoder);
  return jobs.map((j, k) => ({ ...j, text: texts[k] }));
}
