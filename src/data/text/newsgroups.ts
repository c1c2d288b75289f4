/**
 * 20 Newsgroups, "bydate" version (`20news`): the standard `20news-bydate.tar.gz` read as a stream
 * (gunzip → tar, never extracted to disk), a plain `.tar`, or its extracted folders `20news-bydate-train/`
 * and `20news-bydate-test/`. Train/test is the bydate split (11,314 / 7,532), classes are the 20 group
 * names sorted. Each post keeps its Subject and body (`stripMailHeaders`); posts are ordered by group then
 * numeric id, as in the reference. Posts that are not valid UTF-8 are read as latin-1, with one warning.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { DataError } from '../../errors.js';
import { fileIsGzip } from '../gzip.js';
import type { SplitName, TextDataset } from '../types.js';
import { assembleTextDataset, type TextDoc } from './assemble.js';
import { readClassFolders, naturalOrder } from './class-folders.js';
import { TextFileDecoder } from './decode.js';
import { stripMailHeaders } from './headers.js';

interface Post {
  split: SplitName;
  group: string;
  id: string;
  text: string;
}

const SPLIT_DIRS: Record<SplitName, string> = { train: '20news-bydate-train', test: '20news-bydate-test' };

/** `20news-bydate-train/<group>/<id>` → its split, group and id; other entries (folders, extras) → null. */
function parseEntryName(name: string): Omit<Post, 'text'> | null {
  const parts = name.replace(/^\.\//, '').split('/');
  if (parts.length !== 3 || !parts[1] || !parts[2]) return null;
  const split = parts[0].endsWith('train') ? 'train' : parts[0].endsWith('test') ? 'test' : null;
  return split && { split, group: parts[1], id: parts[2] };
}

async function readArchive(path: string, decoder: TextFileDecoder): Promise<Post[]> {
  const posts: Post[] = [];
  const input = createReadStream(path);
  const gunzip = (await fileIsGzip(path)) ? createGunzip() : null;
  const extract = tar.extract();
  // Errors of the read or gunzip stage end the tar iteration below with that error.
  const fail = (e: Error): void => void extract.destroy(e);
  input.on('error', fail);
  if (gunzip) {
    gunzip.on('error', fail);
    input.pipe(gunzip).pipe(extract);
  } else {
    input.pipe(extract);
  }
  try {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const where = entry.header.type === 'file' ? parseEntryName(entry.header.name) : null;
      if (where) posts.push({ ...where, text: decoder.decode(Buffer.concat(chunks)) });
    }
  } catch (e) {
    throw new DataError(`${path}: corrupt or truncated archive (${(e as Error).message})`);
  } finally {
    input.destroy();
    gunzip?.destroy();
  }
  return posts;
}

async function readFolders(dir: string, decoder: TextFileDecoder): Promise<Post[]> {
  const posts: Post[] = [];
  for (const split of ['train', 'test'] as const) {
    const sub = join(dir, SPLIT_DIRS[split]);
    if (!(await stat(sub).catch(() => null))?.isDirectory()) {
      throw new DataError(`${dir}: expected the folders ${SPLIT_DIRS.train}/ and ${SPLIT_DIRS.test}/`);
    }
    for (const f of await readClassFolders(sub, decoder)) {
      posts.push({ split, group: f.label, id: f.path.slice(f.path.lastIndexOf('/') + 1), text: f.text });
    }
  }
  return posts;
}

export async function loadNewsgroups(path: string): Promise<TextDataset> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new DataError(`${path}: no such file or folder`);
  const decoder = new TextFileDecoder();
  const posts = st.isDirectory() ? await readFolders(path, decoder) : await readArchive(path, decoder);
  decoder.warn(path, 'posts');
  if (!posts.some((p) => p.split === 'train') || !posts.some((p) => p.split === 'test')) {
    throw new DataError(`${path}: not a 20news-bydate archive (no ${SPLIT_DIRS.train}/<group>/<id> and test posts)`);
  }
  posts.sort((a, b) => naturalOrder(a.group, b.group) || naturalOrder(a.id, b.id));
  const docs: TextDoc[] = posts.map((p) => ({
    text: stripMailHeaders(p.text),
    label: p.group,
    split: p.split,
    source: `${SPLIT_DIRS[p.split]}/${p.group}/${p.id}`,
  }));
  return assembleTextDataset(docs, { spec: '20news', name: '20news', where: path, seed: 0, testFraction: 0 });
}
