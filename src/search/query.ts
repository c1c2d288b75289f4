/**
 * Queries from outside the dataset, as one-object splits the model can encode: an uploaded image (PNG or
 * JPEG, resized to the model's input and converted to its channels) or a pasted document.
 */
import sharp, { type OutputInfo } from 'sharp';
import type { ImageSplit, TextSplit } from '../data/types.js';
import { ArgumentError } from '../errors.js';
import type { InputSpec } from '../model/types.js';
import { tokenize } from '../data/text/tokenize.js';
import type { Vocabulary } from '../data/text/vocabulary.js';

/** Decoded pixels above this count are refused before decoding (a decompression bomb guard). */
const MAX_INPUT_PIXELS = 40_000_000;

export async function imageQuery(bytes: Uint8Array, input: InputSpec, what = 'image'): Promise<ImageSplit> {
  if (input.domain !== 'image') throw new ArgumentError(`${what}: this index holds documents; send text`);
  const { height, width, channels } = input;
  let pipeline = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).resize(width, height, { fit: 'fill' }).removeAlpha();
  pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ArgumentError(`${what}: not a decodable image (${(e as Error).message.split('\n')[0]})`);
  }
  if (raw.info.channels !== channels) throw new ArgumentError(`${what}: decoded to ${raw.info.channels} channels, the model takes ${channels}`);
  return { kind: 'image', n: 1, height, width, channels, pixels: new Uint8Array(raw.data), labels: new Int32Array(1), sources: [what] };
}

export function textQuery(text: string, vocabulary: Vocabulary | null, what = 'text'): TextSplit {
  if (!vocabulary) throw new ArgumentError(`${what}: this index holds images; upload an image`);
  if (text.trim() === '') throw new ArgumentError(`${what}: is empty`);
  if (!tokenize(text).some((w) => vocabulary.id(w) !== 0)) throw new ArgumentError(`${what}: contains no word of the model's vocabulary`);
  return { kind: 'text', n: 1, texts: [text], labels: new Int32Array(1), sources: [what] };
}
