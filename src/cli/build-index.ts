/** `sadsl index`: encode a dataset split with a trained model into a search index. */
import { Command } from 'commander';
import { ArgumentError } from '../errors.js';
import { buildIndex } from '../search/build.js';
import { parseNumber, progressBar, startEngine } from './common.js';

export function indexCommand(): Command {
  return new Command('index')
    .description('encode a dataset split into a search index (exact + LanceDB)')
    .requiredOption('--model <dir>', 'saved model or run directory')
    .requiredOption('--out <dir>', 'index directory to write')
    .option('--dataset <spec>', "dataset to index (default: the model's)")
    .option('--split <split>', 'train or test', 'train')
    .option('--batch-size <n>', 'objects per forward pass', parseNumber('batch-size', true), 256)
    .option('--ann <kind>', 'ANN index: auto (IVF_PQ from 10,000 objects), ivf-pq or none', 'auto')
    .action(async (o: { model: string; out: string; dataset?: string; split: string; batchSize: number; ann: string }, cmd: Command) => {
      if (o.split !== 'train' && o.split !== 'test') throw new ArgumentError(`--split: expected train or test, got '${o.split}'`);
      if (!['auto', 'ivf-pq', 'none'].includes(o.ann)) throw new ArgumentError(`--ann: expected auto, ivf-pq or none, got '${o.ann}'`);
      await startEngine(cmd);
      const bars = { encode: progressBar('encoding'), write: progressBar('writing') };
      const start = performance.now();
      const m = await buildIndex({
        model: o.model,
        dataset: o.dataset,
        split: o.split,
        out: o.out,
        batchSize: o.batchSize,
        ann: o.ann === 'auto' ? 'auto' : o.ann === 'none' ? { type: 'none' } : 'ivf_pq',
        onProgress: (stage, done, total) => bars[stage].update(done, total),
      });
      bars.encode.stop();
      bars.write.stop();
      const ann = m.ann.type === 'none' ? 'no ANN index' : `IVF_PQ ${m.ann.partitions} partitions × ${m.ann.subVectors} sub-vectors`;
      console.log(`indexed ${m.n} objects of ${m.dataset.name} ${m.split} (dim ${m.dim}, ${ann}) → ${o.out} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    });
}
