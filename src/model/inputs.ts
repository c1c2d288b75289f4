/**
 * Batches of model inputs built from the in-memory datasets: images as float32 [B, H, W, C] scaled from
 * bytes to [-1, 1] (docs/model.md eq. (1)); documents as token ids, token mask and the normalised bag of words
 * of the whole document (rows sum to 1; an empty document gives an all-zero row, as the reference).
 */
import * as tf from '../engine/tf.js';
import type { EncodedTexts, ImageSplit } from '../data/types.js';
import { ArgumentError } from '../errors.js';
import type { ModelInputs } from './types.js';

/** Bytes 0..255 ↔ the model's [-1, 1] (docs/model.md eq. (1)): x = p / 127.5 − 1. */
const PIXEL_HALF_RANGE = 127.5;

/** A pixel byte in the model's scale [-1, 1]. */
export function pixelToUnit(p: number): number {
  return p / PIXEL_HALF_RANGE - 1;
}

/** The inverse of `pixelToUnit`, clipped and rounded to a byte (renders of G). */
export function unitToPixel(x: number): number {
  return Math.round(Math.min(255, Math.max(0, (x + 1) * PIXEL_HALF_RANGE)));
}

function checkIndices(indices: ArrayLike<number>, n: number, what: string): void {
  if (indices.length === 0) throw new ArgumentError(`${what}: empty batch`);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new ArgumentError(`${what}: index ${j} out of range [0, ${n})`);
  }
}

/** Images `indices` of a split → [B, H, W, C] in [-1, 1]. */
export function imageInputs(split: ImageSplit, indices: ArrayLike<number>): ModelInputs {
  checkIndices(indices, split.n, 'imageInputs');
  const size = split.height * split.width * split.channels;
  const out = new Float32Array(indices.length * size);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * size;
    for (let i = 0; i < size; i++) out[b * size + i] = pixelToUnit(split.pixels[src + i]);
  }
  const images = tf.tensor4d(out, [indices.length, split.height, split.width, split.channels]);
  return { domain: 'image', images };
}

/** Documents `indices` → ids [B, L] int32, mask [B, L], normalised bag of words [B, V]. */
export function textInputs(enc: EncodedTexts, indices: ArrayLike<number>): ModelInputs {
  checkIndices(indices, enc.n, 'textInputs');
  const B = indices.length;
  const L = enc.maxLength;
  const V = enc.vocabSize;
  const ids = new Int32Array(B * L);
  const mask = new Float32Array(B * L);
  const bow = new Float32Array(B * V);
  for (let b = 0; b < B; b++) {
    const row = indices[b];
    ids.set(enc.ids.subarray(row * L, (row + 1) * L), b * L);
    for (let t = 0; t < L; t++) mask[b * L + t] = ids[b * L + t] !== 0 ? 1 : 0;
    const { indptr, indices: cols, values } = enc.bow;
    let total = 0;
    for (let p = indptr[row]; p < indptr[row + 1]; p++) total += values[p];
    const scale = 1 / Math.max(total, 1);
    for (let p = indptr[row]; p < indptr[row + 1]; p++) bow[b * V + cols[p]] += values[p] * scale;
  }
  return {
    domain: 'text',
    ids: tf.tensor2d(ids, [B, L], 'int32'),
    mask: tf.tensor2d(mask, [B, L]),
    bow: tf.tensor2d(bow, [B, V]),
  };
}

/** Number of objects in a batch. */
export function batchSize(x: ModelInputs): number {
  return x.domain === 'image' ? x.images.shape[0] : x.ids.shape[0];
}

/** Objects [start, end) of a batch, as new tensors the caller disposes. */
export function sliceInputs(x: ModelInputs, start: number, end: number): ModelInputs {
  const n = end - start;
  if (x.domain === 'image') return { domain: 'image', images: x.images.slice([start], [n]) };
  return { domain: 'text', ids: x.ids.slice([start], [n]), mask: x.mask.slice([start], [n]), bow: x.bow.slice([start], [n]) };
}

/** Disposes every tensor of a batch. */
export function disposeInputs(x: ModelInputs): void {
  if (x.domain === 'image') x.images.dispose();
  else tf.dispose([x.ids, x.mask, x.bow]);
}
