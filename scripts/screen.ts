/**
 * Model-v3 screening: trains SADSL with a config (on the whole training split, no validation hold-out),
 * evaluates retrieval on the protocol (database = train, queries = test or Q seeded), the explanation
 * metrics and (optionally) deletion faithfulness, and appends one JSON row to --out.
 *   npx tsx scripts/screen.ts --dataset 20news --epochs 2 --name v2 --config '{"train":{...},"model":{...}}'
 */
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { initEngine } from '../src/engine/backend.js';
import { loadDataset } from '../src/data/registry.js';
import { train } from '../src/train/train.js';
import { evaluateCodes } from '../src/eval/retrieval.js';
import { selectQueries } from '../src/eval/evaluate-model.js';
import { effectiveTopics, top3Share, topicPurity } from '../src/eval/explanation-metrics.js';
import { meanFaithfulness } from '../src/explain/faithfulness.js';

const p = new Command()
  .requiredOption('--dataset <spec>')
  .option('--epochs <n>', 'epochs', parseFloat, 1)
  .option('--steps <n>', 'max steps', (v) => parseInt(v, 10))
  .option('--seed <n>', 'seed', (v) => parseInt(v, 10), 0)
  .option('--queries <n>', 'queries', (v) => parseInt(v, 10))
  .option('--config <json>', 'config', '{}')
  .option('--faith <n>', 'faithfulness pairs (0 = skip)', (v) => parseInt(v, 10), 0)
  .option('--name <s>', 'row name', 'run')
  .option('--out <file>', 'jsonl', 'screen.jsonl')
  .option('--save <dir>', 'also save the trained model there')
  .parse();
const o = p.opts();
const engine = await initEngine();
const cfg = JSON.parse(o.config) as { model?: object; train?: object };
const ds = await loadDataset(o.dataset, { seed: o.seed });
let lastLog = 0;
const r = await train({
  dataset: ds,
  model: cfg.model,
  train: { ...cfg.train, epochs: o.epochs, ...(o.steps ? { maxSteps: o.steps } : {}), seed: o.seed, validationSize: 0 },
  onEvent: (e) => {
    if (e.type === 'step' && e.step - lastLog >= 40) {
      lastLog = e.step;
      const l = e.losses;
      console.error(`[${o.name}] step ${e.step}/${e.totalSteps} sim ${l.sim.toFixed(3)} rec ${l.rec.toFixed(3)} g ${l.g.toFixed(3)} d ${l.d.toFixed(3)} div ${l.div.toFixed(3)} bal ${l.bal.toFixed(3)} proto ${l.proto.toFixed(3)} sharp ${l.sharp.toFixed(3)} ${e.objectsPerSecond.toFixed(0)}/s`);
    }
  },
});
const model = r.model;
if (o.save) await model.save(o.save);
const db = await model.encode({ split: ds.train });
const q = selectQueries(ds.test.n, o.queries, o.seed);
const qc = await model.encode({ split: ds.test, indices: q });
const m = await evaluateCodes(qc, Int32Array.from(q, (i) => ds.test.labels[i]), db, ds.train.labels, { hits: 10 });
const row: Record<string, unknown> = {
  name: o.name,
  dataset: o.dataset,
  seed: o.seed,
  epochs: o.epochs,
  steps: r.steps,
  config: cfg,
  mAP: m.mAP,
  precisionAt10: m.precisionAt10,
  precisionAt100: m.precisionAt100,
  trainSeconds: r.seconds,
  cpu: os.cpus()[0]?.model,
  backend: engine.backend,
  load: os.loadavg()[0],
};
if (qc.theta && db.theta) {
  const K = qc.theta.K;
  row.top3Share = top3Share(qc.codes, db.codes, qc.dim, K, m.hits!, 10);
  row.effectiveTopics = effectiveTopics(qc.theta.values, q.length, K);
  row.topicPurity = topicPurity(db.theta.values, ds.train.labels, K, 100);
}
if (o.faith > 0) {
  const f = await meanFaithfulness(model, ds, { pairs: o.faith, seed: o.seed });
  row.faithfulness = f;
}
appendFileSync(o.out, JSON.stringify(row) + '\n');
console.log(JSON.stringify(row));
