import { Command } from 'commander';
import { initEngine } from '../index.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('train on the embedded sample, evaluate, and print the mAP and the run directory')
    .action(async (_opts, cmd: Command) => {
      const engine = await initEngine({ backend: cmd.optsWithGlobals().backend });
      console.log(`engine: ${engine.backend} (custom kernels: ${engine.customKernels.join(', ') || 'none'})`);
    });
}
