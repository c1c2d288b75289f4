/**
 * `BatchMatMul` for wasm. The stock kernel only reaches XNNPACK for one untransposed [1, m, k]·[1, k, n]
 * product; anything else (transposeA / transposeB in every dense layer's backward pass, the attention's
 * [B, R, R]·[B, R, d] products) runs a scalar blocked loop 5–20× slower. Here transposed operands are
 * transposed first (or, for a·bᵀ with a large b, the transposed product is formed), a batch against one
 * shared right operand is a single [1, B·m, k] product, and true batches run one XNNPACK product per batch
 * element on copied slices.
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

function plainProduct(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return runStock(tf.BatchMatMul, backend, { a, b }, { transposeA: false, transposeB: false });
}

/** A [1, rows, cols] tensor holding rows·cols values of `x` from `offset`. */
function slice(backend: BackendWasm, x: TensorInfo, offset: number, rows: number, cols: number): TensorInfo {
  const part = backend.makeOutput([1, rows, cols], x.dtype);
  backend.typedArrayFromHeap(part).set(backend.typedArrayFromHeap(x).subarray(offset, offset + rows * cols));
  return part;
}

/** a [..., m, k] · b [..., k, n] with broadcast batch axes, untransposed. */
function product(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  const view = (x: TensorInfo, shape: number[]): TensorInfo => ({ dataId: x.dataId, shape, dtype: x.dtype });
  const float = a.dtype === 'float32' && b.dtype === 'float32';
  if (!float || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return plainProduct(backend, a, b); // stock checks
  if (batchB === 1) {
    // One right operand: the batch folds into the rows.
    const out = plainProduct(backend, view(a, [1, batchA * m, k]), view(b, [1, k, n])); // [1, B·m, n]
    out.shape = outShape;
    return out;
  }
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput(outShape, 'float32'); // [..., m, n]
  const shared = batchA === 1 ? view(a, [1, m, k]) : null;
  for (let i = 0; i < batch; i++) {
    const ai = shared ?? slice(backend, a, i * m * k, m, k); // [1, m, k]
    const bi = slice(backend, b, i * k * n, k, n); // [1, k, n]
    const oi = plainProduct(backend, ai, bi); // [1, m, n]
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(oi), i * m * n);
    release(backend, [bi, oi, ...(shared ? [] : [ai])]);
  }
  return out;
}

export function batchMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const size = (x: TensorInfo): number => tf.util.sizeFromShape(x.shape);
  const single = (x: TensorInfo): boolean => tf.util.sizeFromShape(x.shape.slice(0, -2)) === 1;
  const [m, n] = [a.shape[a.shape.length - 2], b.shape[b.shape.length - 2]];
  if (transposeB && !transposeA && single(a) && single(b) && size(b) > size(a) + m * n) {
    // a·bᵀ = (b·aᵀ)ᵀ: a large b (a dense layer's weight in dx = dy·Wᵀ) streams once as the rows of the
    // product instead of being transposed, packed and re-read for every few rows of a.
    const aT = swapLastTwo(wasm, a); // [k, m]
    const outT = product(wasm, b, aT); // [n, m]
    const out = swapLastTwo(wasm, outT); // [m, n]
    release(wasm, [aT, outT]);
    return out;
  }
  const a2 = transposeA ? swapLastTwo(wasm, a) : a;
  const b2 = transposeB ? swapLastTwo(wasm, b) : b;
  const out = product(wasm, a2, b2);
  release(
    wasm,
    [a2, b2].filter((t) => t !== a && t !== b),
  );
  return out;
}
