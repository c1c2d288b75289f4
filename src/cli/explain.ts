/** `sadsl explain`: the exact topic and region decomposition of s(a, b) for two objects, optionally as pictures. */
import { Command } from 'commander';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { resolveObject } from '../explain/object-file.js';
import { writePairExplanation } from '../explain/pair-files.js';
import { loadModel } from '../train/trained-model.js';
import { parseNumber, startEngine } from './common.js';

export function explainCommand(): Command {
  return new Command('explain')
    .description('why two objects are similar: score, per-topic and per-region contributions')
    .requiredOption('--model <dir>', 'saved model')
    .requiredOption('--a <ref>', 'first object: split:index (e.g. test:0), an image file, or a .txt file for document models')
    .requiredOption('--b <ref>', 'second object, as --a')
    .option('--dataset <spec>', 'dataset the refs point into (default: the model\'s)')
    .option('--top <n>', 'topics listed in the text output', '5')
    .option('--out <dir>', 'write heat maps (images) or highlighted text (documents) and explanation.json here')
    .option('--scale <n>', 'enlargement of the heat map PNGs', parseNumber('scale', true), 4)
    .option('--json', 'print JSON {score, topics, regions}')
    .action(async (o: { model: string; a: string; b: string; dataset?: string; top: string; out?: string; scale: number; json?: boolean }, cmd: Command) => {
      await startEngine(cmd);
      const model = await loadModel(o.model);
      try {
        let ds: Dataset | null = null;
        const dataset = async () => (ds ??= await loadDataset(o.dataset ?? model.dataset.spec));
        const input = model.preprocessor.input;
        const a = await resolveObject(o.a, input, dataset, '--a');
        const b = await resolveObject(o.b, input, dataset, '--b');
        const e = model.explain(a, b);
        if (o.out) {
          const files = await writePairExplanation(model, a, b, o.out, { scale: o.scale, names: [o.a, o.b] });
          process.stderr.write(`sadsl: wrote ${files.length} files to ${o.out}\n`);
        }
        if (o.json) {
          console.log(JSON.stringify(e));
          return;
        }
        const cls = (x: typeof a) => {
          const label = x.split.labels[x.indices ? x.indices[0] : 0];
          return label >= 0 && ds ? ds.classes[label] : 'file';
        };
        console.log(`s(${o.a} [${cls(a)}], ${o.b} [${cls(b)}]) = ${e.score.toFixed(4)}`);
        const top = [...e.topics].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution)).slice(0, Number(o.top) || 5);
        for (const t of top) console.log(`  topic ${String(t.topic).padStart(3)}: ${t.contribution >= 0 ? '+' : ''}${t.contribution.toFixed(4)}`);
      } finally {
        model.dispose();
      }
    });
}
