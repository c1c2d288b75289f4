/** `sadsl train`: trains SADSL on a dataset spec with a progress bar; writes a run directory. */
import { Command } from 'commander';
import { VARIANTS } from '../config.js';
import { describeSpecs } from '../data/registry.js';
import { ArgumentError } from '../errors.js';
import { retrievalValidation } from '../eval/validation.js';
import { train, type TrainEvent } from '../train/train.js';
import { parseNumber, peakRssMiB, readConfigFile, progressBar, startEngine } from './common.js';

interface TrainCliOptions {
  dataset?: string;
  epochs?: number;
  maxSteps?: number;
  config?: string;
  variant?: string;
  seed?: number;
  out?: string;
  resume?: string;
}

/** Formats training events for the terminal: a bar for steps, one line per epoch. */
export function trainReporter(): { onEvent: (e: TrainEvent) => void; stop: () => void } {
  const bar = progressBar('train', '{bar} {value}/{total} | sim {sim} rec {rec} G {g} D {d} | {ips} obj/s | eta {eta}s');
  const prepare = { scan: progressBar('reading'), vocabulary: progressBar('vocabulary') };
  return {
    onEvent(e) {
      if (e.type === 'prepare') {
        prepare[e.stage].update(e.done, e.total);
        if (e.done === e.total) prepare[e.stage].stop();
      } else if (e.type === 'step') {
        const f = (x: number) => x.toFixed(3);
        bar.update(e.step, e.totalSteps, { sim: f(e.losses.sim), rec: f(e.losses.rec), g: f(e.losses.g), d: f(e.losses.d), ips: e.objectsPerSecond.toFixed(1) });
      } else if (e.type === 'epoch' && e.validation) {
        const u = e.topicUsage;
        process.stderr.write(
          `\nepoch ${e.epoch} (step ${e.step}): validation mAP ${e.validation.mAP.toFixed(4)} P@10 ${e.validation.precisionAt10.toFixed(4)}` +
            (u ? ` | topics used ${u.topicsUsedAsArgmax}/${Math.round(Math.exp(u.logK))} H(θ̄) ${u.entropyMeanTheta.toFixed(3)}/${u.logK.toFixed(3)}` : '') +
            '\n',
        );
      }
    },
    stop: () => [bar, ...Object.values(prepare)].forEach((b) => b.stop()),
  };
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train SADSL on a labelled dataset')
    .option('--dataset <spec>', 'dataset spec (see below)')
    .option('--epochs <n>', 'epochs (default 1)', parseNumber('epochs', false))
    .option('--max-steps <n>', 'stop after this many steps', parseNumber('max-steps', true))
    .option('--config <file|json>', 'JSON file or inline JSON {"model": {...}, "train": {...}} of config fields')
    .option('--variant <v>', `model variant: ${VARIANTS.join(', ')}`)
    .option('--seed <n>', 'seed of weights, sampling and noise (default 0)', parseNumber('seed', true))
    .option('--out <dir>', 'run directory (default runs/<dataset>-<time>)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .addHelpText('after', `\n${describeSpecs()}`)
    .action(async (o: TrainCliOptions, cmd: Command) => {
      if (!o.resume && !o.dataset) throw new ArgumentError('--dataset is required (or --resume <dir>)');
      if (o.variant !== undefined && !(VARIANTS as readonly string[]).includes(o.variant)) {
        throw new ArgumentError(`--variant: expected one of ${VARIANTS.join(', ')}, got '${o.variant}'`);
      }
      await startEngine(cmd);
      const file = o.config ? await readConfigFile(o.config) : {};
      const out = o.resume ?? o.out ?? `runs/${o.dataset!.replace(/[^a-z0-9-]+/gi, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const reporter = trainReporter();
      try {
        const r = await train({
          dataset: o.dataset ?? '',
          model: { ...file.model, ...(o.variant ? { variant: o.variant as (typeof VARIANTS)[number] } : {}) },
          train: {
            ...file.train,
            ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
            ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
            ...(o.seed !== undefined ? { seed: o.seed } : {}),
          },
          out,
          resume: Boolean(o.resume),
          validate: retrievalValidation,
          onEvent: reporter.onEvent,
        });
        reporter.stop();
        console.log(`trained ${r.steps} steps in ${r.seconds.toFixed(1)} s (${r.objectsPerSecond.toFixed(1)} objects/s, peak RSS ${peakRssMiB()} MiB); model: ${out}/model`);
        r.model.dispose();
      } finally {
        reporter.stop();
      }
    });
}
