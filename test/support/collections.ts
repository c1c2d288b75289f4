/**
 * Generated user collections for the streaming tests and `bench/stream.ts`: a JSONL file of labelled documents
 * written line by line (the generator holds one document at a time), deterministic for a seed.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
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
