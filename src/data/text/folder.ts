/**
 * `text:/dir`: one sub-folder per class of `.txt` files. Optional `train/` and `test/` sub-folders
 * (each with the class sub-folders) give the split; otherwise a seeded stratified split is made and recorded
 * in `splitInfo`. Files that are not valid UTF-8 are read as latin-1, with one warning. `loadTextFolder` reads
 * every file into memory; `openTextFolder` reads a batch's files when it is read.
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../../errors.js';
import type { DatasetReader, SplitName, TextDataset } from '../types.js';
import { assembleSplits, assembleTextDataset, textDatasetReader, type DocMeta, type TextDoc } from './assemble.js';
import { listClassFiles, readTextFiles } from './class-folders.js';
import { TextFileDecoder } from './decode.js';

const isTxt = (name: string): boolean => name.toLowerCase().endsWith('.txt');

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** Every `.txt` file of the collection with its label and (with train/ and test/ folders) its split. */
async function listFolder(dir: string): Promise<(DocMeta & { path: string })[]> {
  if (!(await isDir(dir))) throw new DataError(`${dir}: no such folder`);
  const hasTrain = await isDir(join(dir, 'train'));
  const hasTest = await isDir(join(dir, 'test'));
  if (hasTrain !== hasTest) throw new DataError(`${dir}: has a ${hasTrain ? 'train' : 'test'}/ folder but no ${hasTrain ? 'test' : 'train'}/`);
  const files: (DocMeta & { path: string })[] = [];
  for (const split of hasTrain ? (['train', 'test'] as SplitName[]) : [undefined]) {
    for (const f of await listClassFiles(split ? join(dir, split) : dir, isTxt)) files.push({ label: f.label, split, path: f.path });
  }
  return files;
}

export async function loadTextFolder(dir: string, opts: { seed: number; testFraction: number }): Promise<TextDataset> {
  const files = await listFolder(dir);
  const decoder = new TextFileDecoder();
  const texts = await readTextFiles(files.map((f) => f.path), decoder);
  decoder.warn(dir);
  const docs: TextDoc[] = files.map((f, i) => ({ text: texts[i], label: f.label, split: f.split, source: f.path }));
  return assembleTextDataset(docs, { spec: `text:${dir}`, name: basename(resolve(dir)), where: dir, ...opts });
}

/** `text:/dir` streamed: file paths and labels resident, a batch's files read when it is. */
export async function openTextFolder(dir: string, opts: { seed: number; testFraction: number }): Promise<DatasetReader> {
  const files = await listFolder(dir);
  const a = assembleSplits(files, { where: dir, ...opts });
  const decoder = new TextFileDecoder();
  const sources = files.map((f) => f.path);
  const readTexts = async (docs: number[]): Promise<string[]> => {
    const before = decoder.latin1;
    const texts = await readTextFiles(docs.map((i) => sources[i]), decoder);
    if (before === 0 && decoder.latin1 > 0) console.warn(`warning: ${dir}: files that are not valid UTF-8 are decoded as latin-1`);
    return texts;
  };
  return textDatasetReader(a, (i) => sources[i], readTexts, { spec: `text:${dir}`, name: basename(resolve(dir)) });
}
