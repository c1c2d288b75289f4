/**
 * `Pow` for wasm with a constant exponent 1 or 2 (tf.norm squares through pow(|x|, 2), and its gradient
 * takes pow(|x|, 1)): the stock kernel broadcasts the scalar exponent with per-element index arithmetic
 * and calls pow(); here it is x·x or a shared buffer. Other exponents go to the stock kernel.
 */
import * as tf from '../tf.js';
import { runStock, type BackendWasm, type KernelArgs, type TensorInfo } from './wasm.js';

export function pow({ inputs, backend }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const simple = a.dtype === 'float32' && tf.util.sizeFromShape(b.shape) === 1 && b.shape.length <= a.shape.length;
  const exponent = simple ? wasm.typedArrayFromHeap(b)[0] : NaN;
  if (exponent === 2) return runStock(tf.Multiply, wasm, { a, b: a });
  if (exponent === 1) {
    wasm.incRef(a.dataId);
    return { dataId: a.dataId, shape: a.shape, dtype: a.dtype };
  }
  return runStock(tf.Pow, wasm, { a, b });
}
