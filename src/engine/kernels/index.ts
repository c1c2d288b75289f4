/**
 * Training kernels the tfjs 4.22 wasm backend lacks or runs slowly. Registered once, at backend
 * initialisation, by `registerWasmKernels()`; later calls change nothing.
 */
import * as tf from '../tf.js';
import { batchMatMul } from './batch-mat-mul.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { equal } from './equal.js';
import { gatherV2 } from './gather.js';
import { identity } from './identity.js';
import { leakyReluGrad } from './leaky-relu-grad.js';
import { pow } from './pow.js';
import { mean, sum } from './reduce.js';
import { tile } from './tile.js';
import { unsortedSegmentSum } from './unsorted-segment-sum.js';
import { registerWasmKernel } from './wasm.js';

const KERNELS: [string, tf.KernelFunc][] = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter],
  [tf.Conv2DBackpropInput, conv2DBackpropInput],
  [tf.BatchMatMul, batchMatMul],
  [tf.Tile, tile],
  [tf.UnsortedSegmentSum, unsortedSegmentSum],
  [tf.Identity, identity],
  [tf.Sum, sum],
  [tf.Mean, mean],
  [tf.Pow, pow],
  [tf.Equal, equal],
  [tf.GatherV2, gatherV2],
];

/** Registers this project's wasm kernels (idempotent) and returns their names. The LeakyRelu gradient is
 *  replaced too (for every backend: the gradient registry is global; values are unchanged). */
export function registerWasmKernels(): string[] {
  for (const [name, func] of KERNELS) registerWasmKernel(name, func);
  tf.registerGradient(leakyReluGrad);
  return KERNELS.map(([name]) => name);
}
