#!/usr/bin/env node
/**
 * The `sadsl` command line. Each sub-command lives in its own file. User errors print one line and exit 2;
 * nothing prints a stack trace unless SADSL_DEBUG is set.
 */
import { Command } from 'commander';
import { SadslError } from '../errors.js';
import { registerCommands } from './commands.js';

async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('sadsl')
    .description('Explainable similarity learning and retrieval (SADSL)')
    .option('--backend <name>', 'engine backend: auto, torch, tensorflow, wasm or cpu (env SADSL_BACKEND)')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; exitCode?: number };
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof SadslError) {
    process.stderr.write(`sadsl: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (process.env.SADSL_DEBUG) throw err;
  process.stderr.write(`sadsl: internal error: ${(err as Error)?.message ?? String(err)} (set SADSL_DEBUG=1 for details)\n`);
  process.exit(1);
});
