/** Small dataset files written by the tests themselves (IDX, CIFAR batches) in temporary directories. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../../src/data/image/idx.js';

export function tempDir(prefix = 'sadsl-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic pixels: image i, pixel p has value (7i + p) mod 256. */
export function pixelsFor(n: number, per: number): Uint8Array {
  return Uint8Array.from({ length: n * per }, (_, k) => (7 * Math.floor(k / per) + (k % per)) % 256);
}

/** Writes the four standard IDX files (gzipped or not) of a tiny MNIST-like dataset into `dir`. */
export function writeMnistDir(
  dir: string,
  opts: { train: number; test: number; side?: number; gzip?: boolean; numClasses?: number },
): { trainLabels: Uint8Array; testLabels: Uint8Array } {
  const side = opts.side ?? 4;
  const k = opts.numClasses ?? 10;
  const out = { trainLabels: new Uint8Array(), testLabels: new Uint8Array() };
  for (const [prefix, n] of [['train', opts.train], ['t10k', opts.test]] as const) {
    const labels = Uint8Array.from({ length: n }, (_, i) => i % k);
    const files: [string, Uint8Array][] = [
      [`${prefix}-images-idx3-ubyte`, encodeIdx([n, side, side], pixelsFor(n, side * side))],
      [`${prefix}-labels-idx1-ubyte`, encodeIdx([n], labels)],
    ];
    for (const [name, data] of files) {
      if (opts.gzip) writeFileSync(join(dir, `${name}.gz`), gzipSync(data));
      else writeFileSync(join(dir, name), data);
    }
    if (prefix === 'train') out.trainLabels = labels;
    else out.testLabels = labels;
  }
  return out;
}

/** One CIFAR record per label: label byte, then R, G, B planes of 32×32 with R = i, G = p mod 256, B = 255 - i. */
export function cifarBatch(labels: number[]): Uint8Array {
  const rec = 1 + 3 * 1024;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((c, i) => {
    out[i * rec] = c;
    for (let p = 0; p < 1024; p++) {
      out[i * rec + 1 + p] = i % 256;
      out[i * rec + 1 + 1024 + p] = p % 256;
      out[i * rec + 1 + 2048 + p] = 255 - (i % 256);
    }
  });
  return out;
}
