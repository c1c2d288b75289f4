/**
 * Speed of the full SADSL training step (docs/model.md §5.5): `JointTrainer.step` — all five
 * losses, the main/G Adam steps, then the D step — at the reference's batch (P × M = 8 × 8) and default
 * config, timed after 3 warm-up steps on the chosen backend. When `/usr/bin/python3` has torch, the
 * PyTorch reference (`../shared/reference/sadsl_ref.py bench`, one thread) runs in the same invocation.
 *
 *   npm run bench:engine -- [--backend auto|wasm|cpu|tensorflow] [--dataset fashion-mnist|20news]
 *                           [--steps N] [--profile] [--no-reference]
 *
 * fashion-mnist uses the embedded `sample-images` (same 28×28 Fashion-MNIST images), 20news the embedded
 * `sample-text` documents with the default vocabulary cap (20,000; the sample's real V is printed).
 * Prints `images_per_second=` (objects/s), `ms_per_step=`, the reference's numbers and
 * `ratio_vs_pytorch=` (ours / theirs, higher is better). `--profile` adds a per-kernel table of one step.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parseConfig, trainConfigSchema, modelConfigSchema } from '../src/config.js';
import { loadDataset } from '../src/data/registry.js';
import { ClassBalancedSampler } from '../src/data/sampler.js';
import { initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import * as tf from '../src/engine/tf.js';
import { disposeInputs } from '../src/model/inputs.js';
import { SadslModel } from '../src/model/sadsl.js';
import { JointTrainer } from '../src/train/joint-step.js';
import { Preprocessor } from '../src/train/preprocess.js';

const WARMUP = 3;
const PYTHON = '/usr/bin/python3';
const REFERENCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'reference', 'sadsl_ref.py');

const opts = new Command()
  .option('--backend <name>', 'auto, wasm, cpu or tensorflow', 'auto')
  .option('--dataset <name>', 'fashion-mnist or 20news', 'fashion-mnist')
  .option('--steps <n>', 'timed steps', (v) => Number.parseInt(v, 10), 10)
  .option('--profile', 'print the per-kernel profile of one step')
  .option('--no-reference', 'skip the PyTorch reference')
  .parse()
  .opts<{ backend: string; dataset: string; steps: number; profile?: boolean; reference: boolean }>();
if (opts.dataset !== 'fashion-mnist' && opts.dataset !== '20news') throw new Error(`--dataset: expected fashion-mnist or 20news, got '${opts.dataset}'`);
if (!(opts.steps > 0)) throw new Error('--steps: expected a positive integer');

type Step = () => void;

/** A trainer on the sample data and a closure that runs one step on the next batch. */
async function setup(): Promise<{ step: Step; objects: number; note: string }> {
  const ds = await loadDataset(opts.dataset === '20news' ? 'sample-text' : 'sample-images');
  const mc = parseConfig(modelConfigSchema, {}, 'model config');
  const tc = parseConfig(trainConfigSchema, {}, 'training config');
  const pre = Preprocessor.fit(ds.train, mc.vocabSize, mc.maxLength);
  const net = SadslModel.create(mc, pre.input, tc.seed);
  const rng = new Rng(tc.seed);
  // The reference's batch (P·M = 64): a sample with fewer than P classes takes more objects per class.
  const P = Math.min(tc.P, new Set(ds.train.labels).size);
  const M = Math.ceil((tc.P * tc.M) / P);
  const sampler = new ClassBalancedSampler(ds.train.labels, { P, M, seed: tc.seed });
  const x0 = pre.inputs(ds.train, sampler.next());
  net.initTopics(x0, rng); // the spec's k-means init (on one batch: its cost is not the step's)
  disposeInputs(x0);
  const trainer = new JointTrainer(net, tc, rng);
  const step = (): void => {
    const rows = sampler.next();
    const x = pre.inputs(ds.train, rows);
    trainer.step(x, Int32Array.from(rows, (i) => ds.train.labels[i]));
    disposeInputs(x);
  };
  const input = pre.input;
  const note = input.domain === 'text' ? `V=${input.vocabSize} L=${input.maxLength}` : `${input.height}×${input.width}×${input.channels}`;
  return { step, objects: P * M, note: `${note} P×M=${P}×${M}` };
}

/** CPU milliseconds of this process since `start` (all threads; robust to other processes' load). */
function cpuMs(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
}

type Timer = { time(f: () => void): Promise<{ kernelMs: number }> };

/**
 * Per-kernel total ms and count of one step, slowest first. On wasm and cpu the backend's kernel timer
 * (wall clock) is swapped for process CPU time while profiling: on a shared machine wall time mostly
 * measures the other processes. Custom-gradient scopes (not kernels; their kernels are listed) are left out.
 */
async function profile(step: Step, backend: string): Promise<void> {
  const timer = tf.backend() as unknown as Timer;
  const cpu = backend === 'wasm' || backend === 'cpu';
  if (cpu) {
    timer.time = async (f) => {
      const start = process.cpuUsage();
      f();
      return { kernelMs: cpuMs(start) };
    };
  }
  const start = process.cpuUsage();
  const t0 = performance.now();
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(step);
  } finally {
    if (cpu) delete (timer as Partial<Timer>).time; // back to the prototype's timer
  }
  const stepWall = performance.now() - t0;
  const stepCpu = cpuMs(start);
  const rows = new Map<string, { ms: number; count: number }>();
  for (const k of info.kernels) {
    if (tf.getKernel(k.name, backend) === undefined) continue;
    const r = rows.get(k.name) ?? { ms: 0, count: 0 };
    const t = (await k.kernelTimeMs) as number | { error: string };
    r.ms += typeof t === 'number' ? t : 0;
    r.count++;
    rows.set(k.name, r);
  }
  const sorted = [...rows].sort((a, b) => b[1].ms - a[1].ms);
  const total = sorted.reduce((s, [, r]) => s + r.ms, 0);
  const unit = cpu ? 'cpu ms' : 'ms';
  console.log(`profile of one step (with profiling overhead): ${stepWall.toFixed(0)} ms wall, ${stepCpu.toFixed(0)} cpu ms; ${total.toFixed(0)} ${unit} in kernels`);
  console.log(`  ${'kernel'.padEnd(26)} ${unit.padStart(8)}   count`);
  for (const [name, r] of sorted) console.log(`  ${name.padEnd(26)} ${r.ms.toFixed(1).padStart(8)} ${String(r.count).padStart(7)}`);
}

function hasTorch(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** The reference's images_per_second, or null when it cannot run here. */
function reference(): number | null {
  if (!opts.reference) return null;
  if (!existsSync(REFERENCE)) {
    console.log(`reference: ${REFERENCE} not found, skipped`);
    return null;
  }
  if (!hasTorch()) {
    console.log(`reference: ${PYTHON} has no torch, skipped`);
    return null;
  }
  const out = execFileSync(PYTHON, [REFERENCE, 'bench', '--dataset', opts.dataset, '--steps', String(opts.steps), '--threads', '1'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ms = /ms_per_step=([\d.]+)/.exec(out)?.[1];
  const ips = /images_per_second=([\d.]+)/.exec(out)?.[1];
  console.log(`reference_ms_per_step=${ms ?? '?'}`);
  console.log(`reference_images_per_second=${ips ?? '?'}`);
  return ips ? Number(ips) : null;
}

const engine = await initEngine({ backend: opts.backend });
console.log(`backend=${engine.backend} dataset=${opts.dataset} load_1m=${os.loadavg()[0].toFixed(2)} cores=${os.cpus().length}`);
const { step, objects, note } = await setup();
console.log(`batch=${objects} input=${note}`);
for (let i = 0; i < WARMUP; i++) step();
if (opts.profile) await profile(step, engine.backend);
const tensors = tf.memory().numTensors;
const cpuStart = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < opts.steps; i++) step();
const seconds = (performance.now() - t0) / 1000;
const cpuPerStep = cpuMs(cpuStart) / opts.steps;
const leaked = tf.memory().numTensors - tensors;
const ours = (objects * opts.steps) / seconds;
console.log(`ms_per_step=${((1000 * seconds) / opts.steps).toFixed(2)}`);
console.log(`cpu_ms_per_step=${cpuPerStep.toFixed(2)}`);
console.log(`images_per_second=${ours.toFixed(3)}`);
if (leaked !== 0) console.log(`warning: ${leaked} tensors leaked over ${opts.steps} steps`);
const theirs = reference();
if (theirs) console.log(`ratio_vs_pytorch=${(ours / theirs).toFixed(3)}`);
