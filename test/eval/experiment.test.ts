import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/registry.js';
import type { Dataset, ImageSplit, TextSplit } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import { ArgumentError } from '../../src/errors.js';
import { runExperiment, subsetSplit, type ExperimentEvent } from '../../src/eval/experiment.js';
import type { ExperimentResults } from '../../src/eval/results.js';
import { resultsTable } from '../../src/eval/results-table.js';
import { selectQueries } from '../../src/eval/evaluate-model.js';
import { topicUsage } from '../../src/eval/topic-usage.js';
import { meanFaithfulness } from '../../src/explain/faithfulness.js';
import { loadModel } from '../../src/train/trained-model.js';
import { TINY_IMAGE_MODEL } from '../support/tiny.js';

const KEYS = ['mAP', 'precisionAt10', 'precisionAt100', 'rPrecision', 'mapAtR', 'ndcgAt10', 'pr', 'trainSeconds'];

describe('sadsl experiment', () => {
  let ds: Dataset;
  let out: string;
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    ds = await loadDataset('sample-images');
    out = mkdtempSync(path.join(os.tmpdir(), 'sadsl-experiment-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const run = async (methods: string[], extra: { epochs?: number } = {}) => {
    const events: ExperimentEvent[] = [];
    const r = await runExperiment({ dataset: ds, methods, maxSteps: 2, queries: 60, seed: 1, out, model: TINY_IMAGE_MODEL, onEvent: (e) => events.push(e), ...extra });
    const computed = events.filter((e) => e.type === 'method-done' && !e.skipped).map((e) => (e as { id: string }).id);
    return { r, computed, events };
  };
  const readJson = () => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as ExperimentResults;

  it('writes results.json, results.md and pr-curves.svg, then resumes without recomputing', async () => {
    const first = await run(['raw', 'triplet']);
    expect(first.computed).toEqual(['raw', 'triplet']);
    const json = readJson();
    expect(json).toMatchObject({ dataset: 'sample-images', queries: 60, database: 2000, epochs: 1, maxSteps: 2, seeds: [1] });
    expect(json.perSeed['1'].triplet).toEqual(json.methods.triplet); // one seed: the mean row is the seed's row
    expect(Object.keys(json.machine).sort()).toEqual(['backend', 'cpus', 'memoryGB', 'model']);
    expect(json.machine.backend).toBe('wasm');
    expect(Object.keys(json.methods)).toEqual(['raw', 'triplet']);
    for (const m of Object.values(json.methods)) {
      expect(Object.keys(m).sort()).toEqual([...KEYS].sort()); // no topic usage or faithfulness for baselines
      expect(m.pr).toHaveLength(11);
      expect(m.mAP).toBeGreaterThan(0.1); // 10 balanced classes: chance is 0.1
      expect(m.mAP).toBeLessThanOrEqual(1);
    }
    expect(json.methods.triplet.trainSeconds).toBeGreaterThan(0);
    const md = readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('| Method | mAP | P@10 | P@100 | R-precision | MAP@R | Train (s) |');
    expect(md).toMatch(/\| raw \| .*\*\*/);
    const svg = readFileSync(path.join(out, 'pr-curves.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('triplet');

    // Rerun with one more method: only that one is computed; finished rows are untouched.
    const second = await run(['raw', 'softmax', 'triplet']);
    expect(second.computed).toEqual(['softmax']);
    expect(second.events.filter((e) => e.type === 'method-done' && e.skipped).length).toBe(2);
    const again = readJson();
    expect(Object.keys(again.methods)).toEqual(['raw', 'softmax', 'triplet']);
    expect(again.methods.triplet).toEqual(json.methods.triplet);
    expect(again.methods.raw.trainSeconds).toBe(json.methods.raw.trainSeconds);
    expect(second.r.methods.triplet.trainSeconds).toBe(json.methods.triplet.trainSeconds);
  });

  it('reports topic usage and the deletion faithfulness of full SADSL', async () => {
    const { computed } = await run(['sadsl']);
    expect(computed).toEqual(['sadsl']);
    const m = readJson().methods.sadsl;
    expect(m.topicUsage!.logK).toBeCloseTo(Math.log(4), 5);
    // Mean exp H(θ) ≥ exp(mean H(θ)) (Jensen), equal only if every query had the same entropy.
    expect(m.explanation!.effectiveTopics).toBeGreaterThanOrEqual(Math.exp(m.topicUsage!.meanEntropyTheta) - 1e-6);
    // The row is what the saved model gives: topic usage of the seeded queries' θ and the deletion test over
    // the seed's 200 pairs, recomputed from models/seed-1/sadsl.
    const trained = await loadModel(path.join(out, 'models', 'seed-1', 'sadsl', 'model'));
    try {
      const q = selectQueries(ds.test.n, 60, 1);
      const codes = await trained.encode({ split: ds.test, indices: q });
      expect(codes.kind === 'dense' && codes.theta).toBeTruthy();
      const theta = codes.kind === 'dense' ? codes.theta! : null;
      expect(m.topicUsage).toEqual(topicUsage(theta!.values, q.length, 4));
      const f = m.faithfulness!;
      expect(f.pairs).toBe(200);
      expect(f).toEqual(await meanFaithfulness(trained, ds, { pairs: 200, seed: 1 }));
    } finally {
      trained.dispose();
    }
    const md = readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/Faithfulness \(sadsl, 200 same-class pairs\)/);
    expect(md).toMatch(/- sadsl: H\(θ̄\) [\d.]+ of 1\.386/);
  });

  it('refuses other settings in the same folder and unknown or repeated methods', async () => {
    await expect(run(['raw'], { epochs: 2 })).rejects.toThrow(/epochs 1, not 2/);
    await expect(run(['lsa'])).rejects.toThrow(ArgumentError);
    await expect(run(['raw', 'raw'])).rejects.toThrow(/twice/);
  });

  it('results table marks the best of each column in bold, ties included', () => {
    const row = (mAP: number, p10: number) => ({ mAP, precisionAt10: p10, precisionAt100: 0.5, rPrecision: 0.4, mapAtR: 0.3, ndcgAt10: 0.6, pr: [], trainSeconds: 1 });
    const md = resultsTable({
      dataset: 'd', queries: 5, database: 9, epochs: 2, seeds: [0], machine: { cpus: 2, model: 'cpu', memoryGB: 1, backend: 'cpu' },
      methods: { a: row(0.61234, 0.2), b: row(0.5, 0.9) },
      perSeed: {},
    });
    expect(md).toContain('| a | **0.6123** | 0.2000 | **0.5000** | **0.4000** | **0.3000** | 1.0 |');
    expect(md).toContain('| b | 0.5000 | **0.9000** | **0.5000** |');
    expect(md).toContain('no seed finished yet (seed 0 not finished)');
    // An interrupted 3-seed experiment says which seeds its numbers average and which are missing.
    const partial = resultsTable({
      dataset: 'd', queries: 5, database: 9, epochs: 2, seeds: [0, 1, 2], machine: { cpus: 2, model: 'cpu', memoryGB: 1, backend: 'cpu' },
      methods: { a: row(0.6, 0.2) },
      perSeed: { '0': { a: row(0.59, 0.2) }, '1': { a: row(0.61, 0.2) } },
    });
    expect(partial).toContain('trained for 2 epochs, mean ± standard deviation over seeds 0, 1 (seed 2 not finished).');
  });

  it('runs several seeds, keeps each seed\'s rows and reports their mean ± standard deviation', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sadsl-seeds-'));
    try {
      const r = await runExperiment({ dataset: ds, methods: ['raw', 'triplet'], maxSteps: 2, queries: 60, seeds: [1, 2], out: dir, model: TINY_IMAGE_MODEL });
      expect(r.seeds).toEqual([1, 2]);
      const a = r.perSeed['1'].triplet;
      const b = r.perSeed['2'].triplet;
      expect(a.mAP).not.toBe(b.mAP); // other weights, batches and queries
      const t = r.methods.triplet;
      expect(t.seeds).toBe(2);
      expect(t.mAP).toBeCloseTo((a.mAP + b.mAP) / 2, 12);
      expect(t.std!.mAP).toBeCloseTo(Math.abs(a.mAP - b.mAP) / Math.SQRT2, 12); // sample std of two values
      expect(t.pr[5]).toBeCloseTo((a.pr[5] + b.pr[5]) / 2, 12);
      const md = readFileSync(path.join(dir, 'results.md'), 'utf8');
      expect(md).toContain('mean ± standard deviation over seeds 1, 2');
      expect(md).toContain(`| triplet | ${t.mAP.toFixed(4)} ± ${t.std!.mAP.toFixed(4)} |`);
      // Adding a seed computes only that seed's rows.
      const events: ExperimentEvent[] = [];
      const more = await runExperiment({ dataset: ds, methods: ['raw'], maxSteps: 2, queries: 60, seeds: [1, 3], out: dir, model: TINY_IMAGE_MODEL, onEvent: (e) => events.push(e) });
      expect(events.filter((e) => e.type === 'method-done' && !e.skipped).map((e) => (e as { seed: number }).seed)).toEqual([3]);
      expect(more.seeds).toEqual([1, 2, 3]);
      expect(more.methods.raw.seeds).toBe(3);
      expect(more.methods.triplet.seeds).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('subsetSplit picks objects of image and text splits', () => {
    const img = subsetSplit(ds.test, Int32Array.from([3, 1])) as ImageSplit;
    expect(img.n).toBe(2);
    expect(Array.from(img.labels)).toEqual([ds.test.labels[3], ds.test.labels[1]]);
    const px = 28 * 28;
    expect(Array.from(img.pixels.subarray(0, px))).toEqual(Array.from((ds.test as ImageSplit).pixels.subarray(3 * px, 4 * px)));
    const all = Int32Array.from({ length: ds.train.n }, (_, i) => i);
    expect(subsetSplit(ds.train, all)).toBe(ds.train);
    const text: TextSplit = { kind: 'text', n: 3, texts: ['a', 'b', 'c'], labels: Int32Array.from([0, 1, 2]) };
    expect(subsetSplit(text, Int32Array.from([2]))).toMatchObject({ n: 1, texts: ['c'], labels: Int32Array.from([2]) });
  });
});
