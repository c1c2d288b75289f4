/**
 * Regions of an object as the explanations see them (docs/model.md §1, §3). Images: the cells of the encoder's
 * final grid (two stride-2 4×4 convolutions: 28×28 → 7×7), region r = i·gw + j covering the pixel block
 * rows ⌊i·H/gh⌋..⌊(i+1)·H/gh⌋, columns ⌊j·W/gw⌋..⌊(j+1)·W/gw⌋. Documents: segments of `docWindow`
 * in-vocabulary tokens. A region's contribution to s(a, b) is Σ_k regions.a[r][k] of the exact decomposition.
 */
import type { Explanation, InputSpec } from '../model/types.js';
import { gridSide } from '../model/layers.js';

export interface RegionGrid {
  gh: number;
  gw: number;
  height: number;
  width: number;
}

export interface Cell {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/** The encoder's region grid for an image input. */
export function regionGrid(input: Extract<InputSpec, { domain: 'image' }>): RegionGrid {
  return { gh: gridSide(input.height), gw: gridSide(input.width), height: input.height, width: input.width };
}

/** The pixel block of region r (half-open ranges). */
export function regionCell(g: RegionGrid, r: number): Cell {
  const i = Math.floor(r / g.gw);
  const j = r % g.gw;
  return {
    y0: Math.floor((i * g.height) / g.gh),
    y1: Math.floor(((i + 1) * g.height) / g.gh),
    x0: Math.floor((j * g.width) / g.gw),
    x1: Math.floor(((j + 1) * g.width) / g.gw),
  };
}

/** Per-region contribution of one side: Σ over `topics` (all when omitted) of regions[side][r][k]. */
export function regionContributions(e: Explanation, side: 'a' | 'b', topics?: readonly number[]): number[] {
  return e.regions[side].map((row) => (topics ? topics.reduce((s, k) => s + row[k], 0) : row.reduce((s, v) => s + v, 0)));
}

/** The `count` topics with the largest contributions (ties: lower index first). */
export function topTopics(e: Explanation, count: number): { topic: number; contribution: number }[] {
  return [...e.topics].sort((x, y) => y.contribution - x.contribution || x.topic - y.topic).slice(0, count);
}
