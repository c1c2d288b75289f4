/**
 * Objects named on the command line: `split:index` into the dataset, or a file — an image (decoded by
 * `decodeImage` as training decodes its files, resized to the model's input size) or, for document models, a
 * .txt file. A file becomes a one-object split, so it flows through the same preprocessing as the data.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { imagePixels } from '../data/image/decode.js';
import { isRef, resolveRef } from '../data/refs.js';
import type { Dataset, Split } from '../data/types.js';
import { ArgumentError } from '../errors.js';
import type { InputSpec } from '../model/types.js';
import type { Objects } from '../train/trained-model.js';

/** A one-object split holding the file's image or text, prepared for a model with `input`. */
export async function readObjectFile(file: string, input: InputSpec): Promise<Split> {
  if (!existsSync(file)) throw new ArgumentError(`${file}: no such file`);
  const sources = [path.resolve(file)];
  if (input.domain === 'text') {
    if (path.extname(file).toLowerCase() !== '.txt') throw new ArgumentError(`${file}: document models take .txt files`);
    return { kind: 'text', n: 1, texts: [await fs.readFile(file, 'utf8')], labels: Int32Array.from([-1]), sources };
  }
  const pixels = await imagePixels(file, input, file);
  return { kind: 'image', n: 1, height: input.height, width: input.width, channels: input.channels, pixels, labels: Int32Array.from([-1]), sources };
}

/** What a ref names: split:index in the dataset (loaded on first need), else a file. */
export async function resolveObject(ref: string, input: InputSpec, dataset: () => Promise<Dataset>, what: string): Promise<Objects> {
  if (isRef(ref)) {
    const r = resolveRef(await dataset(), ref, what);
    return { split: r.split, indices: [r.index] };
  }
  if (!existsSync(ref)) throw new ArgumentError(`${what}: '${ref}' is neither split:index (e.g. test:0) nor an existing file`);
  return { split: await readObjectFile(ref, input) };
}
