/**
 * `sadsl experiment`: trains and evaluates every method (SADSL, its ablations, the baselines) with the same
 * budget on the same queries; writes results.json, results.md and pr-curves.svg to --out, one line per
 * method on stderr. Rerunning with the same --out skips the methods already finished.
 */
import { Command } from 'commander';
import { describeSpecs } from '../data/registry.js';
import { ArgumentError } from '../errors.js';
import { runExperiment, type ExperimentEvent } from '../eval/experiment.js';
import { parseNumber, progressBar, readConfigFile, startEngine, type Progress } from './common.js';

interface ExperimentCliOptions {
  dataset: string;
  methods?: string;
  epochs?: number;
  maxSteps?: number;
  queries?: number;
  seed?: number;
  seeds?: string;
  config?: string;
  out?: string;
}

/** Progress bar while a method runs, one summary line when it is done. */
function experimentReporter(): { onEvent: (e: ExperimentEvent) => void; stop: () => void } {
  let bar: Progress | null = null;
  return {
    onEvent(e) {
      if (e.type === 'start' && e.resumed.length > 0) {
        process.stderr.write(`resuming: ${e.resumed.join(', ')} already done\n`);
      } else if (e.type === 'method-start') {
        bar = progressBar(`[${e.index + 1}/${e.total}] ${e.id} (seed ${e.seed})`, '{stage} {bar} {value}/{total} eta {eta}s');
      } else if (e.type === 'method-progress') {
        bar?.update(e.done, e.total, { stage: e.stage });
      } else if (e.type === 'method-done') {
        bar?.stop();
        bar = null;
        const r = e.result;
        const f = (x: number) => x.toFixed(4);
        process.stderr.write(
          `[${e.index + 1}/${e.total}] ${e.id} (seed ${e.seed}): mAP ${f(r.mAP)} P@10 ${f(r.precisionAt10)} P@100 ${f(r.precisionAt100)} ` +
            `R-prec ${f(r.rPrecision)} MAP@R ${f(r.mapAtR)} | train ${r.trainSeconds.toFixed(1)} s${e.skipped ? ' (from an earlier run)' : ''}\n`,
        );
      }
    },
    stop: () => bar?.stop(),
  };
}

export function experimentCommand(): Command {
  return new Command('experiment')
    .description('train every method with the same budget and compare them on the same retrieval queries')
    .requiredOption('--dataset <spec>', 'dataset spec (see below)')
    .option('--methods <list>', 'comma-separated method ids (default: all of the dataset\'s domain)')
    .option('--epochs <n>', 'training epochs of every learned method (default 1)', parseNumber('epochs', false))
    .option('--max-steps <n>', 'cap the training steps of every learned method (quick runs)', parseNumber('max-steps', true))
    .option('--queries <n>', 'evaluate this many seeded test queries (default: all)', parseNumber('queries', true))
    .option('--seed <n>', 'seed of splits, weights, sampling and queries (default 0)', parseNumber('seed', true))
    .option('--seeds <list>', 'several seeds, e.g. 0,1,2: every method runs once per seed; mean ± standard deviation are reported')
    .option('--config <file|json>', 'JSON file or inline JSON {"model": {...}, "train": {...}}: model fields for SADSL and the baselines\' encoder, training fields for SADSL (lr and its schedule for every learned method)')
    .option('--out <dir>', 'output folder; rerunning with it resumes (default experiments/<dataset>)')
    .addHelpText(
      'after',
      '\nmethods: sadsl, sadsl-no-attention, sadsl-no-adversarial, sadsl-no-topics, raw, pca (images) / lsa (documents),\n' +
        `         contrastive, triplet, multi-similarity, softmax\n\n${describeSpecs()}`,
    )
    .action(async (o: ExperimentCliOptions, cmd: Command) => {
      const methods = o.methods?.split(',').map((m) => m.trim()).filter((m) => m !== '');
      if (methods && methods.length === 0) throw new ArgumentError('--methods: expected a comma-separated list of method ids');
      if (o.seeds !== undefined && o.seed !== undefined) throw new ArgumentError('--seed and --seeds: give one of them');
      const config = o.config ? await readConfigFile(o.config) : {};
      const seeds = o.seeds?.split(',').map((v) => parseNumber('seeds', true)(v.trim()));
      await startEngine(cmd);
      const out = o.out ?? `experiments/${o.dataset.replace(/[^a-z0-9-]+/gi, '_')}`;
      const reporter = experimentReporter();
      try {
        await runExperiment({
          dataset: o.dataset,
          methods,
          epochs: o.epochs,
          maxSteps: o.maxSteps,
          queries: o.queries,
          seed: o.seed,
          seeds,
          model: config.model,
          train: config.train,
          out,
          onEvent: reporter.onEvent,
        });
      } finally {
        reporter.stop();
      }
      process.stderr.write(`wrote ${out}/results.json, results.md, pr-curves.svg\n`);
    });
}
