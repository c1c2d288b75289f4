/**
 * SADSL and its ablations as `Method`s (docs/model.md §6.2): `sadsl` (full), `sadsl-no-attention` (uniform α),
 * `sadsl-no-adversarial` (no G/D) and `sadsl-no-topics` (pooled embedding g) — `train()` on the training
 * split, then `TrainedModel.encode`. The whole training split is trained on (no validation hold-out), like
 * the baselines, and the run (config, log, checkpoints, model/) is written to `out` when given; a run found
 * there is resumed (a finished one just loads).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ModelConfig, TrainConfig, Variant } from '../../config.js';
import type { Dataset, Split } from '../../data/types.js';
import { ModelError } from '../../errors.js';
import { train } from '../../train/train.js';
import type { TrainedModel } from '../../train/trained-model.js';
import type { Codes, FitOptions, Method } from '../method.js';

export const SADSL_VARIANTS = {
  sadsl: 'full',
  'sadsl-no-attention': 'no-attention',
  'sadsl-no-adversarial': 'no-adversarial',
  'sadsl-no-topics': 'no-topics',
} as const satisfies Record<string, Variant>;
export type SadslId = keyof typeof SADSL_VARIANTS;

export interface SadslOptions {
  /** Model config fields (the variant is the method's). */
  model?: Partial<ModelConfig>;
  /** Training config fields (epochs, maxSteps, …; the seed and validation size are the method's). */
  train?: Partial<TrainConfig>;
  /** Run directory of the training. */
  out?: string;
}

export class SadslMethod implements Method {
  private model: TrainedModel | null = null;

  constructor(
    readonly id: SadslId,
    private readonly opts: SadslOptions = {},
  ) {}

  /** Seconds the training took (over resumed parts too). */
  trainSeconds = 0;

  async fit(ds: Dataset, opts: FitOptions): Promise<void> {
    this.dispose();
    // A run already in `out` (finished, or killed mid-way) is continued, not retrained.
    const resume = this.opts.out !== undefined && existsSync(path.join(this.opts.out, 'config.json'));
    const r = await train({
      resume,
      dataset: ds,
      model: { ...this.opts.model, variant: SADSL_VARIANTS[this.id] },
      train: { ...this.opts.train, seed: opts.seed, validationSize: 0 },
      out: this.opts.out,
      onEvent: (e) => {
        if (e.type === 'step') opts.onProgress?.(e.step, e.totalSteps, 'steps');
      },
    });
    this.model = r.model;
    this.trainSeconds = r.seconds;
  }

  /** The trained model after `fit` (for explanations), else null. */
  get trained(): TrainedModel | null {
    return this.model;
  }

  async encode(split: Split): Promise<Codes> {
    if (this.model === null) throw new ModelError(`${this.id}: encode() needs fit() first`);
    return this.model.encode({ split });
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
