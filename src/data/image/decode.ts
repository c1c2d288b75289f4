/**
 * The one image decoder: training folders (`images:/dir`), queries (serve, `sadsl search`) and files named on
 * the command line all go through `decodeImage`, so a file gets the same pixels as a query that it had in
 * training. One policy: PNG, JPEG or WebP only; resized to the target size (fill, no crop), transparent areas
 * painted over black, sRGB; the header is read first and an image with more pixels or a longer side than
 * `DATA_DEFAULTS` allows is refused before decoding (a decompression bomb guard; the service checks uploads
 * against its own, lower limit with `readImageHeader` first).
 */
import { open } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { DATA_DEFAULTS } from '../../config.js';
import { DataError, ImageError } from '../../errors.js';

/**
 * The formats decoded, with their media types and file signatures. Only bytes with one of these signatures
 * reach libvips: the other formats it reads (GIF, TIFF, HEIF, SVG…) are not needed, and SVG alone would run
 * librsvg's XML parser on untrusted text.
 */
export const IMAGE_FORMATS = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;
export type ImageFormat = keyof typeof IMAGE_FORMATS;

/** The format a file's first 12 bytes announce, or null. */
function signature(b: Uint8Array): ImageFormat | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 8 && ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

async function firstBytes(input: Uint8Array | string): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(0, 12);
  const file = await open(input, 'r').catch((e: Error) => {
    throw new DataError(`${input}: cannot read (${e.message})`);
  });
  try {
    const { buffer, bytesRead } = await file.read(new Uint8Array(12), 0, 12, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export interface ImageLimits {
  /** Most pixels (width × height) the header may claim. */
  maxPixels: number;
  /** Longest side the header may claim. */
  maxSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: DATA_DEFAULTS.maxInputPixels, maxSide: DATA_DEFAULTS.maxInputSide };

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** Colour channels without alpha (1 = grayscale). */
  colour: number;
}

const firstLine = (e: unknown) => (e as Error).message.split('\n')[0];

/**
 * Reads an image's header (no pixels are decoded) and checks its format and size against `limits`; `what`
 * names the input in errors. Throws `ImageError` saying which of the three problems it is.
 */
export async function readImageHeader(input: Uint8Array | string, what: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<ImageHeader> {
  const format = signature(await firstBytes(input));
  if (!format) throw new ImageError(`${what}: not a PNG, JPEG or WebP image`, 'unsupported');
  let meta: Metadata;
  try {
    // No pixel limit here: the header is read either way, and the check below names the size.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageError(`${what}: not a decodable image (${firstLine(e)})`, 'undecodable');
  }
  const { width, height } = meta;
  // libvips sniffs the format itself: the same signature, or the bytes are not what they announce.
  if (meta.format !== format) throw new ImageError(`${what}: not a decodable image (announces ${format.toUpperCase()}, reads as ${meta.format})`, 'undecodable');
  if (!width || !height) throw new ImageError(`${what}: not a decodable image (no size in its header)`, 'undecodable');
  if (width * height > limits.maxPixels || Math.max(width, height) > limits.maxSide) {
    throw new ImageError(
      `${what}: ${width}×${height} pixels is too large (at most ${limits.maxPixels} pixels and ${limits.maxSide} on a side)`,
      'too-large',
    );
  }
  return { format, width, height, colour: (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0) };
}

export interface DecodedImage {
  /** sRGB pixels, [height, width, 3] row-major. */
  rgb: Uint8Array;
  /** Whether the file itself is grayscale (then R = G = B everywhere). */
  gray: boolean;
}

/** Decodes PNG/JPEG/WebP bytes (or a file path) to width×height sRGB; `what` names the input in errors. */
export async function decodeImage(input: Uint8Array | string, width: number, height: number, what: string): Promise<DecodedImage> {
  const header = await readImageHeader(input, what);
  try {
    // The pixel limit again in libvips itself, in case the header lied about the size.
    const img = sharp(input, { limitInputPixels: DEFAULT_IMAGE_LIMITS.maxPixels });
    const rgb = await img.resize(width, height, { fit: 'fill' }).flatten({ background: '#000000' }).toColourspace('srgb').raw().toBuffer();
    if (rgb.length !== width * height * 3) throw new Error(`decoded to ${rgb.length} bytes, expected ${width * height * 3}`);
    return { rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), gray: header.colour === 1 };
  } catch (e) {
    throw new ImageError(`${what}: not a decodable image (${firstLine(e)})`, 'undecodable');
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
