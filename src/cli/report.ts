/** `sadsl report`: one self-contained HTML report of a run directory. */
import { Command } from 'commander';
import { parseNumber, startEngine } from './common.js';
import { writeReport } from '../explain/report.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('self-contained HTML report of a run: training curves, results, topic gallery, retrieval strips with heat maps')
    .requiredOption('--run <dir>', 'run directory (sadsl train --out / sadsl demo --out)')
    .option('--out <file>', 'output file (default <run>/report.html)')
    .option('--queries <n>', 'retrieval strips', parseNumber('queries', true), 3)
    .option('--max-objects <n>', 'training objects encoded for the gallery and the retrieval database (default 10000)', parseNumber('max-objects', true))
    .option('--seed <n>', 'seed of the queries and renders', parseNumber('seed', true), 0)
    .action(async (o: { run: string; out?: string; queries: number; maxObjects?: number; seed: number }, cmd: Command) => {
      await startEngine(cmd);
      const file = await writeReport(o.run, {
        out: o.out,
        queries: o.queries,
        maxObjects: o.maxObjects,
        seed: o.seed,
        onProgress: (what) => process.stderr.write(`report: ${what}\n`),
      });
      console.log(file);
    });
}
