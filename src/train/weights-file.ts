/**
 * Named tensors on disk in TensorFlow.js's standard weights format: a `weightsManifest` entry (specs) and a
 * binary file, as written by `tf.io.encodeWeights`. Used for saved models and checkpoints alike.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../errors.js';
import * as tf from '../engine/tf.js';

export interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Writes `tensors` to `dir/file` and returns the manifest group that describes them. */
export async function writeWeights(dir: string, file: string, tensors: Record<string, tf.Tensor>): Promise<WeightsGroup> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await fs.writeFile(path.join(dir, file), new Uint8Array(data as ArrayBuffer));
  return { paths: [file], weights: specs };
}

/** Reads a group written by `writeWeights`; the caller owns (and disposes) the returned tensors. */
export async function readWeights(dir: string, group: WeightsGroup): Promise<Record<string, tf.Tensor>> {
  const file = path.join(dir, group.paths[0]);
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    throw new ModelError(`${file}: weights file is missing`);
  }
  const expected = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buf.byteLength !== expected) {
    throw new ModelError(`${file}: weights file has ${buf.byteLength} bytes, the manifest describes ${expected}`);
  }
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return tf.io.decodeWeights(ab, group.weights);
}

/** Writes a file atomically: a kill at any moment leaves either the old or the new content. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, content);
  await fs.rename(tmp, file);
}

export async function readJson<T>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new ModelError(`${file}: ${what} not found`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ModelError(`${file}: ${what} is not valid JSON`);
  }
}
