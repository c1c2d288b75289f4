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
  topicCount,
  parseConfig,
  trainConfigSchema,
  type ModelConfig,
  type TrainConfig,
} from '../config.js';
import { range, residentDatasetReader } from '../data/reader.js';
import { openDataset } from '../data/registry.js';
import { ClassBalancedSampler } from '../data/sampler.js';
import type { Dataset, DatasetReader } from '../data/types.js';
import { Rng } from '../engine/random.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import { disposeInputs } from '../model/inputs.js';
import { SadslModel } from '../model/sadsl.js';
import { loadCheckpoint, saveCheckpoint, type LoopState } from './checkpoint.js';
import { JointTrainer, type StepLosses } from './joint-step.js';
import { Preprocessor } from './preprocess.js';
import { TrainedModel } from './trained-model.js';
import type { RetrievalMetrics, TopicUsage, Validator } from './validation.js';
import { writeFileAtomic } from './weights-file.js';
import { yieldToEventLoop } from '../engine/event-loop.js';

export interface TrainOptions {
  /**
   * A dataset spec (`fashion-mnist`, `20news`, `images:/dir`, …; user collections are streamed a batch at a time,
   * see `openDataset`) or a loaded dataset.
   */
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
  /** Before the first step, over a streamed collection: its first pass (`scan`: image files, or a JSONL file's bytes), the vocabulary's. */
  | { type: 'prepare'; stage: 'scan' | 'vocabulary'; done: number; total: number }
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
  const perm = new Rng(seed ^ 0x5eed).shuffle(range(0, n)) as Int32Array;
  return { validation: perm.slice(0, v).sort(), train: perm.slice(v).sort() };
}

async function appendLog(file: string | null, record: object): Promise<void> {
  if (file) await fs.appendFile(file, JSON.stringify(record) + '\n');
}

/** Where a run writes: nothing without `out`. */
interface RunFiles {
  runDir: string | null;
  configFile: string | null;
  logFile: string | null;
  ckptRoot: string | null;
}

function runFiles(out: string | undefined): RunFiles {
  const runDir = out ?? null;
  const at = (name: string): string | null => (runDir ? path.join(runDir, name) : null);
  return { runDir, configFile: at('config.json'), logFile: at('metrics.jsonl'), ckptRoot: at('checkpoints') };
}

/** The run's configs: a new run's from the options; a resumed run's from its config.json, optionally extended. */
async function runConfig(opts: TrainOptions, files: RunFiles): Promise<RunConfig> {
  if (!opts.resume) {
    return { dataset: typeof opts.dataset === 'string' ? opts.dataset : opts.dataset.spec, ...resolveConfigs(opts.model, opts.train) };
  }
  const { configFile } = files;
  if (!configFile || !existsSync(configFile)) throw new ArgumentError(`--resume: no run found in ${files.runDir ?? '(no --out given)'}`);
  const run = JSON.parse(await fs.readFile(configFile, 'utf8')) as RunConfig;
  // A resumed run may be extended; everything else stays as it was.
  const { epochs, maxSteps } = opts.train ?? {};
  // A run from before spec v3 has no model.spec: the schema's default (v2) is what it ran.
  run.model = parseConfig(modelConfigSchema, run.model, 'model config');
  run.train = parseConfig(trainConfigSchema, { ...run.train, ...(epochs !== undefined ? { epochs } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}) }, 'training config');
  await writeFileAtomic(configFile, JSON.stringify(run, null, 2));
  return run;
}

/** The objects trained on (the training split minus the validation slice) and the batches drawn from them. */
interface Plan {
  trainIdx: Int32Array;
  valIdx: Int32Array;
  trainLabels: Int32Array;
  sampler: ClassBalancedSampler;
  stepsPerEpoch: number;
  totalSteps: number;
}

function plan(ds: DatasetReader, tc: TrainConfig): Plan {
  const { train: trainIdx, validation: valIdx } = holdOut(ds.train.n, tc.validationSize, tc.seed);
  const trainLabels = Int32Array.from(trainIdx, (i) => ds.train.labels[i]);
  const sampler = new ClassBalancedSampler(trainLabels, { P: tc.P, M: tc.M, seed: tc.seed });
  const stepsPerEpoch = sampler.batchesPerEpoch;
  const totalSteps = Math.max(1, Math.min(tc.maxSteps ?? Infinity, Math.round(tc.epochs * stepsPerEpoch)));
  return { trainIdx, valIdx, trainLabels, sampler, stepsPerEpoch, totalSteps };
}

/** A model and its optimiser state, where the loop starts. */
interface Start {
  model: TrainedModel;
  trainer: JointTrainer;
  startStep: number;
  priorSeconds: number;
}

/** Continues the last checkpoint: weights, optimiser moments, sampler and rng exactly as they were saved. */
async function resumeFrom(ckptRoot: string, tc: TrainConfig, p: Plan, rng: Rng): Promise<Start> {
  const ck = await loadCheckpoint(ckptRoot);
  const trainer = new JointTrainer(ck.model.net, tc, rng);
  await trainer.setState(ck.optimizer);
  tf.dispose(Object.values(ck.optimizer));
  p.sampler.setState(ck.loop.sampler);
  rng.setState(ck.loop.rng);
  return { model: ck.model, trainer, startStep: ck.loop.step, priorSeconds: ck.loop.seconds ?? 0 };
}

/**
 * A fresh model: the preprocessor fitted on the training split, weights from the seed, then on a sample of the
 * training objects the document encoder's centring (docs/model.md §1.3) and the k-means topic init (§3.3).
 */
async function initialise(run: RunConfig, ds: DatasetReader, p: Plan, rng: Rng, files: RunFiles, onEvent?: (e: TrainEvent) => void): Promise<Start> {
  const tc = run.train;
  const pre = await Preprocessor.fitReader(ds.train, run.model.vocabSize, run.model.maxLength, (done, total) => onEvent?.({ type: 'prepare', stage: 'vocabulary', done, total }));
  const net = SadslModel.create(run.model, pre.input, tc.seed, ds.classes.length);
  const model = new TrainedModel(net, pre, { spec: run.dataset, name: ds.name, domain: ds.domain, classes: ds.classes });
  const kmeans = run.model.topicInit === 'kmeans' && run.model.variant !== 'no-topics';
  const centre = ds.domain === 'text' && run.model.docCentring === 'data';
  if (kmeans || centre) {
    const x = model.inputs(await ds.train.read(rng.sample(p.trainIdx, run.model.kmeansObjects)));
    net.centreFeatures(x);
    if (kmeans) net.initTopics(x, rng);
    disposeInputs(x);
  }
  const trainer = new JointTrainer(net, tc, rng);
  if (files.runDir) {
    await fs.mkdir(files.runDir, { recursive: true });
    await writeFileAtomic(files.configFile!, JSON.stringify(run, null, 2));
    await fs.writeFile(files.logFile!, '');
  }
  return { model, trainer, startStep: 0, priorSeconds: 0 };
}

/** Losses and step time summed over a logging window; `flush` gives their means and starts the next window. */
class LossWindow {
  private readonly sums: Record<string, number> = {};
  private steps = 0;
  private seconds = 0;

  add(losses: StepLosses, seconds: number): void {
    for (const [k, v] of Object.entries(losses)) this.sums[k] = (this.sums[k] ?? 0) + v;
    this.steps++;
    this.seconds += seconds;
  }

  flush(batchSize: number): { mean: StepLosses; objectsPerSecond: number } {
    const mean = Object.fromEntries(Object.entries(this.sums).map(([k, v]) => [k, v / this.steps])) as unknown as StepLosses;
    const objectsPerSecond = (this.steps * batchSize) / this.seconds;
    for (const k of Object.keys(this.sums)) delete this.sums[k];
    this.steps = 0;
    this.seconds = 0;
    return { mean, objectsPerSecond };
  }
}

/** Trains SADSL on a dataset; see `TrainOptions`. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const files = runFiles(opts.out);
  const { runDir, logFile, ckptRoot } = files;
  const run = await runConfig(opts, files);
  const tc = run.train;
  const onProgress = (done: number, total: number): void => opts.onEvent?.({ type: 'prepare', stage: 'scan', done, total });
  const ds = typeof opts.dataset === 'string' || opts.resume ? await openDataset(run.dataset, { seed: tc.seed, onProgress }) : residentDatasetReader(opts.dataset);
  // Class-assigned topics may fix K by the class count (config.ts topicCount); a resumed run keeps its K.
  if (!opts.resume) run.model = { ...run.model, K: topicCount(run.model, tc, ds.classes.length, ds.domain) };
  const p = plan(ds, tc);
  const { trainIdx, valIdx, trainLabels, sampler, stepsPerEpoch, totalSteps } = p;
  const rng = new Rng(tc.seed);
  const resuming = opts.resume && ckptRoot && existsSync(path.join(ckptRoot, 'latest.json'));
  const { model, trainer, startStep, priorSeconds } = resuming ? await resumeFrom(ckptRoot, tc, p, rng) : await initialise(run, ds, p, rng, files, opts.onEvent);

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
  const validateEpoch = async (epoch: number, step: number, last: RetrievalMetrics | null): Promise<RetrievalMetrics | null> => {
    let usage: TopicUsage | null = null;
    if (valIdx.length > 1 && opts.validate) {
      const o = await ds.train.read(valIdx);
      const v = await opts.validate(model, o.split, o.indices ? Int32Array.from(o.indices) : range(0, valIdx.length));
      last = v.metrics;
      usage = v.usage;
    }
    await appendLog(logFile, { type: 'epoch', epoch, step, validation: last, topicUsage: usage });
    opts.onEvent?.({ type: 'epoch', epoch, step, validation: last, topicUsage: usage });
    return last;
  };

  opts.onEvent?.({ type: 'start', totalSteps, stepsPerEpoch, startStep, trainObjects: trainIdx.length, validationObjects: valIdx.length });
  const B = tc.P * tc.M;
  const logWindow = new LossWindow();
  // Throughput counts step time only (not validation or checkpoints): over the run and per logging window.
  let stepSeconds = 0;
  let lastValidation: RetrievalMetrics | null = null;
  for (let step = startStep + 1; step <= totalSteps; step++) {
    const ts = performance.now();
    const batch = sampler.next();
    const rows = Int32Array.from(batch, (i) => trainIdx[i]);
    const x = model.inputs(await ds.train.read(rows));
    trainer.setSchedule(step, totalSteps);
    await yieldToEventLoop();
    const losses = trainer.step(x, Int32Array.from(batch, (i) => trainLabels[i]));
    disposeInputs(x);
    const dt = (performance.now() - ts) / 1000;
    stepSeconds += dt;
    logWindow.add(losses, dt);
    const epoch = Math.ceil(step / stepsPerEpoch);
    if (step % tc.logEvery === 0 || step === totalSteps) {
      const { mean, objectsPerSecond } = logWindow.flush(B);
      await appendLog(logFile, { type: 'step', step, epoch, ...mean, objectsPerSecond, seconds: elapsed() });
      opts.onEvent?.({ type: 'step', step, totalSteps, epoch, losses: mean, objectsPerSecond });
    }
    const epochEnd = step % stepsPerEpoch === 0 || step === totalSteps;
    if (epochEnd) lastValidation = await validateEpoch(epoch, step, lastValidation);
    if (epochEnd || step % tc.checkpointEvery === 0) await checkpoint(step);
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
