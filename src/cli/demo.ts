/** `sadsl demo` (what `npm start` runs): train on the embedded image sample, evaluate, print the mAP. */
import { Command } from 'commander';
import { DEMO_DEFAULTS } from '../config.js';
import { retrievalValidation } from '../eval/validation.js';
import { train } from '../train/train.js';
import { parseNumber, startEngine } from './common.js';
import { evaluateModel, formatResult } from './eval.js';
import { trainReporter } from './train.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('train on the embedded sample (2,000 Fashion-MNIST images), evaluate, print the mAP and the run directory')
    .option('--epochs <n>', 'epochs over the sample', parseNumber('epochs', false), DEMO_DEFAULTS.epochs)
    .option('--out <dir>', 'run directory', DEMO_DEFAULTS.out)
    .action(async (o: { epochs: number; out: string }, cmd: Command) => {
      await startEngine(cmd);
      const reporter = trainReporter();
      const r = await train({
        dataset: 'sample-images',
        train: { epochs: o.epochs, validationSize: DEMO_DEFAULTS.validationSize, checkpointEvery: DEMO_DEFAULTS.checkpointEvery },
        out: o.out,
        validate: retrievalValidation,
        onEvent: reporter.onEvent,
      });
      reporter.stop();
      console.log(`trained ${r.steps} steps in ${r.seconds.toFixed(1)} s (${r.objectsPerSecond.toFixed(1)} images/s)`);
      const result = await evaluateModel(r.model, 'sample-images', {});
      r.model.dispose();
      console.log(formatResult(result));
      console.log(`mAP=${result.mAP.toFixed(4)}`);
      console.log(`run directory: ${o.out} (model in ${o.out}/model; try: npx sadsl explain --model ${o.out} --a test:0 --b test:1)`);
    });
}
