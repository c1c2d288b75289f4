/**
 * Plumbing shared by this project's wasm kernels: calling the backend's stock kernels on raw
 * `TensorInfo`s, freeing intermediates, and (re-)registering a kernel without losing the stock one.
 * Kernels here work on backend data, not engine tensors, so nothing is tracked by `tf.tidy`: every
 * intermediate must go through `release`.
 */
// Imported for its side effect too: the stock wasm kernels must be registered before ours replace them.
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.js';

export type { BackendWasm };
export type TensorInfo = tf.TensorInfo;
export type KernelArgs = Parameters<tf.KernelFunc>[0];

const BACKEND = 'wasm';

/** The kernel functions that were registered for wasm before this project replaced them. */
const stock = new Map<string, tf.KernelFunc>();

/** Runs the backend's own kernel `name` (the stock one even after we replaced it). */
export function runStock(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const func = stock.get(name) ?? tf.getKernel(name, BACKEND)?.kernelFunc;
  if (func === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  return func({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runStock(tf.Transpose, backend, { x }, { perm });
}

/** A stride-1 NHWC convolution with explicit, non-negative pads. */
export function conv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  pads: { top: number; bottom: number; left: number; right: number },
  dilations: [number, number] = [1, 1],
): TensorInfo {
  const pad = [
    [0, 0],
    [pads.top, pads.bottom],
    [pads.left, pads.right],
    [0, 0],
  ];
  return runStock(tf.Conv2D, backend, { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations });
}

/** Frees intermediates once each (a list may name one twice, e.g. an optional crop that was skipped). */
export function release(backend: BackendWasm, infos: TensorInfo[]): void {
  for (const info of new Set(infos)) backend.disposeData(info.dataId);
}

/** Throws for NCHW, which the wasm Conv2D this builds on does not support either. */
export function assertChannelsLast(kernel: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') throw new Error(`${kernel}: dataFormat '${dataFormat}' is not supported on wasm`);
}

/**
 * Registers `kernelFunc` as wasm's `name`, keeping the stock config (its `setupFunc` prepares the wasm
 * bindings the stock function, still used by ours, needs). Returns false when it is already in place.
 */
export function registerWasmKernel(name: string, kernelFunc: tf.KernelFunc): boolean {
  const current = tf.getKernel(name, BACKEND);
  if (current?.kernelFunc === kernelFunc) return false;
  if (current !== undefined) {
    stock.set(name, current.kernelFunc);
    tf.unregisterKernel(name, BACKEND);
  }
  tf.registerKernel({ ...current, kernelName: name, backendName: BACKEND, kernelFunc });
  return true;
}
