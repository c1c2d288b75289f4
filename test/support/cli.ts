/**
 * Runs `sadsl …` (src/cli/main.ts under tsx) in a child process without blocking the test worker: a
 * synchronous spawn of a training run stalls the worker's event loop past vitest's 60 s RPC timeout
 * ("Timeout calling onTaskUpdate"), which fails the run although every test passed.
 */
import { spawn } from 'node:child_process';

export interface CliResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
