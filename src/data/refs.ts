/** Object ids are `split:index` everywhere (CLI, API, service), e.g. `test:0`. */
import { ArgumentError } from '../errors.js';
import type { Dataset, Split, SplitName } from './types.js';

export interface ObjectRef {
  split: SplitName;
  index: number;
}

/** The one `split:index` pattern. */
const REF = /^(train|test):(\d+)$/;

/** Whether `s` has the form of an object id (`test:0`); anything else names a file. */
export function isRef(s: string): boolean {
  return REF.test(s.trim());
}

export function parseRef(ref: string, what = 'ref'): ObjectRef {
  const m = REF.exec(ref.trim());
  if (!m) throw new ArgumentError(`${what}: expected split:index such as test:0, got '${ref}'`);
  return { split: m[1] as SplitName, index: Number(m[2]) };
}

/** The split and index a ref names in a dataset, checked against the split's size. */
export function resolveRef(ds: Dataset, ref: string, what = 'ref'): { split: Split; index: number } {
  const r = parseRef(ref, what);
  const split = ds[r.split];
  if (r.index >= split.n) throw new ArgumentError(`${what}: ${ref} is out of range (${r.split} has ${split.n} objects)`);
  return { split, index: r.index };
}

export function formatRef(split: SplitName, index: number): string {
  return `${split}:${index}`;
}
