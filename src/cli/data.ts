/** `sadsl data inspect <spec> [--json]`: what a dataset spec loads to. */
import { Command } from 'commander';
import { formatSummary, inspectDataset } from '../data/inspect.js';
import { describeSpecs, loadDataset } from '../data/registry.js';
import { parseNumber, progressBar } from './common.js';

export function dataCommand(): Command {
  const data = new Command('data').description('dataset tools');
  data
    .command('inspect')
    .description('load a dataset and print per split the objects, classes and per-class counts')
    .argument('<spec>', 'dataset spec (see below)')
    .option('--json', 'print JSON')
    .option('--image-size <n>', 'side of images:/dir images after resizing', parseNumber('image-size', true))
    .option('--seed <n>', 'seed of the stratified split when the source has none', parseNumber('seed', true))
    .option('--test-fraction <x>', 'test share of that split', parseNumber('test-fraction', false))
    .option('--no-cache', 'parse the source even when a cached copy exists')
    .addHelpText('after', `\n${describeSpecs()}`)
    .action(async (spec: string, o: { json?: boolean; imageSize?: number; seed?: number; testFraction?: number; cache: boolean }) => {
      const progress = progressBar('loading', '[{bar}] {value}/{total} {eta}s');
      try {
        const ds = await loadDataset(spec, { imageSize: o.imageSize, seed: o.seed, testFraction: o.testFraction, cache: o.cache, onProgress: (done, total) => progress.update(done, total) });
        const summary = inspectDataset(ds);
        console.log(o.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
      } finally {
        progress.stop();
      }
    });
  return data;
}
