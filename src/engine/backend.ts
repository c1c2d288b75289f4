/**
 * Picks and initialises the TensorFlow.js backend: the native backend when `@tensorflow/tfjs-node` can be
 * imported, else `wasm` (with this project's training kernels), else `cpu`. `--backend` / `SADSL_BACKEND`
 * override the order.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { EngineError } from '../errors.js';
import { registerWasmKernels } from './kernels/index.js';
import * as tf from './tf.js';
import { INSTALL_HINT, registerTorch } from './torch/index.js';

export const BACKENDS = ['torch', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineInfo {
  backend: BackendName;
  /** Kernels this project registered on top of the backend's own. */
  customKernels: string[];
}

let current: EngineInfo | null = null;

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

/** Why the torch backend could not be registered (null once it is). */
let torchMissing: string | null = null;

async function activate(name: BackendName): Promise<boolean> {
  if (name === 'tensorflow' && !(await tryNative())) return false;
  if (name === 'torch') {
    const r = registerTorch();
    torchMissing = r.ok ? null : r.reason;
    if (!r.ok) return false;
  }
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
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
 * succeed; otherwise the first backend that works in the default order is used.
 */
export async function initEngine(opts: { backend?: string } = {}): Promise<EngineInfo> {
  const requested =
    parseBackend(opts.backend, '--backend') ?? parseBackend(process.env.SADSL_BACKEND, 'SADSL_BACKEND');
  if (current && (requested === undefined || requested === current.backend)) return current;
  const order: BackendName[] = requested ? [requested] : [...BACKENDS];
  for (const name of order) {
    if (await activate(name)) {
      await tf.ready();
      const customKernels = name === 'wasm' ? registerWasmKernels() : [];
      current = { backend: name, customKernels };
      return current;
    }
  }
  if (requested === 'torch' && torchMissing) throw new EngineError(`backend 'torch': ${torchMissing}; ${INSTALL_HINT}`);
  throw new EngineError(`backend '${requested}' could not be initialised on this machine`);
}

export function engineInfo(): EngineInfo | null {
  return current;
}
