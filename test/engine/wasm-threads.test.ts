/**
 * Threaded wasm (src/engine/wasm-threads.ts): with `SADSL_WASM_THREADS=2` the engine loads the threaded SIMD
 * build with two XNNPACK threads, computes what the cpu backend computes, and the process still exits on its
 * own (the pool's workers must not hold Node open). Each case runs in a child: the backend registry is global.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/tf.js';
import { threadedCase } from './wasm-threads-case.js';

interface ChildOut {
  reason?: string;
  threads?: number;
  conv?: number[];
  mm?: number[];
  error?: string;
}

/** Runs the child with `SADSL_WASM_THREADS=threads`; rejects when it does not exit within 60 s. */
function child(threads: string): Promise<{ code: number | null; out: ChildOut }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/engine/wasm-threads-child.ts'], {
      env: { ...process.env, SADSL_WASM_THREADS: threads, SADSL_TEST_BACKEND: '' },
    });
    let stdout = '';
    p.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`child with ${threads} threads did not exit in 60 s; stdout: ${stdout}`));
    }, 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildOut });
    });
  });
}

function expectClose(actual: number[], expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThan(1e-5);
}

describe('threaded wasm', () => {
  it('two XNNPACK threads: the values of the cpu backend, and the process exits by itself', async () => {
    const { code, out } = await child('2');
    expect(code).toBe(0);
    expect(out.error).toBeUndefined();
    expect(out.threads).toBe(2);
    expect(out.reason).toContain('2 XNNPACK threads');
    await tf.setBackend('cpu');
    const ref = threadedCase();
    expectClose(out.conv ?? [], ref.conv);
    expectClose(out.mm ?? [], ref.mm);
  }, 90_000);

  it('one thread keeps the stock single-threaded build', async () => {
    const { code, out } = await child('1');
    expect(code).toBe(0);
    expect(out.threads).toBe(1);
    expect(out.reason).not.toContain('XNNPACK');
  }, 90_000);

  it('a bad SADSL_WASM_THREADS is an error naming the variable', async () => {
    const { out } = await child('two');
    expect(out.error).toBe("SADSL_WASM_THREADS: expected auto or an integer from 1 to 64, got 'two'");
  }, 90_000);
});
