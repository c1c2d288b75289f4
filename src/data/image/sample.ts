/**
 * `sample-images`: 2,000 train / 500 test Fashion-MNIST images, class-balanced, stored in the repo
 * as gzipped IDX files under `samples/images/` (made by `scripts/make-samples.ts`), so a fresh clone runs
 * the demo and tests without any download.
 */
import { samplePath } from '../paths.js';
import type { ImageDataset } from '../types.js';
import { FASHION_MNIST_CLASSES, loadMnistDir } from './mnist.js';

export const SAMPLE_IMAGES_DIR = samplePath('images');

export function loadSampleImages(): Promise<ImageDataset> {
  return loadMnistDir(SAMPLE_IMAGES_DIR, { name: 'sample-images', classes: FASHION_MNIST_CLASSES, spec: 'sample-images' });
}
