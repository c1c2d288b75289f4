/**
 * Model-v3 study (STUDY.md §10): the deletion test of docs/model.md eq. (28) on a saved image model, with the
 * protocol's pairs (meanFaithfulness) and two fills for a deleted region: the training split's mean image (the
 * protocol's) and the background (pixel 0). Appends one JSON row per fill to --out.
 *   npx tsx scripts/deletion-probe.ts --model <dir> --seed 1 --out results/model-v3/round7/deletion-probe.jsonl
 * (The rows that ordered by eq. (14) or grew the deleted cell came from this script at commit 3893189, before
 * eqs. (14′)–(14″) replaced eq. (14).)
 */
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { loadDataset } from '../src/data/registry.js';
import { initEngine } from '../src/engine/backend.js';
import { meanFaithfulness } from '../src/explain/faithfulness.js';
import { pixelToUnit } from '../src/model/inputs.js';
import { loadModel } from '../src/train/trained-model.js';

const o = new Command()
  .requiredOption('--model <dir>')
  .option('--seed <n>', 'pair seed (the experiment seed)', (v) => parseInt(v, 10), 0)
  .option('--pairs <n>', 'pairs', (v) => parseInt(v, 10), 200)
  .option('--out <file>', 'jsonl', 'deletion-probe.jsonl')
  .parse()
  .opts();
const engine = await initEngine();
const model = await loadModel(o.model);
const ds = await loadDataset(model.dataset.spec, { seed: o.seed });
const input = model.preprocessor.input;
if (input.domain !== 'image') throw new Error('an image model');
const fills = [
  { name: 'mean image (protocol)', fill: undefined },
  { name: 'background (pixel 0)', fill: new Float32Array(input.height * input.width * input.channels).fill(pixelToUnit(0)) },
];
for (const f of fills) {
  const r = await meanFaithfulness(model, ds, { pairs: o.pairs, seed: o.seed, fill: f.fill });
  const row = {
    model: o.model,
    seed: o.seed,
    explanation: "eqs. (14')-(14''): routed through the non-local block, by pixel cell",
    fill: f.name,
    ...r,
    cpu: os.cpus()[0]?.model.replace(/\s+\d+-Core Processor/, '').trim(),
    backend: engine.backend,
  };
  console.log(JSON.stringify(row));
  appendFileSync(o.out, JSON.stringify(row) + '\n');
}
