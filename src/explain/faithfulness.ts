/**
 * Faithfulness of the region explanations (deletion test, docs/model.md eq. (28)): delete the regions of a one by
 * one in order of their contribution to s(a, b) (largest first; image regions are pixel cells, eq. (14″)) and record s(a', b) after each deletion; the area under that
 * curve should be clearly below the area for a random order if the explanation names the regions the score
 * rests on. Deleting an image region sets its pixel block (encoder grid cell, `regions.ts`) to the
 * training split's mean image; deleting a document segment removes its tokens (they become padding, so
 * the other tokens keep their segments). The bag of words does not enter the codes and is left as is.
 */
import { EXPLANATION_DEFAULTS } from '../config.js';
import type { Dataset, ImageSplit, Split } from '../data/types.js';
import { Rng } from '../engine/random.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import { disposeInputs, pixelToUnit } from '../model/inputs.js';
import type { ModelInputs } from '../model/types.js';
import type { Objects, TrainedModel } from '../train/trained-model.js';
import { regionCell, regionContributions, regionGrid, type RegionGrid } from './regions.js';
import { yieldToEventLoop } from '../engine/event-loop.js';

/** Variants scored per forward pass. */
const BATCH = 64;

/** Area under a deletion curve s_0..s_R by the trapezoid rule over x = i/R ∈ [0, 1]. */
export function curveAuc(scores: readonly number[]): number {
  const R = scores.length - 1;
  if (R < 1) throw new ArgumentError('curveAuc: need at least two points');
  let area = 0;
  for (let i = 0; i < R; i++) area += (scores[i] + scores[i + 1]) / 2;
  return area / R;
}

/** Regions by decreasing contribution (ties: lower index first). */
export function deletionOrder(contributions: readonly number[]): number[] {
  return contributions.map((_, r) => r).sort((x, y) => contributions[y] - contributions[x] || x - y);
}

/**
 * Images [order.length + 1, H, W, C] (model scale): variant i has the first i regions of `order` replaced by
 * `mean` (variant 0 is the image itself).
 */
export function deletionImages(image: Float32Array, mean: Float32Array, grid: RegionGrid, channels: number, order: readonly number[]): Float32Array {
  const size = grid.height * grid.width * channels;
  const out = new Float32Array((order.length + 1) * size);
  const current = Float32Array.from(image);
  out.set(current, 0);
  order.forEach((r, i) => {
    const c = regionCell(grid, r);
    for (let y = c.y0; y < c.y1; y++) {
      const row = (y * grid.width + c.x0) * channels;
      const end = (y * grid.width + c.x1) * channels;
      current.set(mean.subarray(row, end), row);
    }
    out.set(current, (i + 1) * size);
  });
  return out;
}

/** Token ids [order.length + 1, L]: variant i has the tokens of the first i segments of `order` removed (0). */
export function deletionIds(ids: Int32Array, window: number, order: readonly number[]): Int32Array {
  const L = ids.length;
  const out = new Int32Array((order.length + 1) * L);
  const current = Int32Array.from(ids);
  out.set(current, 0);
  order.forEach((r, i) => {
    current.fill(0, Math.min(L, r * window), Math.min(L, (r + 1) * window));
    out.set(current, (i + 1) * L);
  });
  return out;
}

/** The mean image of a split in model scale ([-1, 1]), [H·W·C]. */
export function meanImage(split: ImageSplit): Float32Array {
  const size = split.height * split.width * split.channels;
  const sum = new Float64Array(size);
  for (let i = 0; i < split.n; i++) {
    for (let p = 0; p < size; p++) sum[p] += split.pixels[i * size + p];
  }
  return Float32Array.from(sum, (s) => pixelToUnit(s / Math.max(1, split.n)));
}

function single(o: Objects): number {
  return o.indices ? o.indices[0] : 0;
}

/** s(variant, b) for each deletion variant of a, with z(b) given. */
async function scoreVariants(model: TrainedModel, a: Objects, order: readonly number[], zb: Float32Array, mean: Float32Array | null): Promise<number[]> {
  const n = order.length + 1;
  const input = model.preprocessor.input;
  const x0 = model.inputs({ split: a.split, indices: [single(a)] });
  const out: number[] = [];
  try {
    let variants: ModelInputs;
    if (x0.domain === 'image' && input.domain === 'image') {
      const image = x0.images.dataSync() as Float32Array;
      const imgs = deletionImages(image, mean ?? new Float32Array(image.length), regionGrid(input), input.channels, order);
      variants = { domain: 'image', images: tf.tensor4d(imgs, [n, input.height, input.width, input.channels]) };
    } else if (x0.domain === 'text') {
      const ids = deletionIds(x0.ids.dataSync() as Int32Array, model.config.docWindow, order);
      const L = x0.ids.shape[1];
      variants = {
        domain: 'text',
        ids: tf.tensor2d(ids, [n, L], 'int32'),
        mask: tf.tensor2d(Float32Array.from(ids, (v) => (v !== 0 ? 1 : 0)), [n, L]),
        bow: tf.tile(x0.bow, [n, 1]) as tf.Tensor2D, // [n, V]
      };
    } else {
      throw new ArgumentError('faithfulness: object and model domains differ');
    }
    const zbT = tf.tensor2d(zb, [zb.length, 1]);
    for (let s = 0; s < n; s += BATCH) {
      const e = Math.min(n, s + BATCH);
      const scores = tf.tidy(() => {
        const part: ModelInputs =
          variants.domain === 'image'
            ? { domain: 'image', images: variants.images.slice([s], [e - s]) }
            : { domain: 'text', ids: variants.ids.slice([s], [e - s]), mask: variants.mask.slice([s], [e - s]), bow: variants.bow.slice([s], [e - s]) };
        return tf.matMul(model.net.forward(part, false).codes, zbT).reshape([-1]); // [e - s]
      });
      out.push(...scores.dataSync());
      scores.dispose();
    }
    zbT.dispose();
    disposeInputs(variants);
  } finally {
    disposeInputs(x0);
  }
  return out;
}

export interface PairFaithfulness {
  score: number;
  /** Region contributions of a (Σ over topics). */
  contributions: number[];
  order: number[];
  /** s after deleting 0, 1, …, R regions in contribution order. */
  curve: number[];
  randomOrder: number[];
  randomCurve: number[];
  auc: number;
  randomAuc: number;
}

/** The deletion test for one pair; images need `mean`, the mean training image (`meanImage`). */
export async function pairFaithfulness(model: TrainedModel, a: Objects, b: Objects, opts: { mean?: Float32Array; seed?: number } = {}): Promise<PairFaithfulness> {
  const e = model.explain({ split: a.split, indices: [single(a)] }, { split: b.split, indices: [single(b)] });
  const contributions = regionContributions(e, 'a');
  const order = deletionOrder(contributions);
  const randomOrder = new Rng(opts.seed ?? 0).shuffle(contributions.map((_, r) => r)) as number[];
  const zb = (await model.encode({ split: b.split, indices: [single(b)] })).codes;
  if (a.split.kind === 'image' && !opts.mean) throw new ArgumentError('faithfulness: images need the mean image (meanImage(train))');
  const curve = await scoreVariants(model, a, order, zb, opts.mean ?? null);
  const randomCurve = await scoreVariants(model, a, randomOrder, zb, opts.mean ?? null);
  return { score: e.score, contributions, order, curve, randomOrder, randomCurve, auc: curveAuc(curve), randomAuc: curveAuc(randomCurve) };
}

export interface MeanFaithfulness {
  pairs: number;
  /** Mean deletion AUC in contribution order (lower = more faithful). */
  deletionAuc: number;
  /** Mean deletion AUC in a random order. */
  randomAuc: number;
  /** Mean score of the pairs before deletion, for scale. */
  meanScore: number;
  /** Share of pairs whose contribution-order AUC is below the random-order one. */
  beatsRandom: number;
}

/**
 * The deletion test over `pairs` seeded pairs: a = a random test object, b = a random training object of
 * the same class (the pairs whose similarity needs explaining).
 */
export async function meanFaithfulness(
  model: TrainedModel,
  ds: Dataset,
  /** `fill`: what a deleted image region becomes ([H·W·C], model scale); default the training split's mean image. */
  opts: { pairs?: number; seed?: number; fill?: Float32Array } = {},
): Promise<MeanFaithfulness> {
  const pairs = opts.pairs ?? EXPLANATION_DEFAULTS.faithfulnessPairs;
  const rng = new Rng(opts.seed ?? 0);
  const byClass = new Map<number, number[]>();
  ds.train.labels.forEach((l, i) => {
    const list = byClass.get(l);
    if (list) list.push(i);
    else byClass.set(l, [i]);
  });
  const mean = ds.train.kind === 'image' ? (opts.fill ?? meanImage(ds.train)) : undefined;
  const pick = (xs: number[]) => xs[rng.int(xs.length)];
  let auc = 0;
  let random = 0;
  let score = 0;
  let wins = 0;
  const test: Split = ds.test;
  for (let p = 0; p < pairs; p++) {
    const ia = rng.int(test.n);
    const same = byClass.get(test.labels[ia]);
    const ib = same?.length ? pick(same) : rng.int(ds.train.n);
    const f = await pairFaithfulness(model, { split: test, indices: [ia] }, { split: ds.train, indices: [ib] }, { mean, seed: rng.int(2 ** 31) });
    auc += f.auc;
    random += f.randomAuc;
    score += f.score;
    if (f.auc < f.randomAuc) wins++;
    await yieldToEventLoop();
  }
  return { pairs, deletionAuc: auc / pairs, randomAuc: random / pairs, meanScore: score / pairs, beatsRandom: wins / pairs };
}
