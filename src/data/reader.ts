/**
 * Splits read on demand (`SplitReader`): the one interface training and indexing take, whether a split is in
 * memory (the built-in datasets) or streamed from a user collection (`images:/dir`, `text:/dir`,
 * `text:/file.jsonl[.gz]`, see `openDataset`). Streamed readers keep labels and per-object locations resident
 * and read the objects of one batch at a time.
 */
import type { Dataset, DatasetReader, Split, SplitObjects, SplitReader } from './types.js';

/** A split in memory as a reader: `read` answers with the split itself and the indices. */
export function residentReader(split: Split): SplitReader {
  return { kind: split.kind, n: split.n, labels: split.labels, resident: split, read: async (indices) => ({ split, indices }) };
}

export function residentDatasetReader(ds: Dataset): DatasetReader {
  return { ...ds, train: residentReader(ds.train), test: residentReader(ds.test) };
}

/** The indices start, start + 1, …, end − 1. */
export function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

/** The texts of a text split's objects (all of them when `indices` is omitted), in order. */
export function objectTexts(o: SplitObjects): string[] {
  if (o.split.kind !== 'text') throw new TypeError('objectTexts: not a text split');
  const { texts } = o.split;
  return o.indices ? Array.from(o.indices, (i) => texts[i]) : texts;
}

/** Objects per read when a reader is walked in order (vocabulary building): bounds what a pass holds. */
export const READ_CHUNK = 64;

/** Calls `f` on consecutive chunks of the objects `indices` (default: all) of a reader, one chunk resident at a time. */
export async function forEachChunk(
  reader: SplitReader,
  f: (o: SplitObjects) => void | Promise<void>,
  indices: ArrayLike<number> = range(0, reader.n),
  chunk = READ_CHUNK,
): Promise<void> {
  for (let start = 0; start < indices.length; start += chunk) {
    await f(await reader.read(Array.prototype.slice.call(indices, start, start + chunk) as number[]));
  }
}
