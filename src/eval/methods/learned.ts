/**
 * The learned baselines (docs/model.md §6.2): `contrastive`, `triplet` (semi-hard mining), `multi-similarity` and
 * `softmax` (classifier embedding). All share SADSL's encoder (`EmbeddingNet`: E + mean pooling + L2
 * normalisation), its P×M sampler and budget (`trainMetric`); they differ only in the loss. Codes are the
 * unit-norm embeddings g, so the retrieval score is cosine similarity.
 */
import { modelConfigSchema, parseConfig, type ModelConfig } from '../../config.js';
import type { Dataset, Split } from '../../data/types.js';
import { Rng } from '../../engine/random.js';
import * as tf from '../../engine/tf.js';
import { ModelError } from '../../errors.js';
import { disposeInputs } from '../../model/inputs.js';
import { Dense } from '../../model/layers.js';
import { ParamStore } from '../../model/params.js';
import { EmbeddingNet } from '../../train/embedding-net.js';
import { contrastiveLoss } from '../../train/losses/metric/contrastive.js';
import { multiSimilarityLoss } from '../../train/losses/metric/multi-similarity.js';
import { softmaxLoss } from '../../train/losses/metric/softmax.js';
import { tripletLoss } from '../../train/losses/metric/triplet.js';
import { trainMetric, type MetricObjective } from '../../train/metric-trainer.js';
import { Preprocessor } from '../../train/preprocess.js';
import type { ScheduleArgs } from '../../train/schedule.js';
import type { Codes, FitOptions, Method } from '../method.js';

export const LEARNED_IDS = ['contrastive', 'triplet', 'multi-similarity', 'softmax'] as const;
export type LearnedId = (typeof LEARNED_IDS)[number];

/** Temperature τ of the softmax classifier: g is unit-norm, so logits = (g W + b) / τ (as NormSoftmax). */
const SOFTMAX_TEMPERATURE = 0.05;
/** Objects per forward pass when encoding. */
const ENCODE_BATCH = 256;

export interface LearnedOptions {
  /** Encoder fields of the model config (the same as SADSL's; defaults: the spec's). */
  model?: Partial<ModelConfig>;
  epochs: number;
  maxSteps?: number;
  /** Batch shape P × M (default: SADSL's, `TrainConfig`). */
  P?: number;
  M?: number;
  /** Adam learning rate and its schedule (defaults: SADSL's lr, constant). */
  lr?: number;
  schedule?: ScheduleArgs;
}

/** The loss of a method, with the variables it adds (the softmax classifier) and their disposal. */
function objectiveFor(id: LearnedId, dim: number, classes: number, seed: number): MetricObjective & { dispose(): void } {
  switch (id) {
    case 'contrastive':
      return { variables: [], loss: (g, y) => contrastiveLoss(g, y), dispose: () => undefined };
    case 'triplet':
      return { variables: [], loss: (g, y) => tripletLoss(g, y), dispose: () => undefined };
    case 'multi-similarity':
      return { variables: [], loss: (g, y) => multiSimilarityLoss(g, y), dispose: () => undefined };
    case 'softmax': {
      const store = new ParamStore(new Rng(seed ^ 0x50f7));
      const classifier = new Dense(store, 'classifier', { inDim: dim, outDim: classes });
      return {
        variables: store.trainable(['classifier.']),
        loss: (g, y) => tf.tidy(() => softmaxLoss(tf.div(classifier.apply(g), SOFTMAX_TEMPERATURE) as tf.Tensor2D, y)),
        dispose: () => store.dispose(),
      };
    }
  }
}

export class LearnedMethod implements Method {
  private fitted: { net: EmbeddingNet; pre: Preprocessor } | null = null;

  constructor(
    readonly id: LearnedId,
    private readonly opts: LearnedOptions,
  ) {}

  async fit(ds: Dataset, opts: FitOptions): Promise<void> {
    this.dispose();
    const config = parseConfig(modelConfigSchema, this.opts.model ?? {}, 'model config');
    const pre = Preprocessor.fit(ds.train, config.vocabSize, config.maxLength);
    const net = new EmbeddingNet(config, pre.input, opts.seed);
    if (ds.domain === 'text' && config.docCentring === 'data') {
      // The same data-dependent initialisation as SADSL's document encoder, on as many training documents.
      const all = Int32Array.from({ length: ds.train.n }, (_, i) => i);
      const x = pre.inputs(ds.train, new Rng(opts.seed ^ 0xce47).sample(all, config.kmeansObjects));
      net.centre(x);
      disposeInputs(x);
    }
    const objective = objectiveFor(this.id, net.dim, ds.classes.length, opts.seed);
    try {
      await trainMetric(net, pre, ds.train, objective, {
        epochs: this.opts.epochs,
        maxSteps: this.opts.maxSteps,
        seed: opts.seed,
        P: this.opts.P,
        M: this.opts.M,
        lr: this.opts.lr,
        schedule: this.opts.schedule,
        onStep: (step, total) => opts.onProgress?.(step, total, 'steps'),
      });
    } catch (e) {
      net.dispose();
      throw e;
    } finally {
      objective.dispose();
    }
    this.fitted = { net, pre };
  }

  async encode(split: Split): Promise<Codes> {
    if (this.fitted === null) throw new ModelError(`${this.id}: encode() needs fit() first`);
    const { net, pre } = this.fitted;
    const codes = new Float32Array(split.n * net.dim); // [n, d]
    for (let start = 0; start < split.n; start += ENCODE_BATCH) {
      const end = Math.min(split.n, start + ENCODE_BATCH);
      const x = pre.inputs(split, Int32Array.from({ length: end - start }, (_, i) => start + i));
      const g = net.embed(x, false); // [b, d]
      disposeInputs(x);
      codes.set((await g.data()) as Float32Array, start * net.dim);
      g.dispose();
    }
    return { kind: 'dense', codes, dim: net.dim };
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.fitted?.net.dispose();
    this.fitted = null;
  }
}
