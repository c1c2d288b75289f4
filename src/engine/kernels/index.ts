/**
 * Training kernels the tfjs 4.22 wasm backend lacks or runs slowly. Registered once, at backend
 * initialisation, by `registerWasmKernels()`; later calls change nothing.
 */
import * as tf from '../tf.js';
import { batchMatMul } from './batch-mat-mul.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { tile } from './tile.js';
import { registerWasmKernel } from './wasm.js';

const KERNELS: [string, tf.KernelFunc][] = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter as tf.KernelFunc],
  [tf.Conv2DBackpropInput, conv2DBackpropInput as tf.KernelFunc],
  [tf.BatchMatMul, batchMatMul as tf.KernelFunc],
  [tf.Tile, tile as tf.KernelFunc],
];

/** Registers this project's wasm kernels (idempotent) and returns their names. */
export function registerWasmKernels(): string[] {
  for (const [name, func] of KERNELS) registerWasmKernel(name, func);
  return KERNELS.map(([name]) => name);
}
