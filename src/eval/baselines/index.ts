/**
 * The non-learned baselines by method id (docs/model.md §6.2): `raw` for both domains, `pca` for images, `lsa` for
 * documents. Learned methods register their own factories next to these.
 */
import { modelConfigSchema, parseConfig } from '../../config.js';
import { ArgumentError } from '../../errors.js';
import type { Method } from '../method.js';
import { LsaMethod } from './lsa.js';
import { PcaMethod } from './pca.js';
import { RawMethod } from './raw.js';

export const BASELINE_IDS = ['raw', 'pca', 'lsa'] as const;
export type BaselineId = (typeof BASELINE_IDS)[number];

export interface BaselineOptions {
  /** Dimensions kept by `pca` / `lsa` (default `BASELINE_DEFAULTS.dims`). */
  dims?: number;
  /** Words of the tf-idf vocabulary (default: the model's vocabulary size, 20,000). */
  vocabSize?: number;
}

/** A fresh, unfitted baseline. */
export function createBaseline(id: string, opts: BaselineOptions = {}): Method {
  const vocabSize = opts.vocabSize ?? parseConfig(modelConfigSchema, {}, 'model config').vocabSize;
  switch (id) {
    case 'raw':
      return new RawMethod(vocabSize);
    case 'pca':
      return new PcaMethod(opts.dims);
    case 'lsa':
      return new LsaMethod(vocabSize, opts.dims);
    default:
      throw new ArgumentError(`unknown baseline "${id}" (expected one of: ${BASELINE_IDS.join(', ')})`);
  }
}
