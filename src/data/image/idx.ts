/**
 * The IDX format of MNIST and Fashion-MNIST: a 4-byte magic `00 00 08 <ndims>` (unsigned bytes),
 * `ndims` big-endian uint32 sizes, then the data. Images are [n, 28, 28] (idx3), labels [n] (idx1).
 */
import { DataError } from '../../errors.js';
import type { ImageSplit } from '../types.js';

const UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX array with exactly `ndims` dimensions; any inconsistency is a `DataError`. */
export function parseIdx(buf: Uint8Array, ndims: number, file: string): IdxArray {
  const headerLen = 4 + 4 * ndims;
  if (buf.length < 4) throw new DataError(`${file}: not an IDX file (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== UBYTE || buf[3] !== ndims) {
    const magic = [...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(`${file}: wrong IDX magic ${magic} (expected 00 00 08 0${ndims})`);
  }
  if (buf.length < headerLen) throw new DataError(`${file}: truncated IDX header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const found = buf.length - headerLen;
  if (found !== expected) {
    const what = found < expected ? 'truncated' : 'trailing bytes';
    throw new DataError(`${file}: ${what}: dimensions ${dims.join('×')} need ${expected} data bytes, found ${found}`);
  }
  return { dims, data: buf.subarray(headerLen) };
}

/**
 * Combines an idx3 image file and an idx1 label file into a split; labels must lie in [0, numClasses).
 * Pixels are copied so the split does not pin the (larger) file buffer.
 */
export function idxSplit(
  images: Uint8Array,
  labels: Uint8Array,
  numClasses: number,
  files: { images: string; labels: string },
): ImageSplit {
  const im = parseIdx(images, 3, files.images);
  const lb = parseIdx(labels, 1, files.labels);
  const [n, height, width] = im.dims;
  if (height < 1 || width < 1) throw new DataError(`${files.images}: wrong IDX dimensions ${im.dims.join('×')}`);
  if (lb.dims[0] !== n) {
    throw new DataError(`${files.labels}: ${lb.dims[0]} labels but ${files.images} holds ${n} images`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = lb.data[i];
    if (c >= numClasses) throw new DataError(`${files.labels}: label ${c} of item ${i} is not below ${numClasses}`);
    out[i] = c;
  }
  return { kind: 'image', n, height, width, channels: 1, pixels: new Uint8Array(im.data), labels: out };
}

/** Serialises an unsigned-byte IDX array (used by the sample maker and tests). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, UBYTE, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
