/**
 * Turns a flat list of labelled documents into a `TextDataset` (shared by the folder, JSONL and 20 News
 * loaders): classes are the sorted label names (numerically when every name is a number), and the split is
 * either the one the source gives or a seeded stratified split (recorded in `splitInfo`).
 */
import { DataError } from '../../errors.js';
import { stratifiedSplit } from '../split.js';
import type { DatasetReader, SplitName, SplitReader, TextDataset, TextSplit } from '../types.js';

export interface TextDoc {
  text: string;
  label: string;
  /** The source's own split; either every document has one or none does. */
  split?: SplitName;
  /** Where it came from, for display (a path, or `file:line`). */
  source: string;
}

export interface AssembleOptions {
  spec: string;
  name: string;
  /** Names the source in error messages. */
  where: string;
  /** Used only when the documents carry no split. */
  seed: number;
  testFraction: number;
}

const NUMBER_RE = /^-?\d+(\.\d+)?$/;

function sortClassNames(names: Iterable<string>): string[] {
  const all = [...new Set(names)];
  return all.every((c) => NUMBER_RE.test(c))
    ? all.sort((a, b) => Number(a) - Number(b))
    : all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What a split needs to know of a document: its label and the source's own split, if any. */
export type DocMeta = Pick<TextDoc, 'label' | 'split'>;

/** Classes, each document's class id and the train/test indices of a collection of documents. */
export interface Assembly {
  classes: string[];
  labels: Int32Array; // [documents]
  train: number[];
  test: number[];
  splitInfo: TextDataset['splitInfo'];
}

export function assembleSplits(docs: readonly DocMeta[], opts: Omit<AssembleOptions, 'spec' | 'name'>): Assembly {
  if (docs.length === 0) throw new DataError(`${opts.where}: no documents found`);
  const classes = sortClassNames(docs.map((d) => d.label));
  const classId = new Map(classes.map((c, i) => [c, i]));
  const labels = Int32Array.from(docs, (d) => classId.get(d.label)!);
  const given = docs[0].split !== undefined;
  let train: number[];
  let test: number[];
  if (given) {
    train = [];
    test = [];
    docs.forEach((d, i) => (d.split === 'train' ? train : test).push(i));
  } else {
    ({ train, test } = stratifiedSplit(labels, opts.testFraction, opts.seed));
  }
  if (train.length === 0 || test.length === 0) {
    throw new DataError(`${opts.where}: the ${train.length === 0 ? 'train' : 'test'} split is empty`);
  }
  const splitInfo: TextDataset['splitInfo'] = given ? { kind: 'given' } : { kind: 'stratified', seed: opts.seed, testFraction: opts.testFraction };
  return { classes, labels, train, test, splitInfo };
}

export function assembleTextDataset(docs: TextDoc[], opts: AssembleOptions): TextDataset {
  const a = assembleSplits(docs, opts);
  const makeSplit = (idx: number[]): TextSplit => ({
    kind: 'text',
    n: idx.length,
    texts: idx.map((i) => docs[i].text),
    labels: Int32Array.from(idx, (i) => a.labels[i]),
    sources: idx.map((i) => docs[i].source),
  });
  return { spec: opts.spec, name: opts.name, domain: 'text', classes: a.classes, train: makeSplit(a.train), test: makeSplit(a.test), splitInfo: a.splitInfo };
}

/**
 * A streamed text dataset: labels resident, each batch's sources named by `source` and texts fetched by `readTexts` (document
 * indices of the whole collection → their texts, in order).
 */
export function textDatasetReader(
  a: Assembly,
  source: (doc: number) => string,
  readTexts: (docs: number[]) => Promise<string[]>,
  opts: Pick<AssembleOptions, 'spec' | 'name'>,
): DatasetReader {
  const reader = (idx: number[]): SplitReader => ({
    kind: 'text',
    n: idx.length,
    labels: Int32Array.from(idx, (i) => a.labels[i]),
    resident: null,
    read: async (indices) => {
      const docs = Array.from(indices, (i) => idx[i]);
      const split: TextSplit = { kind: 'text', n: docs.length, texts: await readTexts(docs), labels: Int32Array.from(docs, (i) => a.labels[i]), sources: docs.map(source) };
      return { split };
    },
  });
  return { spec: opts.spec, name: opts.name, domain: 'text', classes: a.classes, train: reader(a.train), test: reader(a.test), splitInfo: a.splitInfo };
}
