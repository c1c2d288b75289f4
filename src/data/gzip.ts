/**
 * Reading possibly-gzipped dataset files: gzip is recognised by its magic bytes, not
 * by the file name, and a truncated or corrupt stream becomes a one-line `DataError` naming the file.
 */
import { open, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { DataError } from '../errors.js';

const gunzipAsync = promisify(gunzipCb);

/** Largest decompressed size accepted; guards against gzip bombs in hostile input. */
const MAX_INFLATED = 4 * 1024 ** 3 - 1;

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Whether a file starts with the gzip magic bytes (only those two bytes are read: for streamed archives). */
export async function fileIsGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return isGzip(buffer.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Inflates `buf` when it is gzip, returns it unchanged otherwise. `file` names the source in errors. */
export async function maybeGunzip(buf: Buffer, file: string): Promise<Buffer> {
  if (!isGzip(buf)) return buf;
  try {
    return await gunzipAsync(buf, { maxOutputLength: MAX_INFLATED });
  } catch (err) {
    throw new DataError(`${file}: truncated or corrupt gzip data (${(err as Error).message})`);
  }
}

/** Reads a file, inflating it when it is gzip. */
export async function readMaybeGzip(file: string): Promise<Buffer> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new DataError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return maybeGunzip(buf, file);
}
