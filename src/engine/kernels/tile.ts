/**
 * `Tile` for wasm. The BatchNorm gradient tiles 1/√(var+ε) [1,1,1,C] to the whole activation
 * [B,H,W,C] (tfjs-core FusedBatchNorm_grad), and the stock kernel's per-element index arithmetic made
 * that the slowest op of a training step (~150 ms per BatchNorm at batch 64). Here each axis is a block
 * copy repeated by doubling `copyWithin` (memcpy), innermost axis first. Strings use the stock kernel.
 */
import * as tf from '../tf.js';
import { runStock, type BackendWasm, type KernelArgs, type TensorInfo } from './wasm.js';

type Numeric = ReturnType<BackendWasm['typedArrayFromHeap']>;

/** Fills dst[0, count·block) with `count` copies of dst[0, block). */
function repeatBlock(dst: Numeric, block: number, count: number): void {
  const total = block * count;
  for (let filled = block; filled < total; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, total - filled));
}

export function tile({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x } = inputs as { x: TensorInfo };
  const { reps } = attrs as unknown as tf.TileAttrs;
  if (x.dtype === 'string') return runStock(tf.Tile, wasm, { x }, { reps });
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = wasm.makeOutput(outShape, x.dtype);
  if (outShape.some((d) => d === 0)) return out;
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  const inStrides = [...tf.util.computeStrides(x.shape), 1];
  const outStrides = [...tf.util.computeStrides(outShape), 1];

  // Writes x's sub-block at `axis` (source offset s) tiled, at dst offset d.
  const fill = (axis: number, s: number, d: number): void => {
    const n = x.shape[axis];
    if (axis === rank - 1) {
      dst.set(src.subarray(s, s + n), d);
    } else {
      for (let i = 0; i < n; i++) fill(axis + 1, s + i * inStrides[axis], d + i * outStrides[axis]);
    }
    const block = n * outStrides[axis];
    if (reps[axis] > 1) repeatBlock(dst.subarray(d, d + block * reps[axis]), block, reps[axis]);
  };
  if (rank === 0) dst[0] = src[0];
  else fill(0, 0, 0);
  return out;
}
