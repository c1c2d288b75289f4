import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import { attentionPng, attentionWeights, heatmapRgb, objectImage, pairHeatmaps } from '../../src/explain/heatmap.js';
import { regionContributions, topTopics } from '../../src/explain/regions.js';
import type { TrainedModel } from '../../src/train/trained-model.js';
import { imageModel } from './fixtures.js';

let ds: Dataset;
let model: TrainedModel;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  ({ ds, model } = await imageModel());
});
afterAll(() => model.dispose());

describe('heatmapRgb', () => {
  it('tints each grid cell by its value (hand-computed blend)', () => {
    const img = { height: 4, width: 4, channels: 1, pixels: new Uint8Array(16).fill(100) };
    const out = heatmapRgb(img, [1, -1, 0, 0.25], { gh: 2, gw: 2, height: 4, width: 4 });
    const px = (y: number, x: number) => Array.from(out.pixels.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    // a = 0.7|v|/max: 0.3·100 + 0.7·(220, 30, 30)
    expect(px(0, 0)).toEqual([184, 51, 51]);
    expect(px(1, 1)).toEqual([184, 51, 51]);
    // negative: 0.3·100 + 0.7·(30, 70, 220)
    expect(px(0, 3)).toEqual([51, 79, 184]);
    expect(px(2, 1)).toEqual([100, 100, 100]);
    // a = 0.175: 82.5 + 0.175·(220, 30, 30)
    expect(px(3, 3)).toEqual([121, 88, 88]);
    expect(out.channels).toBe(3);
  });

  it('rejects a map of the wrong size', () => {
    const img = { height: 4, width: 4, channels: 1, pixels: new Uint8Array(16) };
    expect(() => heatmapRgb(img, [1, 2, 3], { gh: 2, gw: 2, height: 4, width: 4 })).toThrow(/3 values for a 2×2 grid/);
  });
});

describe('pairHeatmaps', () => {
  it('maps are the exact decomposition of model.explain, as valid PNGs of the image size', async () => {
    const a = { split: ds.test, indices: [0] };
    const b = { split: ds.train, indices: [5] };
    const h = await pairHeatmaps(model, a, b, { top: 3 });
    const e = model.explain(a, b);
    expect(h.explanation).toEqual(e);
    expect(h.grid).toMatchObject({ gh: 7, gw: 7 });
    expect(h.a.values).toEqual(regionContributions(e, 'a'));
    expect(h.b.values).toEqual(regionContributions(e, 'b'));
    expect(h.a.values.reduce((s, v) => s + v, 0)).toBeCloseTo(e.score, 4);
    expect(h.topics.map((t) => [t.topic, t.contribution])).toEqual(topTopics(e, 3).map((t) => [t.topic, t.contribution]));
    for (const t of h.topics) {
      expect(t.a.values).toEqual(e.regions.a.map((row) => row[t.topic]));
      expect(t.b.values).toEqual(e.regions.b.map((row) => row[t.topic]));
    }
    const meta = await sharp(h.a.png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 28, 28]);
    // the PNG's pixels are the blend of those numbers (one scale for all maps of the pair)
    const max = Math.max(...[h.a, h.b, ...h.topics.flatMap((t) => [t.a, t.b])].flatMap((m) => m.values.map(Math.abs)));
    const decoded = await sharp(h.a.png).raw().toBuffer();
    expect(Array.from(decoded)).toEqual(Array.from(heatmapRgb(objectImage(a), h.a.values, h.grid, { max }).pixels));
    const strip = await sharp(h.strip).metadata();
    expect(strip.format).toBe('png');
    expect(strip.width).toBeGreaterThan(4 * 28);
    expect(strip.height).toBeGreaterThan(2 * 28);
  });

  it('scale enlarges the PNGs; α maps have R weights summing to 1', async () => {
    const a = { split: ds.test, indices: [1] };
    const h = await pairHeatmaps(model, a, { split: ds.test, indices: [2] }, { top: 1, scale: 3 });
    const meta = await sharp(h.b.png).metadata();
    expect([meta.width, meta.height]).toEqual([84, 84]);
    const alpha = attentionWeights(model, a);
    expect(alpha).toHaveLength(49);
    expect(alpha.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    const am = await sharp(await attentionPng(model, a, 2)).metadata();
    expect([am.format, am.width, am.height]).toEqual(['png', 56, 56]);
  });
});
