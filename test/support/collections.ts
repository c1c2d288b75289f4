/**
 * Generated user collections for the streaming tests and `bench/stream.ts`: a JSONL file of labelled documents
 * written line by line (the generator holds one document at a time) and a folder of PNG files per class,
 * deterministic for a seed.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src/engine/random.js';

export interface JsonlCollection {
  docs: number;
  /** Words per document (each ~6 characters). */
  words: number;
  classes: number;
  seed?: number;
}

/**
 * Writes `docs` documents, class i % classes, each `words` words: a class's own 40 words half of the time, else
 * words of a shared 5,000-word pool (so the vocabulary has more words than a tiny model keeps).
 */
export async function writeJsonlCollection(file: string, c: JsonlCollection): Promise<void> {
  const rng = new Rng(c.seed ?? 0);
  const out = createWriteStream(file);
  for (let i = 0; i < c.docs; i++) {
    const label = i % c.classes;
    const words = new Array<string>(c.words);
    for (let w = 0; w < c.words; w++) words[w] = rng.next() < 0.5 ? `c${label}w${rng.int(40)}` : `pool${rng.int(5000)}`;
    if (!out.write(JSON.stringify({ text: words.join(' '), label: `class${label}` }) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export interface ImageCollection {
  images: number;
  classes: number;
  /** Side of the square RGB PNG files (they are decoded at the model's size). */
  side: number;
  seed?: number;
}

/** Writes `images` PNG files into one sub-folder per class (image i in class i % classes): noise on a class colour. */
export async function writeImageCollection(dir: string, c: ImageCollection): Promise<void> {
  const rng = new Rng(c.seed ?? 0);
  for (let k = 0; k < c.classes; k++) mkdirSync(join(dir, `class${k}`), { recursive: true });
  const pixels = Buffer.alloc(c.side * c.side * 3);
  for (let i = 0; i < c.images; i++) {
    const k = i % c.classes;
    for (let p = 0; p < pixels.length; p++) pixels[p] = ((k * 97 * ((p % 3) + 1)) % 256) / 2 + rng.int(128);
    await sharp(pixels, { raw: { width: c.side, height: c.side, channels: 3 } }).png().toFile(join(dir, `class${k}`, `${i}.png`));
  }
}
