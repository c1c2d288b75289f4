/** Objects as the page shows them: images as PNG, documents as text; topic renders of the generator. */
import sharp from 'sharp';
import type { Split } from '../data/types.js';

export async function imagePng(pixels: Uint8Array, height: number, width: number, channels: number): Promise<Buffer> {
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: channels as 1 | 3 } })
    .png()
    .toBuffer();
}

/** Object `index` of a split: a PNG for images, the document for texts. */
export async function renderObject(split: Split, index: number): Promise<{ type: string; body: Buffer | string }> {
  if (split.kind === 'text') return { type: 'text/plain; charset=utf-8', body: split.texts[index] };
  const size = split.height * split.width * split.channels;
  return { type: 'image/png', body: await imagePng(split.pixels.subarray(index * size, (index + 1) * size), split.height, split.width, split.channels) };
}
