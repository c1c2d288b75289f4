/**
 * The encoder E (docs/model.md §1) built from a model config: the one construction SADSL's network and the
 * learned baselines' `EmbeddingNet` share ("the same encoder"), under the parameter prefix `enc.`.
 */
import type { ModelConfig } from '../config.js';
import { ArgumentError } from '../errors.js';
import { ImageEncoder } from './encoder-image.js';
import { TextEncoder } from './encoder-text.js';
import type { ParamStore } from './params.js';
import type { InputSpec } from './types.js';

/** Exactly one of the two is set, by the input's domain. */
export interface Encoders {
  imageEncoder: ImageEncoder | null;
  textEncoder: TextEncoder | null;
  /** Regions R per object. */
  regions: number;
}

export function createEncoder(store: ParamStore, config: ModelConfig, input: InputSpec): Encoders {
  if (input.domain === 'image') {
    const [c1, c2, c3] = config.imageChannels;
    if (c3 !== config.d) throw new ArgumentError(`imageChannels[2] (${c3}) must equal d (${config.d})`);
    const imageEncoder = new ImageEncoder(store, 'enc', { ...input, convChannels: [c1, c2, c3] });
    return { imageEncoder, textEncoder: null, regions: imageEncoder.regions };
  }
  const textEncoder = new TextEncoder(store, 'enc', {
    vocabSize: input.vocabSize,
    maxLength: input.maxLength,
    dim: config.d,
    kernel: config.docKernel,
    window: config.docWindow,
  });
  return { imageEncoder: null, textEncoder, regions: textEncoder.regions };
}
