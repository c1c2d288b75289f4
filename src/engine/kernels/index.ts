/**
 * Training kernels the tfjs 4.22 wasm backend lacks or runs slowly. Registered once, at backend
 * initialisation, by `registerWasmKernels()`.
 */
export function registerWasmKernels(): string[] {
  return [];
}
