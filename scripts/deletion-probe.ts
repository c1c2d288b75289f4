/**
 * Model-v3 study, round 7: why image deletion wins stay under 0.9 (STUDY.md §9). Runs the deletion test of
 * docs/model.md eq. (28) on a saved image model with the protocol's pairs (meanFaithfulness's seeded pairs)
 * and several fills for a deleted region: the training split's mean image (the protocol's), the background
 * (pixel 0), and the mean image over a deleted region grown by `--grow` cells on each side (the encoder's
 * receptive field: a cell's feature also sees its neighbours' pixels). Appends one JSON row per fill to --out.
 *   npx tsx scripts/deletion-probe.ts --model <dir> --seed 1 --out results/model-v3/round7/deletion-probe.jsonl
 */
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { loadDataset } from '../src/data/registry.js';
import { initEngine } from '../src/engine/backend.js';
import { curveAuc, deletionOrder, meanImage } from '../src/explain/faithfulness.js';
import { regionCell, regionContributions, regionGrid } from '../src/explain/regions.js';
import { Rng } from '../src/engine/random.js';
import * as tf from '../src/engine/tf.js';
import { pixelToUnit } from '../src/model/inputs.js';
import { loadModel } from '../src/train/trained-model.js';

const o = new Command()
  .requiredOption('--model <dir>')
  .option('--seed <n>', 'pair seed (the experiment seed)', (v) => parseInt(v, 10), 0)
  .option('--pairs <n>', 'pairs', (v) => parseInt(v, 10), 200)
  .option('--grow <n>', 'cells added on each side of a deleted region in the grown fill', (v) => parseInt(v, 10), 1)
  .option('--out <file>', 'jsonl', 'deletion-probe.jsonl')
  .option('--variants <list>', 'indices of the fills to run (default all)')
  .parse()
  .opts();
const engine = await initEngine();
const model = await loadModel(o.model);
const ds = await loadDataset('fashion-mnist', { seed: o.seed });
if (ds.train.kind !== 'image' || ds.test.kind !== 'image' || model.preprocessor.input.domain !== 'image') throw new Error('an image model and dataset');
const input = model.preprocessor.input;
const grid = regionGrid(input);
const C = input.channels;
const size = input.height * input.width * C;
const mean = meanImage(ds.train);
const background = new Float32Array(size).fill(pixelToUnit(0));

/** Pixels deleted with region r: its cell, grown by `g` cells on each side. */
function footprint(r: number, g: number): { y0: number; y1: number; x0: number; x1: number } {
  const i = Math.floor(r / grid.gw);
  const j = r % grid.gw;
  const lo = regionCell(grid, Math.max(0, i - g) * grid.gw + Math.max(0, j - g));
  const hi = regionCell(grid, Math.min(grid.gh - 1, i + g) * grid.gw + Math.min(grid.gw - 1, j + g));
  return { y0: lo.y0, y1: hi.y1, x0: lo.x0, x1: hi.x1 };
}

/** s(a after deleting the first i regions of `order`, b) for i = 0..R. */
function curve(image: Float32Array, order: number[], fill: Float32Array, g: number, zb: tf.Tensor2D): number[] {
  const n = order.length + 1;
  const imgs = new Float32Array(n * size);
  const current = Float32Array.from(image);
  imgs.set(current, 0);
  order.forEach((r, i) => {
    const c = footprint(r, g);
    for (let y = c.y0; y < c.y1; y++) current.set(fill.subarray((y * input.width + c.x0) * C, (y * input.width + c.x1) * C), (y * input.width + c.x0) * C);
    imgs.set(current, (i + 1) * size);
  });
  return tf.tidy(() => {
    const x = tf.tensor4d(imgs, [n, input.height, input.width, C]);
    return Array.from(tf.matMul(model.net.forward({ domain: 'image', images: x }, false).codes, zb).dataSync()); // [n]
  });
}

/** The cells within g of cell r (its feature's receptive field for g = 1: docs/model.md §1.1). */
function neighbours(r: number, g: number): number[] {
  const i = Math.floor(r / grid.gw);
  const j = r % grid.gw;
  const out: number[] = [];
  for (let y = Math.max(0, i - g); y <= Math.min(grid.gh - 1, i + g); y++) for (let x = Math.max(0, j - g); x <= Math.min(grid.gw - 1, j + g); x++) out.push(y * grid.gw + x);
  return out;
}
/**
 * Contributions summed over each cell's (2g+1)² neighbourhood (what deleting the cell takes from its neighbours'
 * features), or with `spread` each feature's contribution divided among the cells of its neighbourhood (sums to s).
 */
function smoothed(c: number[], g: number, spread = false): number[] {
  const out = new Array<number>(c.length).fill(0);
  c.forEach((v, r) => {
    const n = neighbours(r, g);
    for (const x of n) out[x] += spread ? v / n.length : 0;
  });
  return spread ? out : c.map((_, r) => neighbours(r, g).reduce((s, x) => s + c[x], 0));
}

/**
 * Each feature's contribution divided among the cells of its receptive field in proportion to the paths from the
 * cell's pixels to the feature through the encoder's three convolutions (1-D: ¼, ½, ¼ over the cell and its two
 * neighbours; 2-D: their products), renormalised over the cells inside the image: sums to s.
 */
function erfSpread(c: number[]): number[] {
  const w1 = [0.25, 0.5, 0.25];
  const out = new Array<number>(c.length).fill(0);
  c.forEach((v, r) => {
    const i = Math.floor(r / grid.gw);
    const j = r % grid.gw;
    const cells: [number, number][] = [];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const y = i + dy;
      const x = j + dx;
      if (y >= 0 && y < grid.gh && x >= 0 && x < grid.gw) cells.push([y * grid.gw + x, w1[dy + 1] * w1[dx + 1]]);
    }
    const total = cells.reduce((s, [, w]) => s + w, 0);
    for (const [x, w] of cells) out[x] += (v * w) / total;
  });
  return out;
}

const all = [
  { name: 'mean image (protocol)', fill: mean, grow: 0, smooth: 0, spread: false },
  { name: 'background (pixel 0)', fill: background, grow: 0, smooth: 0, spread: false },
  { name: `mean image, cell grown by ${o.grow}`, fill: mean, grow: o.grow, smooth: 0, spread: false },
  { name: `mean image, order by contributions summed over ${2 * o.grow + 1}×${2 * o.grow + 1} cells`, fill: mean, grow: 0, smooth: o.grow, spread: false },
  { name: `mean image, order by contributions spread over ${2 * o.grow + 1}×${2 * o.grow + 1} cells`, fill: mean, grow: 0, smooth: o.grow, spread: true },
  { name: 'mean image, order by contributions spread over the receptive field by path count', fill: mean, grow: 0, smooth: -1, spread: true },
];
const fills = o.variants ? all.filter((_, i) => (o.variants as string).split(',').map(Number).includes(i)) : all;
/** Share of a cell's pixels that are background (pixel 0). */
function backgroundShare(image: Float32Array, r: number): number {
  const c = regionCell(grid, r);
  let bg = 0;
  for (let y = c.y0; y < c.y1; y++) for (let x = c.x0; x < c.x1; x++) if (image[(y * input.width + x) * C] <= pixelToUnit(0) + 1e-6) bg++;
  return bg / ((c.y1 - c.y0) * (c.x1 - c.x0));
}
let top3Background = 0;
let allBackground = 0;
// The pairs of meanFaithfulness (same seeded draws): a random test object, a random training object of its class.
const rng = new Rng(o.seed);
const byClass = new Map<number, number[]>();
ds.train.labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
const stats = fills.map(() => ({ auc: 0, random: 0, end: 0, wins: 0 }));
for (let p = 0; p < o.pairs; p++) {
  const ia = rng.int(ds.test.n);
  const same = byClass.get(ds.test.labels[ia])!;
  const ib = same[rng.int(same.length)];
  const randomOrder = new Rng(rng.int(2 ** 31)).shuffle(Array.from({ length: grid.gh * grid.gw }, (_, r) => r)) as number[];
  const a = { split: ds.test, indices: [ia] };
  const b = { split: ds.train, indices: [ib] };
  const contributions = regionContributions(model.explain(a, b), 'a');
  const order = deletionOrder(contributions);
  const x0 = model.inputs(a);
  const image = x0.domain === 'image' ? (x0.images.dataSync() as Float32Array) : new Float32Array(0);
  tf.dispose(x0.domain === 'image' ? [x0.images] : []);
  top3Background += order.slice(0, 3).reduce((s, r) => s + backgroundShare(image, r), 0) / 3;
  allBackground += order.reduce((s, r) => s + backgroundShare(image, r), 0) / order.length;
  const zbCodes = (await model.encode(b)).codes;
  const zb = tf.tensor2d(zbCodes, [zbCodes.length, 1]);
  fills.forEach((f, j) => {
    const c = curve(image, f.smooth < 0 ? deletionOrder(erfSpread(contributions)) : f.smooth ? deletionOrder(smoothed(contributions, f.smooth, f.spread)) : order, f.fill, f.grow, zb);
    const rc = curve(image, randomOrder, f.fill, f.grow, zb);
    stats[j].auc += curveAuc(c);
    stats[j].random += curveAuc(rc);
    stats[j].end += c[c.length - 1];
    if (curveAuc(c) < curveAuc(rc)) stats[j].wins++;
  });
  zb.dispose();
  if ((p + 1) % 50 === 0) console.log(`${p + 1}/${o.pairs} pairs`);
}
for (const [j, f] of fills.entries()) {
  const s = stats[j];
  const row = {
    model: o.model,
    seed: o.seed,
    explanation: "eqs. (14')-(14''): routed through the non-local block, by pixel cell",
    fill: f.name,
    pairs: o.pairs,
    deletionAuc: s.auc / o.pairs,
    randomAuc: s.random / o.pairs,
    endScore: s.end / o.pairs,
    beatsRandom: s.wins / o.pairs,
    top3BackgroundShare: top3Background / o.pairs,
    backgroundShare: allBackground / o.pairs,
    cpu: os.cpus()[0]?.model.replace(/\s+\d+-Core Processor/, '').trim(),
    backend: engine.backend,
  };
  console.log(JSON.stringify(row));
  appendFileSync(o.out, JSON.stringify(row) + '\n');
}
