/**
 * Model-v3 study, round 7: which image topics are impure (STUDY.md §9). Per topic k of a saved model: the class
 * that owns it (k mod C, docs/model.md eq. (35)), the majority class among the 100 training objects with the
 * largest θ_k and its share (eq. (27)), and the classes mixed in. Prints one line per topic.
 *   npx tsx scripts/purity-probe.ts --model <dir>
 */
import { Command } from 'commander';
import { loadDataset } from '../src/data/registry.js';
import { initEngine } from '../src/engine/backend.js';
import { purity, topObjects } from '../src/explain/gallery.js';
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
  // The gallery's ranking and majority (`sadsl topics` reports the same purity), plus the owner, the runners-up and
  // θ_k of the last object ranked: a topic no object leans on has its top list made of leftovers.
  const rows = topObjects(theta.values, K, k, o.objects);
  const { majority, purity: share } = purity(ds.train.labels, rows);
  shares.push(share);
  const counts = new Map<number, number>();
  for (const r of rows) if (ds.train.labels[r] !== majority) counts.set(ds.train.labels[r], (counts.get(ds.train.labels[r]) ?? 0) + 1);
  const others = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const minTheta = theta.values[rows[rows.length - 1] * K + k];
  console.log(`topic ${k} owner ${ds.classes[k % C]}: majority ${ds.classes[majority]} ${share.toFixed(2)}; ${others.map(([c, n]) => `${ds.classes[c]} ${n}`).join(', ')}; θ_k of the ${o.objects}th ${minTheta.toFixed(3)}`);
}
console.log(`mean purity ${(shares.reduce((a, b) => a + b, 0) / K).toFixed(3)}`);
