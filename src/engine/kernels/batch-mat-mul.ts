/**
 * `BatchMatMul` for wasm with transposeA / transposeB (every dense layer's backward pass uses them):
 * the stock kernel is 10–20× slower with a transposed operand than without, so the operand is
 * transposed first and the stock untransposed product does the work.
 */
import * as tf from '../tf.js';
import { release, runStock, transpose, type BackendWasm, type KernelArgs, type TensorInfo } from './wasm.js';

/** Swaps the last two axes: [..., m, n] → [..., n, m]. */
function swapLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose(backend, x, perm);
}

export function batchMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const a2 = transposeA ? swapLastTwo(wasm, a) : a;
  const b2 = transposeB ? swapLastTwo(wasm, b) : b;
  const out = runStock(tf.BatchMatMul, wasm, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  release(
    wasm,
    [a2, b2].filter((t) => t !== a && t !== b),
  );
  return out;
}
