/**
 * `Identity` for wasm. The stock kernel copies the buffer, and the engine clones (Identity) every tensor
 * a gradient saves for the backward pass — hundreds of activation copies per training step. Kernels never
 * write into their inputs, so the output shares the input's buffer (reference-counted, as the stock
 * `Reshape` and the cpu backend's `Identity` do).
 */
import type { BackendWasm, KernelArgs, TensorInfo } from './wasm.js';

export function identity({ inputs, backend }: KernelArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
