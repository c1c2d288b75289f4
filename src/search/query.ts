/**
 * Queries from outside the dataset, as one-object splits the model can encode: an uploaded image (PNG or
 * JPEG or WebP, decoded by `decodeImage` like the training files) or a pasted document.
 */
import { imagePixels } from '../data/image/decode.js';
import type { ImageSplit, TextSplit } from '../data/types.js';
import { ArgumentError } from '../errors.js';
import type { InputSpec } from '../model/types.js';
import { tokenize } from '../data/text/tokenize.js';
import type { Vocabulary } from '../data/text/vocabulary.js';

/** An uploaded image as the model's input, decoded exactly as training decoded its files (`decodeImage`). */
export async function imageQuery(bytes: Uint8Array, input: InputSpec, what = 'image'): Promise<ImageSplit> {
  if (input.domain !== 'image') throw new ArgumentError(`${what}: this index holds documents; send text`);
  const { height, width, channels } = input;
  // Bad bytes throw an ImageError saying which problem it is (the service answers 400, 413 or 415 by it).
  const pixels = await imagePixels(bytes, input, what);
  return { kind: 'image', n: 1, height, width, channels, pixels, labels: new Int32Array(1), sources: [what] };
}

export function textQuery(text: string, vocabulary: Vocabulary | null, what = 'text'): TextSplit {
  if (!vocabulary) throw new ArgumentError(`${what}: this index holds images; upload an image`);
  if (text.trim() === '') throw new ArgumentError(`${what}: is empty`);
  if (!tokenize(text).some((w) => vocabulary.id(w) !== 0)) throw new ArgumentError(`${what}: contains no word of the model's vocabulary`);
  return { kind: 'text', n: 1, texts: [text], labels: new Int32Array(1), sources: [what] };
}
