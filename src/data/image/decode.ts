/**
 * The one image decoder: training folders (`images:/dir`), queries (serve, `sadsl search`) and files named on
 * the command line all go through `decodeImage`, so a file gets the same pixels as a query that it had in
 * training. One policy: resized to the target size (fill, no crop), transparent areas painted over black,
 * sRGB; inputs above `DATA_DEFAULTS.maxInputPixels` are refused before decoding (a decompression bomb guard).
 */
import sharp from 'sharp';
import { DATA_DEFAULTS } from '../../config.js';
import { DataError } from '../../errors.js';

export interface DecodedImage {
  /** sRGB pixels, [height, width, 3] row-major. */
  rgb: Uint8Array;
  /** Whether the file itself is grayscale (then R = G = B everywhere). */
  gray: boolean;
}

/** Decodes PNG/JPEG/WebP bytes (or a file path) to width×height sRGB; `what` names the input in errors. */
export async function decodeImage(input: Uint8Array | string, width: number, height: number, what: string): Promise<DecodedImage> {
  try {
    const img = sharp(input, { limitInputPixels: DATA_DEFAULTS.maxInputPixels });
    const meta = await img.metadata();
    const colour = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
    const rgb = await img.resize(width, height, { fit: 'fill' }).flatten({ background: '#000000' }).toColourspace('srgb').raw().toBuffer();
    if (rgb.length !== width * height * 3) throw new Error(`decoded to ${rgb.length} bytes, expected ${width * height * 3}`);
    return { rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), gray: colour === 1 };
  } catch (e) {
    throw new DataError(`${what}: not a decodable image (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Decoded pixels with the model's channel count: 3 = as decoded; 1 = BT.601 luma (299 R + 587 G + 114 B) / 1000,
 * rounded, as PIL's "L" and torchvision's Grayscale compute it — R itself for a grayscale file.
 */
export function toChannels(rgb: Uint8Array, channels: number): Uint8Array {
  if (channels === 3) return rgb;
  if (channels !== 1) throw new DataError(`images have 1 or 3 channels, not ${channels}`);
  const out = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < out.length; p++) out[p] = Math.floor((299 * rgb[3 * p] + 587 * rgb[3 * p + 1] + 114 * rgb[3 * p + 2] + 500) / 1000);
  return out;
}

/** Decodes to the pixels a model with `channels` channels takes ([height, width, channels]). */
export async function imagePixels(input: Uint8Array | string, size: { width: number; height: number; channels: number }, what: string): Promise<Uint8Array> {
  return toChannels((await decodeImage(input, size.width, size.height, what)).rgb, size.channels);
}
