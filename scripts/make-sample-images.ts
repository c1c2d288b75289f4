/**
 * Makes `samples/images/` (`sample-images`): 200 training and 50 test images per class of
 * Fashion-MNIST, drawn with a fixed seed, written as gzipped IDX files in the standard names so the
 * MNIST-folder loader reads them. Source: the Debian package files (or `--from <dir>`).
 *
 *   npx tsx scripts/make-sample-images.ts [--from /usr/share/datasets/fashion-mnist]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '../src/engine/random.js';
import { encodeIdx } from '../src/data/image/idx.js';
import { FASHION_MNIST_CLASSES, loadMnistDir } from '../src/data/image/mnist.js';
import { SAMPLE_IMAGES_DIR } from '../src/data/image/sample.js';
import type { ImageSplit } from '../src/data/types.js';

const SEED = 20240601;
const PER_CLASS = { train: 200, t10k: 50 };

/** Indices of `perClass` objects of every class, drawn without replacement, in source order. */
function balanced(labels: Int32Array, perClass: number, rng: Rng): number[] {
  const byClass = new Map<number, number[]>();
  labels.forEach((c, i) => {
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  });
  const out: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    out.push(...(rng.shuffle(byClass.get(c)!) as number[]).slice(0, perClass));
  }
  return out.sort((a, b) => a - b);
}

function write(prefix: 'train' | 't10k', split: ImageSplit, idx: number[]): void {
  const per = split.height * split.width;
  const pixels = new Uint8Array(idx.length * per);
  idx.forEach((i, k) => pixels.set(split.pixels.subarray(i * per, (i + 1) * per), k * per));
  const labels = Uint8Array.from(idx, (i) => split.labels[i]);
  const files: [string, Uint8Array][] = [
    [`${prefix}-images-idx3-ubyte.gz`, encodeIdx([idx.length, split.height, split.width], pixels)],
    [`${prefix}-labels-idx1-ubyte.gz`, encodeIdx([idx.length], labels)],
  ];
  for (const [name, data] of files) {
    const gz = gzipSync(data, { level: 9 });
    writeFileSync(join(SAMPLE_IMAGES_DIR, name), gz);
    console.log(`${name}: ${idx.length} objects, ${gz.length} bytes`);
  }
}

const fromArg = process.argv.indexOf('--from');
const from = fromArg >= 0 ? process.argv[fromArg + 1] : '/usr/share/datasets/fashion-mnist';
const ds = await loadMnistDir(from, { name: 'fashion-mnist', classes: FASHION_MNIST_CLASSES, spec: 'fashion-mnist' });
const rng = new Rng(SEED);
mkdirSync(SAMPLE_IMAGES_DIR, { recursive: true });
write('train', ds.train, balanced(ds.train.labels, PER_CLASS.train, rng));
write('t10k', ds.test, balanced(ds.test.labels, PER_CLASS.t10k, rng));
