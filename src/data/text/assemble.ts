/**
 * Turns a flat list of labelled documents into a `TextDataset` (shared by the folder, JSONL and 20 News
 * loaders): classes are the sorted label names (numerically when every name is a number), and the split is
 * either the one the source gives or a seeded stratified split (recorded in `splitInfo`).
 */
import { DataError } from '../../errors.js';
import { stratifiedSplit } from '../split.js';
import type { SplitName, TextDataset, TextSplit } from '../types.js';

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

function makeSplit(docs: TextDoc[], idx: number[], classId: Map<string, number>): TextSplit {
  return {
    kind: 'text',
    n: idx.length,
    texts: idx.map((i) => docs[i].text),
    labels: Int32Array.from(idx, (i) => classId.get(docs[i].label)!),
    sources: idx.map((i) => docs[i].source),
  };
}

export function assembleTextDataset(docs: TextDoc[], opts: AssembleOptions): TextDataset {
  if (docs.length === 0) throw new DataError(`${opts.where}: no documents found`);
  const classes = sortClassNames(docs.map((d) => d.label));
  const classId = new Map(classes.map((c, i) => [c, i]));
  const given = docs[0].split !== undefined;
  let train: number[];
  let test: number[];
  if (given) {
    train = [];
    test = [];
    docs.forEach((d, i) => (d.split === 'train' ? train : test).push(i));
  } else {
    const labels = Int32Array.from(docs, (d) => classId.get(d.label)!);
    ({ train, test } = stratifiedSplit(labels, opts.testFraction, opts.seed));
  }
  if (train.length === 0 || test.length === 0) {
    throw new DataError(`${opts.where}: the ${train.length === 0 ? 'train' : 'test'} split is empty`);
  }
  return {
    spec: opts.spec,
    name: opts.name,
    domain: 'text',
    classes,
    train: makeSplit(docs, train, classId),
    test: makeSplit(docs, test, classId),
    splitInfo: given ? { kind: 'given' } : { kind: 'stratified', seed: opts.seed, testFraction: opts.testFraction },
  };
}
