/**
 * Lets timers and I/O run between the parts of a long computation. On the wasm and cpu backends `await
 * tensor.data()` resolves in a microtask, so a loop of them never returns to the event loop: progress bars
 * freeze, a server stops answering, and a test worker misses its runner's RPC deadline (vitest: "Timeout
 * calling onTaskUpdate"). Awaiting this once per batch, pair or step is enough.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
