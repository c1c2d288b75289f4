/** `sadsl index`: encode a dataset split with a trained model into a search index (a directory or s3://bucket/path). */
import { Command } from 'commander';
import { ANN_INDEX_TYPES, COMPACT_DEFAULTS, INDEX_DEFAULTS, compactParamsSchema, parseConfig, type AnnIndexType } from '../config.js';
import { ArgumentError } from '../errors.js';
import { buildIndex } from '../search/build.js';
import { describeIndex } from '../search/lance.js';
import type { IndexManifest } from '../search/manifest.js';
import { parseNumber, peakRssMiB, progressBar, startEngine } from './common.js';

function describeAnn(m: IndexManifest): string[] {
  const a = m.ann;
  if (a.type === 'none') return ['ANN: none (exact search)'];
  const lines = [`ANN: LanceDB ${describeIndex(a.index)} on ${a.dims}-dim projections, built in ${a.buildSeconds.toFixed(1)} s; search nprobes ${a.search.nprobes}, refine ×${a.search.refineFactor}`];
  if (a.measured) {
    const r = a.measured;
    lines.push(`  recall@${r.k} ${r.recall.toFixed(3)} vs exact on ${r.queries} held-out queries; ${r.annQps.toFixed(1)} q/s (exact: ${r.exactQps.toFixed(1)} q/s, one query at a time)`);
  }
  return lines;
}

export function indexCommand(): Command {
  return new Command('index')
    .description('encode a dataset split into a search index: compact codes, exact search and a LanceDB ANN stage')
    .requiredOption('--model <dir>', 'saved model or run directory')
    .requiredOption('--out <dir|s3://bucket/path>', 'index location (S3: endpoint and keys from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION)')
    .option('--dataset <spec>', "dataset to index (default: the model's)")
    .option('--split <split>', 'train or test', 'train')
    .option('--batch-size <n>', 'objects per forward pass', parseNumber('batch-size', true), 256)
    .option('--ann <kind>', 'ANN stage: auto (from 10,000 objects), lance or none', 'auto')
    .option('--ann-index <type>', `ANN index type: ${ANN_INDEX_TYPES.join(', ')}`, INDEX_DEFAULTS.annIndex)
    .option('--ann-only', 'rebuild only the ANN stage of the index at --out (another --ann-index, or measured again); nothing is encoded')
    .option('--code-dtype <type>', 'stored values: int8 or int4 (per-block scale), float16 or float32', COMPACT_DEFAULTS.dtype)
    .option('--max-blocks <m>', 'most topic blocks stored per object', parseNumber('max-blocks', true), COMPACT_DEFAULTS.maxBlocks)
    .option('--max-dropped-mass <δ>', 'keep the fewest blocks whose dropped mass Σθ is at most δ', parseNumber('max-dropped-mass', false), COMPACT_DEFAULTS.maxDroppedMass)
    .action(async (o: { model: string; out: string; dataset?: string; split: string; batchSize: number; ann: string; annIndex: string; annOnly?: boolean; codeDtype: string; maxBlocks: number; maxDroppedMass: number }, cmd: Command) => {
      if (o.split !== 'train' && o.split !== 'test') throw new ArgumentError(`--split: expected train or test, got '${o.split}'`);
      if (!['auto', 'lance', 'none'].includes(o.ann)) throw new ArgumentError(`--ann: expected auto, lance or none, got '${o.ann}'`);
      if (!(ANN_INDEX_TYPES as readonly string[]).includes(o.annIndex)) throw new ArgumentError(`--ann-index: expected ${ANN_INDEX_TYPES.join(', ')}, got '${o.annIndex}'`);
      if (o.annOnly && o.ann === 'none') throw new ArgumentError('--ann-only rebuilds the ANN stage: it cannot be combined with --ann none');
      const annIndex = o.annIndex as AnnIndexType;
      const codes = parseConfig(compactParamsSchema, { dtype: o.codeDtype, maxBlocks: o.maxBlocks, maxDroppedMass: o.maxDroppedMass }, 'code options (--code-dtype, --max-blocks, --max-dropped-mass)');
      await startEngine(cmd);
      const bars = { scan: progressBar('reading'), encode: progressBar('encoding'), ann: progressBar('ANN vectors'), measure: progressBar('measuring recall') };
      const start = performance.now();
      const m = await buildIndex({
        model: o.model,
        dataset: o.dataset,
        split: o.split,
        out: o.out,
        batchSize: o.batchSize,
        codes,
        ann: o.ann === 'auto' ? 'auto' : o.ann === 'none' ? 'none' : {},
        annIndex,
        annOnly: o.annOnly,
        onProgress: (stage, done, total) => bars[stage].update(done, total),
      });
      Object.values(bars).forEach((b) => b.stop());
      const c = m.codes;
      console.log(`indexed ${m.n} objects of ${m.dataset.name} ${m.split} → ${o.out} in ${((performance.now() - start) / 1000).toFixed(1)} s (peak RSS ${peakRssMiB()} MiB)`);
      console.log(
        `codes: ${c.params.dtype}, ${c.meanBlocks.toFixed(2)} of ${m.layout.topics} topic blocks per object (at most ${c.params.maxBlocks}), ` +
          `${c.bytesPerObject.toFixed(0)} bytes per object (full: ${m.dim * 4}); dropped mass mean ${c.meanDroppedMass.toFixed(4)}, max ${c.maxDroppedMass.toFixed(4)} (bound ${c.params.maxDroppedMass})`,
      );
      for (const line of describeAnn(m)) console.log(line);
    });
}
