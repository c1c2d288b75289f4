/**
 * Baseline `raw` (docs/model.md §6.2): cosine similarity of the raw input. Images: pixels scaled to [0, 1] (not the
 * model's [-1, 1]) and L2-normalised, as the reference. Documents: tf-idf cosine (`tfidf-features.ts`).
 */
import type { Dataset, ImageSplit, Split } from '../../data/types.js';
import { ModelError } from '../../errors.js';
import type { Codes, FitOptions, Method } from '../method.js';
import { cosineNormalize } from '../retrieval.js';
import { TfIdfFeatures } from './tfidf-features.js';

/** Pixels of an image split as floats in [0, 1], [n, H·W·C]. */
export function unitPixels(split: ImageSplit): Float32Array {
  const out = new Float32Array(split.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = split.pixels[i] / 255;
  return out;
}

export class RawMethod implements Method {
  readonly id = 'raw';
  private fitted: { domain: 'image' } | { domain: 'text'; features: TfIdfFeatures } | null = null;

  /** `vocabSize`: words of the tf-idf vocabulary (documents only). */
  constructor(private readonly vocabSize: number) {}

  async fit(ds: Dataset, _opts: FitOptions): Promise<void> {
    this.fitted =
      ds.train.kind === 'image'
        ? { domain: 'image' }
        : { domain: 'text', features: TfIdfFeatures.fit(ds.train, this.vocabSize) };
  }

  async encode(split: Split): Promise<Codes> {
    if (this.fitted === null || this.fitted.domain !== split.kind) {
      throw new ModelError(`raw: encode() needs fit() on a ${split.kind} dataset first`);
    }
    if (split.kind === 'text' && this.fitted.domain === 'text') {
      return { kind: 'sparse', rows: this.fitted.features.transform(split) };
    }
    const images = split as ImageSplit;
    const dim = images.height * images.width * images.channels;
    return { kind: 'dense', codes: cosineNormalize(unitPixels(images), dim), dim };
  }
}
