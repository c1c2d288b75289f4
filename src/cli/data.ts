/** `sadsl data inspect <spec> [--json]`: what a dataset spec loads to (issue 3, "CLI"). */
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { ArgumentError, describeSpecs, formatSummary, inspectDataset, loadDataset } from '../index.js';

function parseNumber(name: string, integer: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new ArgumentError(`--${name}: expected ${integer ? 'an integer' : 'a number'}, got "${v}"`);
    }
    return n;
  };
}

/** A progress bar on stderr, started on the first report (cache hits and fast loaders never show it). */
function progressBar(): { onProgress: (done: number, total: number) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  return {
    onProgress: (done, total) => {
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'loading [{bar}] {value}/{total} {eta}s' }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

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
      const progress = progressBar();
      try {
        const ds = await loadDataset(spec, { imageSize: o.imageSize, seed: o.seed, testFraction: o.testFraction, cache: o.cache, onProgress: progress.onProgress });
        const summary = inspectDataset(ds);
        console.log(o.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
      } finally {
        progress.stop();
      }
    });
  return data;
}
