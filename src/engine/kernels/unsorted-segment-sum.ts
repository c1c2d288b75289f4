/**
 * `UnsortedSegmentSum` for wasm (missing from tfjs 4.22's wasm backend): the gradient of `tf.gather`,
 * so the document encoder's word embedding (docs/model.md eq. (2)) cannot train on wasm without it.
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]; `segmentIds` covers the leading axes of x, ids outside
 * [0, numSegments) are dropped (as TensorFlow). A plain loop over the heap arrays: one pass over x.
 */
import * as tf from '../tf.js';
import type { BackendWasm, KernelArgs, TensorInfo } from './wasm.js';

export function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const inner = rows === 0 ? 0 : tf.util.sizeFromShape(x.shape) / rows;
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype); // [S, ...]
  // Views are taken after the allocation: a heap growth detaches older ones.
  const src = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  const dst = wasm.typedArrayFromHeap(out);
  dst.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const d = s * inner;
    const o = i * inner;
    for (let j = 0; j < inner; j++) dst[d + j] += src[o + j];
  }
  return out;
}
