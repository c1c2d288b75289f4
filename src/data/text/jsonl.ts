/**
 * `text:/file.jsonl`: one JSON object per line, `{"text": …, "label": …}` with a string or number
 * label, an optional `"split": "train" | "test"` (on every line or on none; without it a seeded stratified
 * split is made) and an optional `"source"` string shown as the object's origin (default `file:line`).
 * A `.gz` file is gunzipped. Blank lines are skipped; any other line that is not such an object is an error
 * naming the file and line. A file that is not valid UTF-8 is read as latin-1, with a warning.
 */
import { basename } from 'node:path';
import { DataError } from '../../errors.js';
import { readMaybeGzip } from '../gzip.js';
import type { TextDataset } from '../types.js';
import { assembleTextDataset, type TextDoc } from './assemble.js';
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
  const name = basename(file).replace(/\.jsonl(\.gz)?$|\.gz$/i, '');
  return assembleTextDataset(docs, { spec: `text:${file}`, name, where: file, ...opts });
}
