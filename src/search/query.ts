/**
 * Queries from outside the dataset, as one-object splits the model can encode: an uploaded image (PNG or
 * JPEG, decoded by `decodeImage` like the training files) or a pasted document.
 */
import { imagePixels } from '../data/image/decode.js';
import type { ImageSplit, TextSplit } from '../data/types.js';
import { ArgumentError, DataError } from '../errors.js';
import type { InputSpec } from '../model/types.js';
import { tokenize } from '../data/text/tokenize.js';
import type { Vocabulary } from '../data/text/vocabulary.js';

/** An uploaded image as the model's input, decoded exactly as training decoded its files (`decodeImage`). */
export async function imageQuery(bytes: Uint8Array, input: InputSpec, what = 'image'): Promise<ImageSplit> {
  if (input.domain !== 'image') throw new ArgumentError(`${what}: this index holds documents; send text`);
  const { height, width, channels } = input;
  let pixels: Uint8Array;
  try {
    pixels = await imagePixels(bytes, input, what);
  } catch (e) {
    // The bytes came with the request: bad bytes are the caller's argument, not the server's data.
    if (e instanceof DataError) throw new ArgumentError(e.message);
    throw e;
  }
  return { kind: 'image', n: 1, height, width, channels, pixels, labels: new Int32Array(1), sources: [what] };
}

export function textQuery(text: string, vocabulary: Vocabulary | null, what = 'text'): TextSplit {
  if (!vocabulary) throw new ArgumentError(`${what}: this index holds images; upload an image`);
  if (text.trim() === '') throw new ArgumentError(`${what}: is empty`);
  if (!tokenize(text).some((w) => vocabulary.id(w) !== 0)) throw new ArgumentError(`${what}: contains no word of the model's vocabulary`);
  return { kind: 'text', n: 1, texts: [text], labels: new Int32Array(1), sources: [what] };
}
