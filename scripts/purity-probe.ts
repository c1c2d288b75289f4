/**
 * Model-v3 study, round 7: which image topics are impure (STUDY.md §9). Per topic k of a saved model: the class
 * that owns it (k mod C, docs/model.md eq. (35)), the majority class among the 100 training objects with the
 * largest θ_k and its share (eq. (27)), and the classes mixed in. Prints one line per topic.
 *   npx tsx scripts/purity-probe.ts --model <dir>
 */
import { Command } from 'commander';
import { loadDataset } from '../src/data/registry.js';
import { initEngine } from '../src/engine/backend.js';
import { loadModel } from '../src/train/trained-model.js';

const o = new Command().requiredOption('--model <dir>').option('--objects <n>', 'objects per topic', (v) => parseInt(v, 10), 100).parse().opts();
await initEngine();
const model = await loadModel(o.model);
const ds = await loadDataset(model.dataset.spec);
const { theta } = await model.encode({ split: ds.train });
if (!theta) throw new Error('a model with topics');
const K = theta.K;
const C = ds.classes.length;
const shares: number[] = [];
for (let k = 0; k < K; k++) {
  const rows = Array.from({ length: ds.train.n }, (_, i) => i).sort((a, b) => theta.values[b * K + k] - theta.values[a * K + k]).slice(0, o.objects);
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(ds.train.labels[r], (counts.get(ds.train.labels[r]) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  shares.push(ranked[0][1] / rows.length);
  const minTheta = theta.values[rows[rows.length - 1] * K + k];
  console.log(`topic ${k} owner ${ds.classes[k % C]}: majority ${ds.classes[ranked[0][0]]} ${(ranked[0][1] / rows.length).toFixed(2)}; ${ranked.slice(1, 4).map(([c, n]) => `${ds.classes[c]} ${n}`).join(', ')}; θ_k of the ${o.objects}th ${minTheta.toFixed(3)}`);
}
console.log(`mean purity ${(shares.reduce((a, b) => a + b, 0) / K).toFixed(3)}`);
