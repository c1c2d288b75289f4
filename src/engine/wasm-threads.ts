/**
 * Threaded wasm in Node (issue 12). tfjs-backend-wasm 4.22 ships `tfjs-backend-wasm-threaded-simd.wasm` but
 * switches it off in Node (tfjs issue #3830): its loader hands Emscripten the pthread worker and the main
 * script as blob URLs, which Node's `worker_threads` cannot start. Here the `wasm` backend is re-registered
 * with a factory that gives Emscripten files instead: the worker script (shipped as a string) is written to
 * the temp folder, the main script is the package's own file. Every kernel stays registered, as the backend
 * keeps its name. The thread count is `wasmThreads()` (backend.ts; `ENGINE_DEFAULTS.wasmThreads`).
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf.js';

const require = createRequire(import.meta.url);

/** The Emscripten module object the threaded factory resolves to (only what is used here). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => unknown;
  tfjs?: Record<string, unknown>;
  PThread: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
}

/** Writes the pthread worker script once per content (a temp file named by its hash) and returns its path. */
function workerScript(contents: string): string {
  // The shipped string holds real newlines inside string literals; tfjs escapes them the same way for its blob.
  const text = contents.replace(/\n/g, '\\n');
  const file = path.join(tmpdir(), `sadsl-wasm-worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.cjs`);
  if (!existsSync(file)) writeFileSync(file, text);
  return file;
}

/**
 * Replaces the `wasm` backend's factory with the threaded SIMD build using `threads` XNNPACK threads. Call
 * before the backend is first initialised.
 */
export function registerThreadedWasm(threads: number): void {
  const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as (config: object) => Promise<EmscriptenModule>;
  const { wasmWorkerContents } = require(path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const worker = workerScript(wasmWorkerContents);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // tfjs sizes XNNPACK's pool as min(threads, cores / 2), with the cores Emscripten reads from `os.cpus()`
      // while the module starts: for that moment it reports 2 · threads.
      const os = require('node:os') as { cpus: () => unknown[] };
      const cpus = os.cpus;
      os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
      try {
        const module = await factory({
          locateFile: (file: string, prefix: string) =>
            file.endsWith('.worker.js') ? worker : file.endsWith('.wasm') ? path.join(pkg, 'wasm-out', file) : prefix + file,
          mainScriptUrlOrBlob: mainScript,
        });
        // The same bridge tfjs's own loader builds (backend_wasm.ts, init()).
        module.tfjs = {
          init: module.cwrap('init', null, []),
          initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
          getThreadsCount: module.cwrap('get_threads_count', 'number', []),
          registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
          disposeData: module.cwrap('dispose_data', null, ['number']),
          dispose: module.cwrap('dispose', null, []),
        };
        const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]); // makes the pool
        // The pool's threads live as long as the backend; referenced, they would keep Node from exiting.
        for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref();
        return backend;
      } finally {
        os.cpus = cpus;
      }
    },
    2,
  );
  setThreadsCount(threads);
}
