/**
 * `Sum` and `Mean` for wasm over leading axes — bias gradients, BatchNorm statistics and their gradients
 * reduce [B, H, W, C] to [C]. The stock kernels first move the reduced axes last with a transpose that
 * costs more than the sum; here one pass over x, seen as [N, C], adds each row into float64 accumulators
 * (as the cpu backend does). Other axis sets and dtypes go to the stock kernels.
 */
import * as tf from '../tf.js';
import { runStock, type BackendWasm, type KernelArgs, type TensorInfo } from './wasm.js';

function leadingReduction(name: string, { inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = x.dtype === 'float32' && rank > 1 && axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (!leading) return runStock(name, wasm, { x }, attrs);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const cols = tf.util.sizeFromShape(x.shape.slice(axes.length));
  const shape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
  // Float64: e.g. a bias before BatchNorm has a gradient that cancels to ~0, and float32 leaves noise.
  const acc = new Float64Array(cols);
  const src = wasm.typedArrayFromHeap(x);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) acc[c] += src[o + c];
  }
  if (name === tf.Mean) for (let c = 0; c < cols; c++) acc[c] /= rows;
  const out = wasm.makeOutput(shape, 'float32'); // [C]
  wasm.typedArrayFromHeap(out).set(acc);
  return out;
}

export function sum(args: KernelArgs): TensorInfo {
  return leadingReduction(tf.Sum, args);
}

export function mean(args: KernelArgs): TensorInfo {
  return leadingReduction(tf.Mean, args);
}
