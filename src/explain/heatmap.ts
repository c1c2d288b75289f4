/**
 * Attention maps (docs/model.md eqs. (7), (14)): a region map (α, or region contributions of the exact decomposition
 * `model.explain`) upsampled to the image as blocks of the encoder grid and blended over the image, red for
 * positive and blue for negative values. For a pair (a, b): the whole score's region contributions of a and
 * of b, then those of the top topics, side by side with their contribution numbers.
 */
import type { ImageSplit } from '../data/types.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import { disposeInputs } from '../model/inputs.js';
import type { Explanation } from '../model/types.js';
import type { Objects, TrainedModel } from '../train/trained-model.js';
import { composeTiles, encodePng, splitImage, toRgb, type RawImage } from './png.js';
import { regionCell, regionContributions, regionGrid, topTopics, type RegionGrid } from './regions.js';

const POSITIVE = [220, 30, 30];
const NEGATIVE = [30, 70, 220];

export interface HeatmapOptions {
  /** Blend weight of the colour at the largest |value| (default 0.7). */
  opacity?: number;
  /** |value| that gets the full colour (default: the map's largest |value|), to share a scale between maps. */
  max?: number;
}

/** The image (as RGB) with each grid cell r tinted by values[r]: colour weight opacity·|v|/max. */
export function heatmapRgb(img: RawImage, values: readonly number[], grid: RegionGrid, opts: HeatmapOptions = {}): RawImage {
  if (values.length !== grid.gh * grid.gw) throw new ArgumentError(`heat map: ${values.length} values for a ${grid.gh}×${grid.gw} grid`);
  const rgb = toRgb(img);
  const out = Uint8Array.from(rgb.pixels);
  const max = opts.max ?? Math.max(0, ...values.map(Math.abs));
  const opacity = opts.opacity ?? 0.7;
  values.forEach((v, r) => {
    const a = max > 0 ? (opacity * Math.min(1, Math.abs(v) / max)) : 0;
    const colour = v >= 0 ? POSITIVE : NEGATIVE;
    const c = regionCell(grid, r);
    for (let y = c.y0; y < c.y1; y++) {
      for (let x = c.x0; x < c.x1; x++) {
        const p = (y * img.width + x) * 3;
        for (let ch = 0; ch < 3; ch++) out[p + ch] = Math.round((1 - a) * rgb.pixels[p + ch] + a * colour[ch]);
      }
    }
  });
  return { ...rgb, pixels: out };
}

function imageModelGrid(model: TrainedModel): RegionGrid {
  const input = model.preprocessor.input;
  if (input.domain !== 'image') throw new ArgumentError('heat maps are for image models; use highlights for documents');
  return regionGrid(input);
}

/** The one object `o` names, as an image. */
export function objectImage(o: Objects): RawImage {
  if (o.split.kind !== 'image') throw new ArgumentError('expected an image object');
  const index = o.indices ? o.indices[0] : 0;
  return splitImage(o.split as ImageSplit, index);
}

/** Attention weights α [R] of one object (inference mode). */
export function attentionWeights(model: TrainedModel, o: Objects): number[] {
  const x = model.inputs(o);
  const alpha = tf.tidy(() => model.net.forward(x, false).alpha.reshape([-1])); // [R]
  disposeInputs(x);
  const out = Array.from(alpha.dataSync());
  alpha.dispose();
  return out;
}

/** α of an image blended over it, as PNG (image size × scale). */
export async function attentionPng(model: TrainedModel, o: Objects, scale = 1): Promise<Buffer> {
  return encodePng(heatmapRgb(objectImage(o), attentionWeights(model, o), imageModelGrid(model)), scale);
}

export interface RegionMap {
  /** Region contributions [R] (row-major over the grid). */
  values: number[];
  png: Buffer;
}

export interface PairHeatmaps {
  explanation: Explanation;
  grid: RegionGrid;
  /** Region contributions to the whole score. */
  a: RegionMap;
  b: RegionMap;
  /** The top topics by contribution, with their region contributions on a and b. */
  topics: { topic: number; contribution: number; a: RegionMap; b: RegionMap }[];
  /** One PNG: row a then row b; columns = whole score, then each top topic, labelled with the numbers. */
  strip: Buffer;
}

/** Heat maps of s(a, b) from the exact decomposition `model.explain(a, b)`; one scale for all maps of the pair. */
export async function pairHeatmaps(model: TrainedModel, a: Objects, b: Objects, opts: { top?: number; scale?: number } = {}): Promise<PairHeatmaps> {
  const grid = imageModelGrid(model);
  const scale = opts.scale ?? 1;
  const e = model.explain(a, b);
  const top = topTopics(e, opts.top ?? 3);
  const imgA = objectImage(a);
  const imgB = objectImage(b);
  const maps = {
    a: [regionContributions(e, 'a'), ...top.map((t) => regionContributions(e, 'a', [t.topic]))],
    b: [regionContributions(e, 'b'), ...top.map((t) => regionContributions(e, 'b', [t.topic]))],
  };
  const max = Math.max(0, ...[...maps.a, ...maps.b].flat().map(Math.abs));
  const render = async (img: RawImage, values: number[]): Promise<RegionMap> => ({ values, png: await encodePng(heatmapRgb(img, values, grid, { max }), scale) });
  const ra = await Promise.all(maps.a.map((v) => render(imgA, v)));
  const rb = await Promise.all(maps.b.map((v) => render(imgB, v)));
  const fmt = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  const heads = [[`s(a,b) = ${e.score.toFixed(3)}`, 'a (all topics)'], ...top.map((t) => [`topic ${t.topic}`, fmt(t.contribution)])];
  const strip = await composeTiles(
    [...ra.map((m, i) => ({ png: m.png, label: heads[i] })), ...rb.map((m, i) => ({ png: m.png, label: i === 0 ? ['b (all topics)'] : [] }))],
    { columns: top.length + 1 },
  );
  return {
    explanation: e,
    grid,
    a: ra[0],
    b: rb[0],
    topics: top.map((t, i) => ({ ...t, a: ra[i + 1], b: rb[i + 1] })),
    strip,
  };
}
