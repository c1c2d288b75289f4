/**
 * The dataset cache: a parsed dataset is written once as a flat binary file
 * and read back without parsing on later loads. Generic over image and text datasets — pixels and labels
 * are raw bytes, strings are one UTF-8 blob plus end offsets. An entry is valid only for the same loader,
 * path, options and source fingerprint (sizes and mtimes); writes are atomic (temp file + rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Dataset, ImageSplit, Split, TextSplit } from './types.js';

const MAGIC = 'SADSLDS1';
/** Bumped whenever the layout below or any loader's output changes, so stale entries are ignored. */
const FORMAT_VERSION = 1;
const ALIGN = 8;

export interface CacheKey {
  /** The loader, e.g. `fashion-mnist` or `images`. */
  loader: string;
  /** The resolved source path. */
  path: string;
  /** Loader options that change the result (image size, split seed…). */
  options: Record<string, unknown>;
}

/**
 * Size and mtime of the source: of the file itself, or of every file under a directory (relative paths
 * included, so renames and additions count). Null when the path does not exist.
 */
export async function sourceFingerprint(path: string): Promise<string | null> {
  const st = await stat(path).catch(() => null);
  if (!st) return null;
  if (!st.isDirectory()) return `${st.size}:${st.mtimeMs}`;
  const h = createHash('sha256');
  const entries = (await readdir(path, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of entries) {
    const s = await stat(file);
    h.update(`${relative(path, file)}\t${s.size}\t${s.mtimeMs}\n`);
  }
  return `${entries.length}:${h.digest('hex')}`;
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 20);
}

/** The entry's file: one per loader, path and options, so a changed source overwrites its old entry. */
export function cacheFile(dir: string, key: CacheKey): string {
  const id = hash(JSON.stringify([key.loader, key.path, key.options]));
  return join(dir, `${key.loader.replace(/[^a-z0-9-]/gi, '_')}-${id}.bin`);
}

// ---- serialisation --------------------------------------------------------------------------------------

interface Section {
  name: string;
  length: number;
}

type SplitMeta = Pick<ImageSplit, 'kind' | 'n' | 'height' | 'width' | 'channels'> | Pick<TextSplit, 'kind' | 'n'>;

interface SplitHeader {
  meta: SplitMeta;
  hasSources: boolean;
}

interface Header {
  key: string;
  dataset: Omit<Dataset, 'train' | 'test'>;
  splits: Record<'train' | 'test', SplitHeader>;
  sections: Section[];
}

function packStrings(strings: readonly string[]): { ends: Int32Array; blob: Buffer } {
  const ends = new Int32Array(strings.length);
  let at = 0;
  strings.forEach((s, i) => (ends[i] = at += s.length));
  return { ends, blob: Buffer.from(strings.join(''), 'utf8') };
}

function unpackStrings(ends: Int32Array, blob: Uint8Array): string[] {
  const all = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('utf8');
  const out = new Array<string>(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = all.slice(start, ends[i]);
    start = ends[i];
  }
  if (start !== all.length) throw new Error('string blob does not match its offsets');
  return out;
}

function bytes(a: Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Serialises a dataset; `key` is stored so a reader can tell whether the entry is still valid. */
export function serializeDataset(ds: Dataset, key: string): Buffer {
  const sections: Section[] = [];
  const chunks: Uint8Array[] = [];
  const add = (name: string, data: Uint8Array): void => {
    sections.push({ name, length: data.byteLength });
    chunks.push(data);
  };
  const splits = {} as Header['splits'];
  for (const name of ['train', 'test'] as const) {
    const s = ds[name];
    add(`${name}.labels`, bytes(s.labels));
    if (s.kind === 'image') {
      add(`${name}.pixels`, s.pixels);
      splits[name] = { meta: { kind: 'image', n: s.n, height: s.height, width: s.width, channels: s.channels }, hasSources: !!s.sources };
    } else {
      const t = packStrings(s.texts);
      add(`${name}.textEnds`, bytes(t.ends));
      add(`${name}.texts`, t.blob);
      splits[name] = { meta: { kind: 'text', n: s.n }, hasSources: !!s.sources };
    }
    if (s.sources) {
      const p = packStrings(s.sources);
      add(`${name}.sourceEnds`, bytes(p.ends));
      add(`${name}.sources`, p.blob);
    }
  }
  const { train: _train, test: _test, ...dataset } = ds;
  const header: Header = { key, dataset, splits, sections };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (n: number): number => (ALIGN - (n % ALIGN)) % ALIGN;
  const parts: Uint8Array[] = [Buffer.from(MAGIC, 'latin1'), u32(headerBytes.length), headerBytes];
  let offset = MAGIC.length + 4 + headerBytes.length;
  for (const c of chunks) {
    parts.push(new Uint8Array(pad(offset)), c);
    offset += pad(offset) + c.byteLength;
  }
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/**
 * Reads a serialised dataset whose stored key equals `key`; null when the key differs or the file is not a
 * well-formed entry (the caller then re-parses the source). Arrays are views into `buf` where aligned.
 */
export function deserializeDataset(buf: Buffer, key: string): Dataset | null {
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const headerLen = buf.readUInt32LE(MAGIC.length);
  let offset = MAGIC.length + 4 + headerLen;
  if (offset > buf.length) return null;
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, offset)) as Header;
  } catch {
    return null;
  }
  if (header.key !== key) return null;
  const data = new Map<string, Uint8Array>();
  for (const s of header.sections) {
    offset += (ALIGN - (offset % ALIGN)) % ALIGN;
    if (offset + s.length > buf.length) return null;
    data.set(s.name, new Uint8Array(buf.buffer, buf.byteOffset + offset, s.length)); // a plain view, not a Buffer
    offset += s.length;
  }
  const int32 = (name: string): Int32Array => {
    const b = data.get(name)!;
    const aligned = (b.byteOffset & 3) === 0 ? b : new Uint8Array(b);
    return new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
  };
  try {
    const split = (name: 'train' | 'test'): Split => {
      const h = header.splits[name];
      const labels = int32(`${name}.labels`);
      const sources = h.hasSources ? unpackStrings(int32(`${name}.sourceEnds`), data.get(`${name}.sources`)!) : undefined;
      const s: Split =
        h.meta.kind === 'image'
          ? { ...h.meta, pixels: data.get(`${name}.pixels`)!, labels }
          : { ...h.meta, texts: unpackStrings(int32(`${name}.textEnds`), data.get(`${name}.texts`)!), labels };
      if (sources) s.sources = sources;
      if (labels.length !== s.n) throw new Error('label count mismatch');
      if (s.kind === 'image' && s.pixels.length !== s.n * s.height * s.width * s.channels) throw new Error('pixel count mismatch');
      return s;
    };
    return { ...header.dataset, train: split('train'), test: split('test') } as Dataset;
  } catch {
    return null;
  }
}

// ---- the cache ------------------------------------------------------------------------------------------

export interface CacheOptions {
  dir: string;
}

/**
 * Returns the cached dataset for `key`, or runs `load`, stores its result and returns it. Sources that
 * cannot be fingerprinted (missing paths) are loaded uncached so the loader reports the problem. A cache
 * that cannot be written (read-only home…) only costs speed.
 */
export async function cachedLoad(
  key: CacheKey,
  load: () => Promise<Dataset>,
  opts: CacheOptions,
): Promise<{ dataset: Dataset; hit: boolean }> {
  const fingerprint = await sourceFingerprint(key.path);
  if (fingerprint === null) return { dataset: await load(), hit: false };
  const fullKey = JSON.stringify({ v: FORMAT_VERSION, ...key, fingerprint });
  const file = cacheFile(opts.dir, key);
  const buf = await readWhole(file).catch(() => null);
  const cached = buf && deserializeDataset(buf, fullKey);
  if (cached) return { dataset: cached, hit: true };
  const dataset = await load();
  await writeAtomic(file, serializeDataset(dataset, fullKey)).catch(() => undefined);
  return { dataset, hit: false };
}

/** Reads a file with as few read calls as possible (readFile's 512 KiB chunks cost more than the copy). */
async function readWhole(file: string): Promise<Buffer> {
  const h = await open(file, 'r');
  try {
    const { size } = await h.stat();
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await h.read(buf, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buf.subarray(0, at);
  } finally {
    await h.close();
  }
}

async function writeAtomic(file: string, data: Buffer): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
