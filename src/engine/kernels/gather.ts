/**
 * `GatherV2` for wasm along axis 0 (the document encoder's embedding lookup, docs/model.md eq. (2)): the stock
 * kernel indexes element by element; here each gathered row is one block copy. Other axes, batchDims and
 * out-of-range indices go to the stock kernel (which reports the bad index).
 */
import * as tf from '../tf.js';
import { runStock, type BackendWasm, type KernelArgs, type TensorInfo } from './wasm.js';

export function gatherV2({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  if (ax !== 0 || batchDims !== 0 || x.dtype === 'string' || x.shape.length === 0) return runStock(tf.GatherV2, wasm, { x, indices }, attrs);
  const rows = x.shape[0];
  const idx = wasm.typedArrayFromHeap(indices);
  for (let i = 0; i < idx.length; i++) {
    if (!(idx[i] >= 0 && idx[i] < rows)) return runStock(tf.GatherV2, wasm, { x, indices }, attrs);
  }
  const width = tf.util.sizeFromShape(x.shape.slice(1));
  const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype); // [...indices, ...row]
  // Views are taken after the allocation: a heap growth detaches older ones.
  const src = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(indices);
  const dst = wasm.typedArrayFromHeap(out);
  for (let i = 0; i < ids.length; i++) dst.set(src.subarray(ids[i] * width, (ids[i] + 1) * width), i * width);
  return out;
}
