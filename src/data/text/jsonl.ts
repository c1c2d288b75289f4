/**
 * `text:/file.jsonl`: one JSON object per line, `{"text": …, "label": …}` with a string or number
 * label, an optional `"split": "train" | "test"` (on every line or on none; without it a seeded stratified
 * split is made) and an optional `"source"` string shown as the object's origin (default `file:line`).
 * A `.gz` file is gunzipped. Blank lines are skipped; any other line that is not such an object is an error
 * naming the file and line. A file that is not valid UTF-8 is read as latin-1, with a warning.
 *
 * `loadJsonl` reads the whole file into memory; `openJsonl` streams it once (line by line, gunzipping on the
 * fly) to check every line and keep each document's label, source and byte range, then reads a batch's lines
 * by those ranges: from the file itself, or for a `.gz` file from an inflated copy written to an unlinked
 * temporary file during that pass (gzip cannot be read at an offset).
 */
import { createReadStream, openSync, read, rmSync, write } from 'node:fs';
import { mkdtemp, open, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { DataError } from '../../errors.js';
import { fileIsGzip, readMaybeGzip } from '../gzip.js';
import type { DatasetReader, TextDataset } from '../types.js';
import { assembleSplits, assembleTextDataset, textDatasetReader, type DocMeta, type TextDoc } from './assemble.js';
import { TextFileDecoder } from './decode.js';

async function readText(file: string): Promise<string> {
  const bytes = await readMaybeGzip(file);
  const decoder = new TextFileDecoder();
  const text = decoder.decode(bytes);
  decoder.warn(file, 'file');
  return text;
}

function parseLine(line: string, where: string): TextDoc {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw new DataError(`${where}: not valid JSON`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new DataError(`${where}: not a JSON object`);
  const { text, label, split, source } = o as Record<string, unknown>;
  if (typeof text !== 'string') throw new DataError(`${where}: "text" must be a string`);
  if (!(typeof label === 'string' && label !== '') && !(typeof label === 'number' && Number.isFinite(label))) {
    throw new DataError(`${where}: "label" must be a non-empty string or a number`);
  }
  if (split !== undefined && split !== 'train' && split !== 'test') {
    throw new DataError(`${where}: "split" must be "train" or "test"`);
  }
  if (source !== undefined && typeof source !== 'string') throw new DataError(`${where}: "source" must be a string`);
  return { text, label: String(label), split, source: source ?? where };
}

export async function loadJsonl(file: string, opts: { seed: number; testFraction: number }): Promise<TextDataset> {
  const lines = (await readText(file)).split('\n');
  const docs: TextDoc[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const doc = parseLine(lines[i], `${file}:${i + 1}`);
    if (docs.length > 0 && (doc.split === undefined) !== (docs[0].split === undefined)) {
      throw new DataError(`${file}:${i + 1}: "split" must be on every line or on none`);
    }
    docs.push(doc);
  }
  return assembleTextDataset(docs, { spec: `text:${file}`, name: jsonlName(file), where: file, ...opts });
}

const jsonlName = (file: string): string => basename(file).replace(/\.jsonl(\.gz)?$|\.gz$/i, '');

/** A line of the (inflated) file: its 1-based number, bytes (without the newline) and where they start. */
interface Line {
  number: number;
  offset: number;
  bytes: Buffer;
}

/**
 * The lines of a possibly gzipped file, read as a stream; every inflated chunk is also passed to `onChunk`
 * (the spool of a `.gz` file) before its lines are yielded.
 */
async function* readLines(file: string, onChunk?: (chunk: Buffer) => Promise<void>, onBytes?: (read: number) => void): AsyncGenerator<Line> {
  const gz = await fileIsGzip(file).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`${file}: cannot read (${err.code ?? err.message})`);
  });
  const raw = createReadStream(file);
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (err) => stream.destroy(err));
  let pending: Buffer[] = [];
  let pendingOffset = 0;
  let base = 0;
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      await onChunk?.(chunk);
      onBytes?.(raw.bytesRead);
      let from = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
        const bytes = pending.length ? Buffer.concat([...pending, chunk.subarray(from, nl)]) : chunk.subarray(from, nl);
        yield { number: ++number, offset: pending.length ? pendingOffset : base + from, bytes };
        pending = [];
        from = nl + 1;
      }
      if (from < chunk.length) {
        if (!pending.length) pendingOffset = base + from;
        pending.push(chunk.subarray(from));
      }
      base += chunk.length;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (gz && e.code?.startsWith('Z_')) throw new DataError(`${file}: truncated or corrupt gzip data (${e.message})`);
    throw new DataError(`${file}: cannot read (${e.code ?? e.message})`);
  }
  yield { number: number + 1, offset: pending.length ? pendingOffset : base, bytes: Buffer.concat(pending) };
}

const utf8First = new TextDecoder('utf-8', { fatal: true });
/** Later lines keep a U+FEFF, as decoding the whole file does (only the file's first BOM is dropped). */
const utf8Rest = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Encoding = 'utf8' | 'latin1';

/** A line's text in the file's encoding; null when it is not valid UTF-8. */
function decodeLine(bytes: Buffer, number: number, encoding: Encoding): string | null {
  if (encoding === 'latin1') return bytes.toString('latin1');
  try {
    return (number === 1 ? utf8First : utf8Rest).decode(bytes);
  } catch {
    return null;
  }
}

interface Scan {
  docs: DocMeta[];
  /** Per document: its 1-based line number, and the `"source"` it gives, if any (else `file:line`). */
  lines: number[];
  given: Map<number, string>;
  offsets: number[];
  lengths: number[];
}

/** One pass over the file: every line checked, each document's label, split, source and byte range kept. */
async function scan(file: string, encoding: Encoding, onChunk?: (chunk: Buffer) => Promise<void>, onBytes?: (read: number) => void): Promise<Scan | null> {
  const out: Scan = { docs: [], lines: [], given: new Map(), offsets: [], lengths: [] };
  // One string per label, not one per document.
  const labels = new Map<string, string>();
  for await (const line of readLines(file, onChunk, onBytes)) {
    const text = decodeLine(line.bytes, line.number, encoding);
    if (text === null) return null;
    if (text.trim() === '') continue;
    const where = `${file}:${line.number}`;
    const doc = parseLine(text, where);
    if (out.docs.length > 0 && (doc.split === undefined) !== (out.docs[0].split === undefined)) {
      throw new DataError(`${where}: "split" must be on every line or on none`);
    }
    if (!labels.has(doc.label)) labels.set(doc.label, doc.label);
    if (doc.source !== where) out.given.set(out.docs.length, doc.source);
    out.docs.push({ label: labels.get(doc.label)!, split: doc.split });
    out.lines.push(line.number);
    out.offsets.push(line.offset);
    out.lengths.push(line.bytes.length);
  }
  return out;
}

/** Reads `buf.length` bytes at `position`; returns how many it got. */
type ReadAt = (buf: Buffer, position: number) => Promise<number>;

const readFd = promisify(read);
const writeFd = promisify(write);

/**
 * The inflated copy of a `.gz` collection: a temporary file unlinked as soon as it is open, so its space comes
 * back when the process ends however it ends (a killed training run leaves nothing behind). Written during the
 * scan, read by byte range afterwards.
 */
async function spool(): Promise<{ write: (chunk: Buffer, position: number) => Promise<void>; readAt: ReadAt }> {
  const dir = await mkdtemp(join(tmpdir(), 'sadsl-jsonl-'));
  const fd = openSync(join(dir, 'inflated.jsonl'), 'w+');
  rmSync(dir, { recursive: true, force: true });
  return {
    write: async (chunk, position) => {
      for (let at = 0; at < chunk.length; ) at += (await writeFd(fd, chunk, at, chunk.length - at, position + at)).bytesWritten;
    },
    readAt: async (buf, position) => (await readFd(fd, buf, 0, buf.length, position)).bytesRead,
  };
}

/** `text:/file.jsonl[.gz]` streamed: the same documents as `loadJsonl`, with only labels, sources and byte ranges resident. */
export async function openJsonl(
  file: string,
  opts: { seed: number; testFraction: number; onProgress?: (bytesRead: number, fileBytes: number) => void },
): Promise<DatasetReader> {
  const cannotRead = (err: NodeJS.ErrnoException): never => {
    throw new DataError(`${file}: cannot read (${err.code ?? err.message})`);
  };
  const gz = await fileIsGzip(file).catch(cannotRead);
  const { size } = await stat(file).catch(cannotRead);
  const inflated = gz ? await spool() : null;
  const pass = (encoding: Encoding): Promise<Scan | null> => {
    let at = 0;
    const onChunk = inflated ? async (chunk: Buffer) => void (await inflated.write(chunk, (at += chunk.length) - chunk.length)) : undefined;
    return scan(file, encoding, onChunk, opts.onProgress && ((read) => opts.onProgress!(read, size)));
  };
  let encoding: Encoding = 'utf8';
  let s = await pass(encoding);
  if (!s) {
    console.warn(`warning: ${file}: 1 file not valid UTF-8, decoded as latin-1`);
    encoding = 'latin1';
    s = (await pass(encoding))!;
  }
  /** Runs `f` with positional reads of the inflated copy, or of the file itself (opened for the call). */
  const withBody = async <T>(f: (readAt: ReadAt) => Promise<T>): Promise<T> => {
    if (inflated) return f(inflated.readAt);
    let h: FileHandle;
    try {
      h = await open(file, 'r');
    } catch (err) {
      throw new DataError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      return await f(async (buf, position) => (await h.read(buf, 0, buf.length, position)).bytesRead);
    } finally {
      await h.close();
    }
  };
  const { offsets, lengths, lines, given } = s;
  const source = (i: number): string => given.get(i) ?? `${file}:${lines[i]}`;
  const a = assembleSplits(s.docs, { where: file, seed: opts.seed, testFraction: opts.testFraction });
  const changed = (source: string): never => {
    throw new DataError(`${file}: changed while it was read (the document of ${source})`);
  };
  const readTexts = (docs: number[]): Promise<string[]> =>
    withBody(async (readAt) => {
      const out: string[] = [];
      for (const i of docs) {
        const bytes = Buffer.allocUnsafe(lengths[i]);
        if ((await readAt(bytes, offsets[i])) !== lengths[i]) changed(source(i));
        const text = decodeLine(bytes, offsets[i] === 0 ? 1 : 2, encoding) ?? changed(source(i));
        try {
          out.push((JSON.parse(text) as { text: string }).text);
        } catch {
          changed(source(i));
        }
      }
      return out;
    });
  return textDatasetReader(a, source, readTexts, { spec: `text:${file}`, name: jsonlName(file) });
}
