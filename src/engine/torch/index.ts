/**
 * Registers the `torch` backend with TensorFlow.js when the native addon loads. Threads: ATen's intra-op
 * pool (and oneDNN's OpenMP sgemm) use `ENGINE_DEFAULTS.torchThreads` unless `SADSL_TORCH_THREADS` says otherwise.
 */
import { ENGINE_DEFAULTS } from '../../config.js';
import * as tf from '../tf.js';
import { INSTALL_HINT, loadAddon } from './addon.js';
import { TorchBackend } from './backend.js';
import { registerTorchKernels } from './kernels.js';

export { INSTALL_HINT };
export type { NativeMemory } from './backend.js';
export { TorchBackend };
export const TORCH = 'torch';

/** Registers the backend and its kernels (idempotent); the reason when the addon is unavailable. */
export function registerTorch(): { ok: true; kernels: string[] } | { ok: false; reason: string } {
  const load = loadAddon();
  if (!load.addon) return { ok: false, reason: load.reason };
  const addon = load.addon;
  if (tf.findBackendFactory(TORCH) === null) {
    const threads = Number(process.env.SADSL_TORCH_THREADS ?? ENGINE_DEFAULTS.torchThreads);
    tf.registerBackend(TORCH, () => {
      addon.setThreads(Number.isInteger(threads) && threads > 0 ? threads : ENGINE_DEFAULTS.torchThreads);
      return new TorchBackend(addon);
    });
  }
  return { ok: true, kernels: registerTorchKernels(TORCH) };
}
