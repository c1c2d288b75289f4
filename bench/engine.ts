/**
 * Speed of the full SADSL training step (docs/model.md §5.5): `JointTrainer.step` —
 * all five losses, the main/G Adam steps, then the D step — at the reference's batch (P × M = 8 × 8) and
 * default config, timed after 3 warm-up steps. One run measures, for images and documents, the backend
 * that `--backend` picks (auto by default) and, beside it, `torch` (when its addon is built) and `wasm`,
 * each in its own process, and the PyTorch reference (`../shared/reference/sadsl_ref.py bench`, one
 * thread) when `/usr/bin/python3` has torch. The CPU model, its avx2/avx512f flags and the load average
 * are printed with the figures: only ratios measured in the same run compare.
 *
 *   npm run bench:engine -- [--backend auto|torch|wasm|cpu|tensorflow] [--dataset both|fashion-mnist|20news]
 *                           [--steps N] [--profile] [--no-reference]
 *
 * fashion-mnist uses the embedded `sample-images` (same 28×28 Fashion-MNIST images), 20news the embedded
 * `sample-text` documents with the default vocabulary cap (20,000). Prints a table and, per dataset,
 * `ratio_vs_pytorch=` (objects/s of the chosen backend / the reference's, higher is better) and
 * `cpu_ratio_vs_pytorch=` (the reference's CPU ms per step / the backend's: the figure that holds on a loaded
 * machine, where the wall clock measures the scheduler's share as much as the engine). `--profile`
 * adds each backend's per-kernel table of one step.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
const SCRIPT = fileURLToPath(import.meta.url);
const REFERENCE = path.resolve(path.dirname(SCRIPT), '..', '..', 'shared', 'reference', 'sadsl_ref.py');
const DATASETS = ['fashion-mnist', '20news'] as const;
type Dataset = (typeof DATASETS)[number];

const opts = new Command()
  .option('--backend <name>', 'auto, torch, wasm, cpu or tensorflow', 'auto')
  .option('--dataset <name>', 'both, fashion-mnist or 20news', 'both')
  .option('--steps <n>', 'timed steps', (v) => Number.parseInt(v, 10), 10)
  .option('--profile', 'print the per-kernel profile of one step')
  .option('--no-reference', 'skip the PyTorch reference')
  .option('--child', 'internal: measure one backend on one dataset and print result=<json>')
  .parse()
  .opts<{ backend: string; dataset: string; steps: number; profile?: boolean; reference: boolean; child?: boolean }>();
if (opts.dataset !== 'both' && !(DATASETS as readonly string[]).includes(opts.dataset)) throw new Error(`--dataset: expected both, fashion-mnist or 20news, got '${opts.dataset}'`);
if (!(opts.steps > 0)) throw new Error('--steps: expected a positive integer');

interface Result {
  backend: string;
  msPerStep: number;
  cpuMsPerStep: number;
  objectsPerSecond: number;
  input: string;
  leaked: number;
}

type Step = () => void;

/** A trainer on the sample data and a closure that runs one step on the next batch. */
async function setup(dataset: Dataset): Promise<{ step: Step; objects: number; note: string }> {
  const ds = await loadDataset(dataset === '20news' ? 'sample-text' : 'sample-images');
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
  const cpu = backend === 'wasm' || backend === 'cpu' || backend === 'torch';
  const own = Object.prototype.hasOwnProperty.call(timer, 'time');
  const saved = timer.time;
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
    if (own) timer.time = saved;
    else delete (timer as Partial<Timer>).time; // back to the prototype's timer
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
  console.log(`profile of one ${backend} step (with profiling overhead): ${stepWall.toFixed(0)} ms wall, ${stepCpu.toFixed(0)} cpu ms; ${total.toFixed(0)} ${unit} in kernels`);
  console.log(`  ${'kernel'.padEnd(26)} ${unit.padStart(8)}   count`);
  for (const [name, r] of sorted) console.log(`  ${name.padEnd(26)} ${r.ms.toFixed(1).padStart(8)} ${String(r.count).padStart(7)}`);
}

/** Child process: one backend, one dataset. */
async function child(dataset: Dataset): Promise<void> {
  const engine = await initEngine({ backend: opts.backend });
  const { step, objects, note } = await setup(dataset);
  for (let i = 0; i < WARMUP; i++) step();
  if (opts.profile) await profile(step, engine.backend);
  const tensors = tf.memory().numTensors;
  const cpuStart = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < opts.steps; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  const result: Result = {
    backend: engine.backend,
    msPerStep: (1000 * seconds) / opts.steps,
    cpuMsPerStep: cpuMs(cpuStart) / opts.steps,
    objectsPerSecond: (objects * opts.steps) / seconds,
    input: note,
    leaked: tf.memory().numTensors - tensors,
  };
  console.log(`result=${JSON.stringify(result)}`);
}

/** Runs the child for `backend` on `dataset`; null (with the reason printed) when it fails. */
function measure(backend: string, dataset: Dataset): Result | null {
  const args = [...process.execArgv, SCRIPT, '--child', '--backend', backend, '--dataset', dataset, '--steps', String(opts.steps), ...(opts.profile ? ['--profile'] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const lines = (r.stdout ?? '').split('\n');
  const line = lines.find((l) => l.startsWith('result='));
  for (const l of lines) if (l && !l.startsWith('result=')) console.log(`  ${l}`);
  if (r.status !== 0 || !line) {
    const err = (r.stderr ?? '').trim().split('\n').filter((l) => l.trim()).slice(-1)[0] ?? `exit ${r.status}`;
    console.log(`${dataset} ${backend}: failed (${err})`);
    return null;
  }
  const result = JSON.parse(line.slice('result='.length)) as Result;
  if (result.leaked !== 0) console.log(`warning: ${dataset} ${backend}: ${result.leaked} tensors leaked over ${opts.steps} steps`);
  return result;
}

function hasTorch(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/**
 * The reference's own `bench` command, run with its clock wrapped so that each reading also records the
 * process's CPU time: the last two readings bracket its timed steps, which gives its CPU ms per step beside
 * its wall-clock figures (on a loaded machine only CPU time compares across processes).
 */
const REFERENCE_RUNNER = `
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("sadsl_ref", sys.argv[1])
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
class Clock:
    def __init__(self): self.cpu = []
    def time(self):
        self.cpu.append(time.process_time())
        return time.time()
    def __getattr__(self, name): return getattr(time, name)
ref.time = Clock()
sys.argv = sys.argv[1:]
ref.main()
steps = int(sys.argv[sys.argv.index("--steps") + 1])
print(f"cpu_ms_per_step={1000 * (ref.time.cpu[-1] - ref.time.cpu[-2]) / steps:.2f}")
`;

/** The reference's wall ms, CPU ms per step and objects per second, or null when it cannot run here. */
function reference(dataset: Dataset): { ms: number; cpuMs: number; ips: number } | null {
  if (!opts.reference) return null;
  if (!existsSync(REFERENCE)) {
    console.log(`reference: ${REFERENCE} not found, skipped`);
    return null;
  }
  if (!hasTorch()) {
    console.log(`reference: ${PYTHON} has no torch, skipped`);
    return null;
  }
  const out = execFileSync(PYTHON, ['-c', REFERENCE_RUNNER, REFERENCE, 'bench', '--dataset', dataset, '--steps', String(opts.steps), '--threads', '1'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [ms, cpuMs, ips] = ['ms_per_step', 'cpu_ms_per_step', 'images_per_second'].map((key) => new RegExp(`(?:^|\\n)${key}=([\\d.]+)`).exec(out)?.[1]);
  return ms && cpuMs && ips ? { ms: Number(ms), cpuMs: Number(cpuMs), ips: Number(ips) } : null;
}

/** CPU model and the SIMD flags that decide the engines' speed. */
function cpuInfo(): string {
  let flags = new Set<string>();
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    flags = new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    // not Linux: the model name is still printed
  }
  const has = (f: string) => `${f}=${flags.has(f) ? 'yes' : 'no'}`;
  return `cpu="${os.cpus()[0]?.model ?? 'unknown'}" ${has('avx2')} ${has('avx512f')} cores=${os.cpus().length}`;
}

async function main(): Promise<void> {
  const datasets: Dataset[] = opts.dataset === 'both' ? [...DATASETS] : [opts.dataset as Dataset];
  if (opts.child) return child(datasets[0]);
  const engine = await initEngine({ backend: opts.backend });
  console.log(`${cpuInfo()} load_1m=${os.loadavg()[0].toFixed(2)}`);
  console.log(`--backend ${opts.backend} → ${engine.backend}${engine.reason ? ` (${engine.reason})` : ''}`);
  const others = ['torch', 'wasm'].filter((b) => b !== engine.backend);
  const rows: string[] = [];
  const ratios: string[] = [];
  for (const dataset of datasets) {
    const results = [engine.backend, ...others].map((b) => measure(b, dataset)).filter((r): r is Result => r !== null);
    const ref = reference(dataset);
    for (const r of results) {
      const ratio = ref ? (r.objectsPerSecond / ref.ips).toFixed(3) : '-';
      const cpuRatio = ref ? (ref.cpuMs / r.cpuMsPerStep).toFixed(3) : '-';
      rows.push(`${dataset.padEnd(14)} ${r.backend.padEnd(8)} ${r.msPerStep.toFixed(1).padStart(8)} ${r.cpuMsPerStep.toFixed(1).padStart(8)} ${r.objectsPerSecond.toFixed(1).padStart(10)} ${ratio.padStart(7)} ${cpuRatio.padStart(7)}   ${r.input}`);
    }
    if (ref) rows.push(`${dataset.padEnd(14)} ${'pytorch'.padEnd(8)} ${ref.ms.toFixed(1).padStart(8)} ${ref.cpuMs.toFixed(1).padStart(8)} ${ref.ips.toFixed(1).padStart(10)} ${'1.000'.padStart(7)} ${'1.000'.padStart(7)}   sadsl_ref.py bench --threads 1`);
    const chosen = results.find((r) => r.backend === engine.backend);
    if (chosen && ref) ratios.push(`${dataset} backend=${engine.backend} images_per_second=${chosen.objectsPerSecond.toFixed(3)} reference_images_per_second=${ref.ips} ratio_vs_pytorch=${(chosen.objectsPerSecond / ref.ips).toFixed(3)} cpu_ratio_vs_pytorch=${(ref.cpuMs / chosen.cpuMsPerStep).toFixed(3)}`);
  }
  console.log(`load_1m=${os.loadavg()[0].toFixed(2)} at the end`);
  console.log(`${'dataset'.padEnd(14)} ${'backend'.padEnd(8)} ${'ms/step'.padStart(8)} ${'cpu ms'.padStart(8)} ${'objects/s'.padStart(10)} ${'ratio'.padStart(7)} ${'cpu rat'.padStart(7)}   input`);
  for (const r of rows) console.log(r);
  for (const r of ratios) console.log(r);
}

await main();
