import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, ImageSplit } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import { curveAuc, deletionIds, deletionImages, deletionOrder, meanFaithfulness, meanImage, pairFaithfulness } from '../../src/explain/faithfulness.js';
import type { TrainedModel } from '../../src/train/trained-model.js';
import { imageModel, textModel } from './fixtures.js';

describe('deletion curves (hand-made cases)', () => {
  it('AUC is the trapezoid area over x = i/R', () => {
    expect(curveAuc([1, 0.5, 0])).toBeCloseTo(0.5, 12); // ((1 + .5)/2 + (.5 + 0)/2) / 2
    expect(curveAuc([1, 1, 0, 0])).toBeCloseTo(0.5, 12); // (1 + .5 + 0) / 3
    expect(curveAuc([3, 1])).toBe(2);
    expect(() => curveAuc([1])).toThrow(/two points/);
  });

  it('order: largest contribution first, ties by index', () => {
    expect(deletionOrder([0.1, 0.3, -0.2, 0.3])).toEqual([1, 3, 0, 2]);
  });

  it('images: regions replaced by the mean cumulatively', () => {
    const grid = { gh: 2, gw: 2, height: 2, width: 2 };
    const out = deletionImages(Float32Array.from([1, 2, 3, 4]), Float32Array.from([9, 9, 9, 9]), grid, 1, [2, 0]);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 1, 2, 9, 4, 9, 2, 9, 4]);
    // 2 channels, a 1×2 grid over a 2×2 image: region 1 = column 1 of both rows
    const two = deletionImages(Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]), new Float32Array(8), { gh: 1, gw: 2, height: 2, width: 2 }, 2, [1]);
    expect(Array.from(two.subarray(8))).toEqual([1, 1, 0, 0, 3, 3, 0, 0]);
  });

  it('documents: the tokens of a segment become padding', () => {
    expect(Array.from(deletionIds(Int32Array.from([5, 6, 7, 8, 9]), 2, [2, 0]))).toEqual([5, 6, 7, 8, 9, 5, 6, 7, 8, 0, 0, 0, 7, 8, 0]);
  });

  it('mean image in model scale', () => {
    const split: ImageSplit = { kind: 'image', n: 2, height: 1, width: 2, channels: 1, pixels: Uint8Array.from([0, 255, 255, 255]), labels: Int32Array.from([0, 0]) };
    expect(Array.from(meanImage(split))).toEqual([0, 1]);
  });
});

describe('pairFaithfulness', () => {
  let ds: Dataset;
  let model: TrainedModel;
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    ({ ds, model } = await imageModel());
  });
  afterAll(() => model.dispose());

  it('starts at s(a, b) and ends at s(mean image, b), in both orders', async () => {
    const a = { split: ds.test, indices: [3] };
    const b = { split: ds.train, indices: [11] };
    const mean = meanImage(ds.train as ImageSplit);
    const f = await pairFaithfulness(model, a, b, { mean, seed: 4 });
    expect(f.curve).toHaveLength(50);
    expect(f.randomCurve).toHaveLength(50);
    expect(f.curve[0]).toBeCloseTo(model.explain(a, b).score, 4);
    expect(f.randomCurve[0]).toBeCloseTo(f.curve[0], 5);
    // every region deleted: the mean image itself (bytes round to the same model input to ~1/255)
    const meanSplit: ImageSplit = { kind: 'image', n: 1, height: 28, width: 28, channels: 1, pixels: Uint8Array.from(mean, (v) => Math.round((v + 1) * 127.5)), labels: Int32Array.from([0]) };
    expect(f.curve[49]).toBeCloseTo(model.explain({ split: meanSplit }, b).score, 1);
    expect(f.randomCurve[49]).toBeCloseTo(f.curve[49], 5);
    expect(f.auc).toBeCloseTo(curveAuc(f.curve), 12);
    expect([...f.randomOrder].sort((x, y) => x - y)).toEqual(Array.from({ length: 49 }, (_, i) => i));
  });

  it('meanFaithfulness averages the seeded same-class pairs, each as pairFaithfulness scores it', async () => {
    const pairs = 4;
    const m = await meanFaithfulness(model, ds, { pairs, seed: 1 });
    // The pairs by hand: a uniform test object, a uniform training object of its class, then the pair's seed.
    const rng = new Rng(1);
    const mean = meanImage(ds.train as ImageSplit);
    const each: Awaited<ReturnType<typeof pairFaithfulness>>[] = [];
    for (let p = 0; p < pairs; p++) {
      const ia = rng.int(ds.test.n);
      const same = [...ds.train.labels.keys()].filter((i) => ds.train.labels[i] === ds.test.labels[ia]);
      const ib = same[rng.int(same.length)];
      each.push(await pairFaithfulness(model, { split: ds.test, indices: [ia] }, { split: ds.train, indices: [ib] }, { mean, seed: rng.int(2 ** 31) }));
    }
    const avg = (f: (x: (typeof each)[number]) => number): number => each.reduce((s, x) => s + f(x), 0) / pairs;
    expect(m).toEqual({
      pairs,
      deletionAuc: expect.closeTo(avg((x) => x.auc), 10),
      randomAuc: expect.closeTo(avg((x) => x.randomAuc), 10),
      meanScore: expect.closeTo(avg((x) => x.score), 10),
      beatsRandom: each.filter((x) => x.auc < x.randomAuc).length / pairs,
    });
    // Not a degenerate case: the pairs differ, and contribution order is not trivially equal to the random one.
    expect(new Set(each.map((x) => x.score)).size).toBe(pairs);
    expect(each.some((x) => x.auc !== x.randomAuc)).toBe(true);
  });

  it('meanFaithfulness deletes into the fill it is given (the background here), not the mean image', async () => {
    const fill = new Float32Array(meanImage(ds.train as ImageSplit).length).fill(-1);
    const m = await meanFaithfulness(model, ds, { pairs: 1, seed: 1, fill });
    const rng = new Rng(1);
    const ia = rng.int(ds.test.n);
    const same = [...ds.train.labels.keys()].filter((i) => ds.train.labels[i] === ds.test.labels[ia]);
    const ib = same[rng.int(same.length)];
    const seed = rng.int(2 ** 31);
    const a = { split: ds.test, indices: [ia] };
    const b = { split: ds.train, indices: [ib] };
    const withFill = await pairFaithfulness(model, a, b, { mean: fill, seed });
    const withMean = await pairFaithfulness(model, a, b, { mean: meanImage(ds.train as ImageSplit), seed });
    expect(m.deletionAuc).toBeCloseTo(withFill.auc, 10);
    expect(Math.abs(withFill.auc - withMean.auc)).toBeGreaterThan(1e-6);
  });

  it('documents: deleting every segment leaves an empty document', async () => {
    const t = await textModel();
    try {
      const a = { split: t.ds.test, indices: [0] };
      const b = { split: t.ds.train, indices: [1] };
      const f = await pairFaithfulness(t.model, a, b, { seed: 1 });
      expect(f.curve).toHaveLength(9);
      expect(f.curve[0]).toBeCloseTo(t.model.explain(a, b).score, 4);
      const empty = { kind: 'text' as const, n: 1, texts: [''], labels: Int32Array.from([0]) };
      expect(f.curve[8]).toBeCloseTo(t.model.explain({ split: empty }, b).score, 4);
    } finally {
      t.model.dispose();
    }
  });
});
