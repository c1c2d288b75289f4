/**
 * Every retrieval method of `sadsl experiment` by id (docs/model.md §6.2): SADSL and its ablations, the non-learned
 * baselines and the learned ones. `methodsFor(domain)` lists the ids in results-table order.
 */
import type { ModelConfig, TrainConfig } from '../../config.js';
import { ArgumentError } from '../../errors.js';
import { createBaseline } from '../baselines/index.js';
import type { Method } from '../method.js';
import { LEARNED_IDS, LearnedMethod, type LearnedId } from './learned.js';
import { SADSL_VARIANTS, SadslMethod, type SadslId } from './sadsl.js';

const SADSL_IDS = Object.keys(SADSL_VARIANTS) as SadslId[];

/** Method ids for a domain: SADSL and ablations, raw, pca (images) / lsa (documents), learned baselines. */
export function methodsFor(domain: 'image' | 'text'): string[] {
  return [...SADSL_IDS, 'raw', domain === 'image' ? 'pca' : 'lsa', ...LEARNED_IDS];
}

export interface MethodOptions {
  /** Training budget of every learned method. */
  epochs: number;
  maxSteps?: number;
  /** Model config fields shared by SADSL and the learned baselines' encoder (and the tf-idf vocabulary size). */
  model?: Partial<ModelConfig>;
  /** Further SADSL training config fields. */
  train?: Partial<TrainConfig>;
  /** Run directory of a SADSL method (its model is saved in `<dir>/model`). */
  runDir?: (id: string) => string | undefined;
}

/** A fresh, unfitted method `id` for a domain. */
export function createMethod(id: string, domain: 'image' | 'text', opts: MethodOptions): Method {
  const ids = methodsFor(domain);
  if (!ids.includes(id)) {
    throw new ArgumentError(`unknown method "${id}" for ${domain === 'image' ? 'images' : 'documents'} (expected one of: ${ids.join(', ')})`);
  }
  if ((SADSL_IDS as string[]).includes(id)) {
    return new SadslMethod(id as SadslId, {
      model: opts.model,
      train: { ...opts.train, epochs: opts.epochs, ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) },
      out: opts.runDir?.(id),
    });
  }
  if ((LEARNED_IDS as readonly string[]).includes(id)) {
    return new LearnedMethod(id as LearnedId, {
      model: opts.model,
      epochs: opts.epochs,
      maxSteps: opts.maxSteps,
      P: opts.train?.P,
      M: opts.train?.M,
      // The optimiser settings of the protocol are shared: the baselines train with SADSL's learning rate and schedule.
      lr: opts.train?.lr,
      schedule:
        opts.train?.lrSchedule !== undefined ? { lrSchedule: opts.train.lrSchedule, warmupSteps: opts.train.warmupSteps ?? 0 } : undefined,
    });
  }
  return createBaseline(id, opts.model?.vocabSize !== undefined ? { vocabSize: opts.model.vocabSize } : {});
}
