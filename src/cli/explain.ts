/** `sadsl explain`: the exact topic and region decomposition of s(a, b) for two objects. */
import { Command } from 'commander';
import { loadDataset, loadModel, resolveRef } from '../index.js';
import { startEngine } from './common.js';

export function explainCommand(): Command {
  return new Command('explain')
    .description('why two objects are similar: score, per-topic and per-region contributions')
    .requiredOption('--model <dir>', 'saved model')
    .requiredOption('--a <ref>', 'first object, split:index (e.g. test:0)')
    .requiredOption('--b <ref>', 'second object, split:index')
    .option('--dataset <spec>', 'dataset the refs point into (default: the model\'s)')
    .option('--top <n>', 'topics listed in the text output', '5')
    .option('--json', 'print JSON {score, topics, regions}')
    .action(async (o: { model: string; a: string; b: string; dataset?: string; top: string; json?: boolean }, cmd: Command) => {
      await startEngine(cmd);
      const model = await loadModel(o.model);
      const ds = await loadDataset(o.dataset ?? model.dataset.spec);
      const a = resolveRef(ds, o.a, '--a');
      const b = resolveRef(ds, o.b, '--b');
      const e = model.explain({ split: a.split, indices: [a.index] }, { split: b.split, indices: [b.index] });
      model.dispose();
      if (o.json) {
        console.log(JSON.stringify(e));
        return;
      }
      const cls = (s: typeof a) => ds.classes[s.split.labels[s.index]];
      console.log(`s(${o.a} [${cls(a)}], ${o.b} [${cls(b)}]) = ${e.score.toFixed(4)}`);
      const top = [...e.topics].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution)).slice(0, Number(o.top) || 5);
      for (const t of top) console.log(`  topic ${String(t.topic).padStart(3)}: ${t.contribution >= 0 ? '+' : ''}${t.contribution.toFixed(4)}`);
    });
}
