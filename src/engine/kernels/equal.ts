/**
 * `Equal` for wasm with broadcasting. The gradient of `tf.max` marks the maxima with
 * equal(x [B, R, w, d], max [B, R, 1, d]) — the document encoder's segment max-pool (docs/model.md eq. (2)) — and
 * the stock broadcasting path costs ~60 ns per element (a tenth of a document step). Here one loop walks
 * the output with per-axis strides (0 on broadcast axes). Same-shape inputs go to the stock kernel.
 */
import * as tf from '../tf.js';
import { runStock, type BackendWasm, type KernelArgs, type TensorInfo } from './wasm.js';

/** x's strides within `outShape` (right-aligned), 0 on the axes x broadcasts along. */
function broadcastStrides(shape: number[], outShape: number[]): number[] {
  const pad = outShape.length - shape.length;
  const own = tf.util.computeStrides(shape);
  return outShape.map((_, i) => {
    const axis = i - pad;
    if (axis < 0 || shape[axis] === 1) return 0;
    return axis === shape.length - 1 ? 1 : own[axis];
  });
}

export function equal({ inputs, backend }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  if (tf.util.arraysEqual(a.shape, b.shape) || a.dtype === 'string' || b.dtype === 'string') {
    return runStock(tf.Equal, wasm, { a, b });
  }
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = wasm.makeOutput(outShape, 'bool');
  const size = tf.util.sizeFromShape(outShape);
  if (size === 0) return out;
  const av = wasm.typedArrayFromHeap(a);
  const bv = wasm.typedArrayFromHeap(b);
  const ov = wasm.typedArrayFromHeap(out);
  const rank = outShape.length;
  const sa = broadcastStrides(a.shape, outShape);
  const sb = broadcastStrides(b.shape, outShape);
  const last = outShape[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < size; o += last) {
    const da = sa[rank - 1];
    const db = sb[rank - 1];
    for (let j = 0; j < last; j++) ov[o + j] = av[ia + j * da] === bv[ib + j * db] ? 1 : 0;
    // Advance the outer index (odometer) and the input offsets with it.
    for (let axis = rank - 2; axis >= 0; axis--) {
      ia += sa[axis];
      ib += sb[axis];
      if (++index[axis] < outShape[axis]) break;
      ia -= sa[axis] * outShape[axis];
      ib -= sb[axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return out;
}
