/**
 * `text:/dir`: one sub-folder per class of `.txt` files. Optional `train/` and `test/` sub-folders
 * (each with the class sub-folders) give the split; otherwise a seeded stratified split is made and recorded
 * in `splitInfo`. Files that are not valid UTF-8 are read as latin-1, with one warning.
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../../errors.js';
import type { SplitName, TextDataset } from '../types.js';
import { assembleTextDataset, type TextDoc } from './assemble.js';
import { readClassFolders } from './class-folders.js';
import { TextFileDecoder } from './decode.js';

const isTxt = (name: string): boolean => name.toLowerCase().endsWith('.txt');

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

export async function loadTextFolder(dir: string, opts: { seed: number; testFraction: number }): Promise<TextDataset> {
  if (!(await isDir(dir))) throw new DataError(`${dir}: no such folder`);
  const decoder = new TextFileDecoder();
  const hasTrain = await isDir(join(dir, 'train'));
  const hasTest = await isDir(join(dir, 'test'));
  if (hasTrain !== hasTest) throw new DataError(`${dir}: has a ${hasTrain ? 'train' : 'test'}/ folder but no ${hasTrain ? 'test' : 'train'}/`);
  const docs: TextDoc[] = [];
  for (const split of hasTrain ? (['train', 'test'] as SplitName[]) : [undefined]) {
    for (const f of await readClassFolders(split ? join(dir, split) : dir, decoder, isTxt)) {
      docs.push({ text: f.text, label: f.label, split, source: f.path });
    }
  }
  decoder.warn(dir);
  return assembleTextDataset(docs, { spec: `text:${dir}`, name: basename(resolve(dir)), where: dir, ...opts });
}
