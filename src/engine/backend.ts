/**
 * Picks and initialises the TensorFlow.js backend. `auto` takes the first that works of: `torch` (the
 * native libtorch addon, `src/engine/torch`), `tensorflow` (when `@tensorflow/tfjs-node` can be imported),
 * `wasm` (with this project's training kernels), `cpu`. `torch` comes first because it is the faster
 * engine on both CPU kinds measured (issue 12: AMD EPYC AVX2 and Intel AVX-512; `npm run bench:engine`
 * prints the figures): its convolutions and products run on oneDNN's AVX2/AVX-512 kernels, while wasm is
 * limited to 128-bit SIMD. `--backend` / `SADSL_BACKEND` override the order.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { availableParallelism } from 'node:os';
import { ENGINE_DEFAULTS } from '../config.js';
import { EngineError } from '../errors.js';
import { registerWasmKernels } from './kernels/index.js';
import * as tf from './tf.js';
import { INSTALL_HINT, registerTorch } from './torch/index.js';
import { registerThreadedWasm } from './wasm-threads.js';

export const BACKENDS = ['torch', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineInfo {
  backend: BackendName;
  /** Kernels this project registered on top of the backend's own. */
  customKernels: string[];
  /** How it was chosen: requested, or auto and why the faster ones were passed over. */
  reason: string;
}

let current: EngineInfo | null = null;
let threadedWasm = false;

/** XNNPACK threads of the `wasm` backend: `SADSL_WASM_THREADS`, else the default; a bad value is an error. */
export function wasmThreads(): number {
  const raw = process.env.SADSL_WASM_THREADS ?? ENGINE_DEFAULTS.wasmThreads;
  if (raw === '' || raw === 'auto') return Math.max(1, Math.min(ENGINE_DEFAULTS.wasmMaxThreads, availableParallelism()));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new EngineError(`SADSL_WASM_THREADS: expected auto or an integer from 1 to 64, got '${raw}'`);
  return n;
}

async function tryNative(): Promise<boolean> {
  try {
    // Optional dependency: its install downloads libtensorflow, which fails where there is no internet.
    const name = '@tensorflow/tfjs-node';
    await import(name);
    return tf.findBackend('tensorflow') !== null || tf.engine().registryFactory['tensorflow'] !== undefined;
  } catch {
    return false;
  }
}

/** Activates `name`; the reason when it cannot be used here. */
async function activate(name: BackendName): Promise<string | null> {
  if (name === 'tensorflow' && !(await tryNative())) return '@tensorflow/tfjs-node is not installed';
  if (name === 'torch') {
    const r = registerTorch();
    if (!r.ok) return r.reason;
  }
  if (name === 'wasm') {
    const threads = wasmThreads();
    if (threads > 1 && !threadedWasm) {
      registerThreadedWasm(threads);
      threadedWasm = true;
    }
  }
  try {
    return (await tf.setBackend(name)) ? null : 'it failed to initialise';
  } catch (e) {
    return `it failed to initialise: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Parses a backend name from the CLI or the environment; unknown names are an error, not a fallback. */
export function parseBackend(value: string | undefined, argName = '--backend'): BackendName | undefined {
  if (value === undefined || value === '' || value === 'auto') return undefined;
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new EngineError(`${argName}: unknown backend '${value}' (expected one of: auto, ${BACKENDS.join(', ')})`);
}

/**
 * Initialises the engine once per process. An explicit request (argument, then `SADSL_BACKEND`) must
 * succeed; otherwise the first backend that works in the default order is used. `SADSL_TEST_BACKEND`
 * (tests only) replaces every request, so that whole test files run on another backend.
 */
export async function initEngine(opts: { backend?: string } = {}): Promise<EngineInfo> {
  const requested =
    parseBackend(process.env.SADSL_TEST_BACKEND, 'SADSL_TEST_BACKEND') ??
    parseBackend(opts.backend, '--backend') ??
    parseBackend(process.env.SADSL_BACKEND, 'SADSL_BACKEND');
  if (current && (requested === undefined || requested === current.backend)) return current;
  const order: BackendName[] = requested ? [requested] : [...BACKENDS];
  const skipped: string[] = [];
  for (const name of order) {
    const why = await activate(name);
    if (why !== null) {
      skipped.push(`${name}: ${why}`);
      continue;
    }
    await tf.ready();
    const customKernels = name === 'wasm' ? registerWasmKernels() : [];
    const how = requested ? 'requested' : skipped.length ? `auto; ${skipped.join('; ')}` : 'auto';
    const reason = name === 'wasm' && threadedWasm ? `${how}; ${wasmThreads()} XNNPACK threads` : how;
    current = { backend: name, customKernels, reason };
    return current;
  }
  if (requested === 'torch') throw new EngineError(`backend 'torch' is not available: ${skipped[0].slice('torch: '.length)}; ${INSTALL_HINT}`);
  throw new EngineError(`backend '${requested}' could not be initialised on this machine (${skipped.join('; ')})`);
}

export function engineInfo(): EngineInfo | null {
  return current;
}
