/** Child of wasm-threads.test.ts: initialises the engine as `SADSL_WASM_THREADS` says and prints one JSON line. */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initEngine } from '../../src/engine/backend.js';
import { threadedCase } from './wasm-threads-case.js';

try {
  const info = await initEngine({ backend: 'wasm' });
  const out = threadedCase();
  console.log(JSON.stringify({ reason: info.reason, threads: getThreadsCount(), conv: Array.from(out.conv), mm: Array.from(out.mm) }));
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message }));
}
