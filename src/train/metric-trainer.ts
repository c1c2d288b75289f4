/**
 * The training loop of the learned baselines: the same sampler and budget as SADSL's (docs/model.md §5:
 * P×M class-balanced batches, one epoch = floor(n / (P·M)) steps, Adam with SADSL's lr and β1, `ADAM_DEFAULTS`),
 * one loss on the embeddings of `EmbeddingNet`. No validation, checkpoints or logs: the experiment trains
 * every method once and evaluates it afterwards.
 */
import { ADAM_DEFAULTS, trainConfigSchema } from '../config.js';
import type { Split } from '../data/types.js';
import { ClassBalancedSampler } from '../data/sampler.js';
import * as tf from '../engine/tf.js';
import { disposeInputs } from '../model/inputs.js';
import type { EmbeddingNet } from './embedding-net.js';
import type { Preprocessor } from './preprocess.js';
import { lrFactor, setLearningRate, type ScheduleArgs } from './schedule.js';
import { yieldToEventLoop } from '../engine/event-loop.js';

/** SADSL's training defaults: the baselines' P, M, lr and β1 unless given. */
const SADSL_TRAIN = trainConfigSchema.parse({});

/** What a baseline minimises. */
export interface MetricObjective {
  /** Trainable variables besides the network's (e.g. a classifier head). */
  variables: tf.Variable[];
  /** The loss of a batch of embeddings [B, d] with labels [B]; called on the gradient tape. */
  loss(embeddings: tf.Tensor2D, labels: Int32Array): tf.Scalar;
}

export interface MetricTrainOptions {
  epochs: number;
  /** Cap on steps (for smoke runs). */
  maxSteps?: number;
  seed: number;
  P?: number;
  M?: number;
  lr?: number;
  /** Learning-rate schedule (default constant), as SADSL's. */
  schedule?: ScheduleArgs;
  onStep?: (step: number, totalSteps: number, loss: number) => void;
}

export interface MetricTrainResult {
  steps: number;
  stepsPerEpoch: number;
  /** Mean loss of the last epoch's steps (or of all steps when fewer). */
  lastLoss: number;
}

/** Trains `net` (and the objective's variables) on the objects of `split` with their labels. */
export async function trainMetric(
  net: EmbeddingNet,
  pre: Preprocessor,
  split: Split,
  objective: MetricObjective,
  opts: MetricTrainOptions,
): Promise<MetricTrainResult> {
  const sampler = new ClassBalancedSampler(split.labels, { P: opts.P ?? SADSL_TRAIN.P, M: opts.M ?? SADSL_TRAIN.M, seed: opts.seed });
  const stepsPerEpoch = sampler.batchesPerEpoch;
  const totalSteps = Math.max(1, Math.min(opts.maxSteps ?? Infinity, Math.round(opts.epochs * stepsPerEpoch)));
  const vars = [...net.trainable(), ...objective.variables];
  const lr = opts.lr ?? SADSL_TRAIN.lr;
  const optimizer = tf.train.adam(lr, SADSL_TRAIN.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
  const recent: number[] = [];
  try {
    for (let step = 1; step <= totalSteps; step++) {
      if (opts.schedule) setLearningRate(optimizer, lr * lrFactor(opts.schedule, step, totalSteps));
      const batch = sampler.next();
      const labels = Int32Array.from(batch, (i) => split.labels[i]);
      const x = pre.inputs(split, batch);
      const { value, grads } = tf.variableGrads(() => objective.loss(net.embed(x, true), labels), vars);
      disposeInputs(x);
      // Adam keys its moments by position: pass the variables in their fixed order, skipping unreached ones.
      optimizer.applyGradients(vars.filter((v) => grads[v.name]).map((v) => ({ name: v.name, tensor: grads[v.name] })));
      const loss = (await value.data())[0];
      tf.dispose([value, ...Object.values(grads)]);
      recent.push(loss);
      if (recent.length > stepsPerEpoch) recent.shift();
      opts.onStep?.(step, totalSteps, loss);
      // Let progress output and other tasks run between steps.
      await yieldToEventLoop();
    }
  } finally {
    optimizer.dispose();
  }
  return { steps: totalSteps, stepsPerEpoch, lastLoss: recent.reduce((s, v) => s + v, 0) / recent.length };
}
