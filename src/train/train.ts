/**
 * The training loop (docs/model.md §5.6): P×M class-balanced batches, the joint step, per-epoch validation mAP on a
 * held-out slice of the training split, a JSONL metrics log and atomic checkpoints. `resume` continues the
 * last checkpoint and reaches the same weights as an uninterrupted run with the same seed.
 *
 * Run directory: config.json, metrics.jsonl, checkpoints/, model/ (the final saved model).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  modelConfigSchema,
  resolveConfigs,
  parseConfig,
  trainConfigSchema,
  type ModelConfig,
  type TrainConfig,
} from '../config.js';
import { loadDataset } from '../data/registry.js';
import { ClassBalancedSampler } from '../data/sampler.js';
import type { Dataset } from '../data/types.js';
import { Rng } from '../engine/random.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import { disposeInputs } from '../model/inputs.js';
import { SadslModel } from '../model/sadsl.js';
import { loadCheckpoint, saveCheckpoint, type LoopState } from './checkpoint.js';
import { JointTrainer, type StepLosses } from './joint-step.js';
import { Preprocessor } from './preprocess.js';
import { TrainedModel, type Objects } from './trained-model.js';
import type { RetrievalMetrics, TopicUsage, Validator } from './validation.js';
import { writeFileAtomic } from './weights-file.js';

export interface TrainOptions {
  /** A dataset spec (`fashion-mnist`, `20news`, `images:/dir`, …) or a loaded dataset. */
  dataset: string | Dataset;
  /** Model config fields (defaults: the spec's; see `config.ts`). */
  model?: Partial<ModelConfig>;
  /** Training config fields (defaults: the spec's). */
  train?: Partial<TrainConfig>;
  /** Run directory (config, metrics log, checkpoints, final model). Without it nothing is written. */
  out?: string;
  /** Continue the last checkpoint in `out`. */
  resume?: boolean;
  /**
   * Per-epoch validation of the held-out objects (`train.validationSize` of them), e.g. eval's
   * `retrievalValidation`. Without it they are held out all the same (the model does not depend on whether it
   * is validated) and the epoch records carry `validation: null`.
   */
  validate?: Validator;
  onEvent?: (e: TrainEvent) => void;
}

export type TrainEvent =
  | { type: 'start'; totalSteps: number; stepsPerEpoch: number; startStep: number; trainObjects: number; validationObjects: number }
  | { type: 'step'; step: number; totalSteps: number; epoch: number; losses: StepLosses; objectsPerSecond: number }
  | { type: 'epoch'; epoch: number; step: number; validation: RetrievalMetrics | null; topicUsage: TopicUsage | null }
  | { type: 'checkpoint'; step: number; dir: string };

export interface TrainResult {
  model: TrainedModel;
  runDir: string | null;
  /** Steps run by this call (0 when resuming a finished run). */
  steps: number;
  /** Wall-clock seconds of the whole run, resumed parts included. */
  seconds: number;
  /** Training throughput, objects per second (steps only, without validation and checkpoints). */
  objectsPerSecond: number;
  lastValidation: RetrievalMetrics | null;
}

interface RunConfig {
  dataset: string;
  model: ModelConfig;
  train: TrainConfig;
}

/** Splits the training split into training objects and a seeded validation slice. */
function holdOut(n: number, size: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const v = Math.min(size, Math.floor(n / 5));
  const perm = new Rng(seed ^ 0x5eed).shuffle(Int32Array.from({ length: n }, (_, i) => i)) as Int32Array;
  return { validation: perm.slice(0, v).sort(), train: perm.slice(v).sort() };
}

async function appendLog(file: string | null, record: object): Promise<void> {
  if (file) await fs.appendFile(file, JSON.stringify(record) + '\n');
}

/** Trains SADSL on a dataset; see `TrainOptions`. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const runDir = opts.out ?? null;
  const configFile = runDir ? path.join(runDir, 'config.json') : null;
  let run: RunConfig;
  if (opts.resume) {
    if (!configFile || !existsSync(configFile)) throw new ArgumentError(`--resume: no run found in ${runDir ?? '(no --out given)'}`);
    run = JSON.parse(await fs.readFile(configFile, 'utf8')) as RunConfig;
    // A resumed run may be extended; everything else stays as it was.
    const { epochs, maxSteps } = opts.train ?? {};
    // A run from before spec v3 has no model.spec: the schema's default (v2) is what it ran.
    run.model = parseConfig(modelConfigSchema, run.model, 'model config');
    run.train = parseConfig(trainConfigSchema, { ...run.train, ...(epochs !== undefined ? { epochs } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}) }, 'training config');
    await writeFileAtomic(configFile, JSON.stringify(run, null, 2));
  } else {
    run = {
      dataset: typeof opts.dataset === 'string' ? opts.dataset : opts.dataset.spec,
      ...resolveConfigs(opts.model, opts.train),
    };
  }
  const tc = run.train;
  const ds = typeof opts.dataset === 'string' || opts.resume ? await loadDataset(run.dataset, { seed: tc.seed }) : opts.dataset;
  const { train: trainIdx, validation: valIdx } = holdOut(ds.train.n, tc.validationSize, tc.seed);
  const trainLabels = Int32Array.from(trainIdx, (i) => ds.train.labels[i]);
  const sampler = new ClassBalancedSampler(trainLabels, { P: tc.P, M: tc.M, seed: tc.seed });
  const stepsPerEpoch = sampler.batchesPerEpoch;
  const totalSteps = Math.max(1, Math.min(tc.maxSteps ?? Infinity, Math.round(tc.epochs * stepsPerEpoch)));
  const rng = new Rng(tc.seed);
  const ckptRoot = runDir ? path.join(runDir, 'checkpoints') : null;
  const logFile = runDir ? path.join(runDir, 'metrics.jsonl') : null;

  let model: TrainedModel;
  let trainer: JointTrainer;
  let startStep = 0;
  let priorSeconds = 0;
  if (opts.resume && ckptRoot && existsSync(path.join(ckptRoot, 'latest.json'))) {
    const ck = await loadCheckpoint(ckptRoot);
    model = ck.model;
    trainer = new JointTrainer(model.net, tc, rng);
    await trainer.setState(ck.optimizer);
    tf.dispose(Object.values(ck.optimizer));
    sampler.setState(ck.loop.sampler);
    rng.setState(ck.loop.rng);
    startStep = ck.loop.step;
    priorSeconds = ck.loop.seconds ?? 0;
  } else {
    const pre = Preprocessor.fit(ds.train, run.model.vocabSize, run.model.maxLength);
    const net = SadslModel.create(run.model, pre.input, tc.seed, ds.classes.length);
    model = new TrainedModel(net, pre, { spec: run.dataset, name: ds.name, domain: ds.domain, classes: ds.classes });
    const kmeans = run.model.topicInit === 'kmeans' && run.model.variant !== 'no-topics';
    const centre = ds.domain === 'text' && run.model.docCentring === 'data';
    if (kmeans || centre) {
      const x = pre.inputs(ds.train, rng.sample(trainIdx, run.model.kmeansObjects));
      net.centreFeatures(x);
      if (kmeans) net.initTopics(x, rng);
      disposeInputs(x);
    }
    trainer = new JointTrainer(net, tc, rng);
    if (runDir) {
      await fs.mkdir(runDir, { recursive: true });
      await writeFileAtomic(configFile!, JSON.stringify(run, null, 2));
      await fs.writeFile(logFile!, '');
    }
  }

  const t0 = performance.now();
  const elapsed = (): number => priorSeconds + (performance.now() - t0) / 1000;
  // With checkpoints, a run's duration is the one its last checkpoint records, so a resumed finished run reports it too.
  let checkpointSeconds = priorSeconds;
  const checkpoint = async (step: number): Promise<void> => {
    if (!ckptRoot) return;
    const state = await trainer.getState();
    checkpointSeconds = elapsed();
    const loop: LoopState = { step, seconds: checkpointSeconds, sampler: sampler.getState(), rng: rng.getState() };
    const dir = await saveCheckpoint(ckptRoot, model, state, loop);
    tf.dispose(Object.values(state));
    opts.onEvent?.({ type: 'checkpoint', step, dir });
  };

  opts.onEvent?.({ type: 'start', totalSteps, stepsPerEpoch, startStep, trainObjects: trainIdx.length, validationObjects: valIdx.length });
  const B = tc.P * tc.M;
  const acc: Record<string, number> = {};
  let nAcc = 0;
  // Throughput counts step time only (not validation or checkpoints): over the run and per logging window.
  let stepSeconds = 0;
  let windowSeconds = 0;
  let lastValidation: RetrievalMetrics | null = null;
  for (let step = startStep + 1; step <= totalSteps; step++) {
    const ts = performance.now();
    const batch = sampler.next();
    const rows = Int32Array.from(batch, (i) => trainIdx[i]);
    const x = model.inputs({ split: ds.train, indices: rows } satisfies Objects);
    trainer.setSchedule(step, totalSteps);
    const losses = trainer.step(x, Int32Array.from(batch, (i) => trainLabels[i]));
    disposeInputs(x);
    const dt = (performance.now() - ts) / 1000;
    stepSeconds += dt;
    windowSeconds += dt;
    for (const [k, v] of Object.entries(losses)) acc[k] = (acc[k] ?? 0) + v;
    nAcc++;
    const epoch = Math.ceil(step / stepsPerEpoch);
    if (step % tc.logEvery === 0 || step === totalSteps) {
      const mean = Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, v / nAcc])) as unknown as StepLosses;
      const objectsPerSecond = (nAcc * B) / windowSeconds;
      await appendLog(logFile, { type: 'step', step, epoch, ...mean, objectsPerSecond, seconds: elapsed() });
      opts.onEvent?.({ type: 'step', step, totalSteps, epoch, losses: mean, objectsPerSecond });
      for (const k of Object.keys(acc)) delete acc[k];
      nAcc = 0;
      windowSeconds = 0;
    }
    const epochEnd = step % stepsPerEpoch === 0 || step === totalSteps;
    if (epochEnd) {
      let usage: TopicUsage | null = null;
      if (valIdx.length > 1 && opts.validate) {
        const v = await opts.validate(model, ds.train, valIdx);
        lastValidation = v.metrics;
        usage = v.usage;
      }
      await appendLog(logFile, { type: 'epoch', epoch, step, validation: lastValidation, topicUsage: usage });
      opts.onEvent?.({ type: 'epoch', epoch, step, validation: lastValidation, topicUsage: usage });
    }
    if (epochEnd || step % tc.checkpointEvery === 0) {
      await checkpoint(step);
    }
  }
  trainer.dispose();
  if (runDir) await model.save(path.join(runDir, 'model'));
  const steps = totalSteps - startStep;
  return {
    model,
    runDir,
    steps,
    seconds: ckptRoot ? checkpointSeconds : elapsed(),
    objectsPerSecond: stepSeconds > 0 ? (steps * B) / stepSeconds : 0,
    lastValidation,
  };
}
