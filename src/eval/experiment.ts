/**
 * `sadsl experiment`: trains every method with the same budget (epochs, optional step cap, seed)
 * on the training split, evaluates all on the same queries (`evaluateProtocol`: database = training split,
 * queries = the test split or Q seeded test objects), and writes to `out`:
 *   results.json  {dataset, queries, epochs, seeds, machine, perSeed: {seed: {id: row}}, methods: {id: mean row}}
 *                 a row = {mAP, …, pr, trainSeconds[, topicUsage, explanation, faithfulness]}; with several
 *                 seeds the mean row also has `std` (standard deviation over the seeds of each number);
 *   results.md    the table (`results-table.ts`);  pr-curves.svg  the PR curves of the means (`explain/charts.ts`);
 *   models/seed-<s>/<id>/  the run directory of each SADSL method.
 * results.json is rewritten atomically after each (seed, method), and one already in it is not recomputed,
 * so an interrupted experiment resumes where it stopped (with the same settings; more seeds may be added).
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXPLANATION_DEFAULTS, type ModelConfig, type TrainConfig } from '../config.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset, Split } from '../data/types.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import { writeFileAtomic } from '../train/weights-file.js';
import { evaluateProtocol, selectQueries, type Encoder } from './evaluate-model.js';
import type { Method } from './method.js';
import { prChart, renderSvg } from '../explain/charts.js';
import { meanFaithfulness } from '../explain/faithfulness.js';
import { createMethod, methodsFor } from './methods/index.js';
import { SadslMethod } from './methods/sadsl.js';
import type { ExperimentResults, Machine, MethodResult } from './results.js';
import { resultsTable } from './results-table.js';

const FAITHFULNESS_PAIRS = EXPLANATION_DEFAULTS.faithfulnessPairs;

export type ExperimentEvent =
  | { type: 'start'; methods: string[]; seeds: number[]; resumed: string[] }
  | { type: 'method-start'; id: string; seed: number; index: number; total: number }
  | { type: 'method-progress'; id: string; stage: string; done: number; total: number }
  | { type: 'method-done'; id: string; seed: number; index: number; total: number; result: MethodResult; skipped: boolean };

export interface ExperimentOptions {
  /** A dataset spec or a loaded dataset. */
  dataset: string | Dataset;
  /** Method ids (default: every method of the dataset's domain, `methodsFor`). */
  methods?: string[];
  /** Training budget of every learned method (default 1). */
  epochs?: number;
  maxSteps?: number;
  /** Evaluate Q seeded test queries (default: all). */
  queries?: number;
  /** Seed of dataset splits, weights, sampling and query selection (default 0). */
  seed?: number;
  /** Several seeds: every method runs once per seed; results are their mean ± standard deviation. */
  seeds?: number[];
  out: string;
  /** Model config fields for SADSL and the learned baselines' encoder. */
  model?: Partial<ModelConfig>;
  /** Further SADSL training config fields. */
  train?: Partial<TrainConfig>;
  onEvent?: (e: ExperimentEvent) => void;
}

export function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    backend: tf.getBackend(),
  };
}

/** The objects `indices` of a split as a split of their own (the split itself when it is all of them in order). */
export function subsetSplit(split: Split, indices: Int32Array): Split {
  if (indices.length === split.n && indices.every((v, i) => v === i)) return split;
  const labels = Int32Array.from(indices, (i) => split.labels[i]);
  const sources = split.sources ? Array.from(indices, (i) => split.sources![i]) : undefined;
  if (split.kind === 'text') return { kind: 'text', n: indices.length, texts: Array.from(indices, (i) => split.texts[i]), labels, sources };
  const size = split.height * split.width * split.channels;
  const pixels = new Uint8Array(indices.length * size);
  indices.forEach((i, k) => pixels.set(split.pixels.subarray(i * size, (i + 1) * size), k * size));
  return { ...split, n: indices.length, pixels, labels, sources };
}

async function readResults(file: string): Promise<ExperimentResults | null> {
  if (!existsSync(file)) return null;
  let r: Partial<ExperimentResults>;
  try {
    r = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<ExperimentResults>;
  } catch {
    throw new ArgumentError(`--out: ${file} is not a results.json of sadsl experiment; use another --out`);
  }
  if (!r.perSeed || !Array.isArray(r.seeds)) {
    throw new ArgumentError(`--out: ${file} was written by an older sadsl experiment (no per-seed rows); use another --out`);
  }
  return r as ExperimentResults;
}

type Settings = Pick<ExperimentResults, 'dataset' | 'queries' | 'database' | 'epochs' | 'maxSteps'>;

/** Refuses to mix results of different settings in one results.json (more seeds may be added). */
function checkSameSettings(prev: ExperimentResults, cur: Settings, file: string): void {
  for (const key of ['dataset', 'queries', 'database', 'epochs', 'maxSteps'] as const) {
    if (prev[key] !== cur[key]) {
      throw new ArgumentError(`--out: ${file} holds an experiment with ${key} ${prev[key]}, not ${cur[key]}; use another --out`);
    }
  }
}

async function writeOutputs(out: string, results: ExperimentResults): Promise<void> {
  await writeFileAtomic(path.join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await writeFileAtomic(path.join(out, 'results.md'), resultsTable(results));
  const seeds = results.seeds.length > 1 ? `, mean of ${results.seeds.length} seeds` : '';
  const title = `${results.dataset}: ${results.queries} queries, ${results.epochs} epoch${results.epochs === 1 ? '' : 's'}${seeds}`;
  await writeFileAtomic(path.join(out, 'pr-curves.svg'), await renderSvg(prChart(results.methods, { title, width: 480, height: 360 })));
}

/** The seeds of the options: `seeds`, else `[seed]`, else [0]; distinct non-negative integers. */
function seedsOf(opts: ExperimentOptions): number[] {
  const seeds = opts.seeds ?? [opts.seed ?? 0];
  if (seeds.length === 0) throw new ArgumentError('--seeds: no seed given');
  for (const s of seeds) if (!Number.isInteger(s) || s < 0) throw new ArgumentError(`--seeds: ${s} is not a non-negative integer`);
  if (new Set(seeds).size !== seeds.length) throw new ArgumentError(`--seeds: a seed is listed twice (${seeds.join(', ')})`);
  return seeds;
}

/**
 * Trains and evaluates each (seed, method) of the experiment not yet in `out/results.json`; see the header.
 * The rows of each seed are kept in `perSeed`; `methods` holds their mean (and standard deviation).
 */
export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentResults> {
  const seeds = seedsOf(opts);
  const epochs = opts.epochs ?? 1;
  if (!(epochs > 0)) throw new ArgumentError(`--epochs: expected a positive number, got ${epochs}`);
  const first = typeof opts.dataset === 'string' ? await loadDataset(opts.dataset, { seed: seeds[0] }) : opts.dataset;
  const ids = opts.methods ?? methodsFor(first.domain);
  if (ids.length === 0) throw new ArgumentError('--methods: no method given');
  const known = methodsFor(first.domain);
  for (const id of ids) {
    if (!known.includes(id)) throw new ArgumentError(`--methods: unknown method "${id}" for ${first.name} (expected one of: ${known.join(', ')})`);
  }
  if (new Set(ids).size !== ids.length) throw new ArgumentError(`--methods: a method is listed twice (${ids.join(', ')})`);
  const settings: Settings = {
    dataset: first.spec,
    queries: selectQueries(first.test.n, opts.queries, seeds[0]).length,
    database: first.train.n,
    epochs,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
  };
  const file = path.join(opts.out, 'results.json');
  const prev = await readResults(file);
  if (prev) checkSameSettings(prev, settings, file);
  const perSeed: ExperimentResults['perSeed'] = { ...prev?.perSeed };
  const machine = prev?.machine ?? machineInfo();
  const allSeeds = [...new Set([...(prev?.seeds ?? []), ...seeds])];
  const snapshot = (): ExperimentResults => summarise({ ...settings, seeds: allSeeds, machine, methods: {}, perSeed }, ids);
  await fs.mkdir(opts.out, { recursive: true });
  const jobs = seeds.flatMap((seed) => ids.map((id) => ({ seed, id })));
  const isDone = (seed: number, id: string): MethodResult | undefined => perSeed[String(seed)]?.[id];
  opts.onEvent?.({ type: 'start', methods: ids, seeds, resumed: jobs.filter((j) => isDone(j.seed, j.id)).map((j) => `${j.id} (seed ${j.seed})`) });

  let ds = first;
  for (const [index, { seed, id }] of jobs.entries()) {
    const total = jobs.length;
    const done = isDone(seed, id);
    if (done) {
      opts.onEvent?.({ type: 'method-done', id, seed, index, total, result: done, skipped: true });
      continue;
    }
    // Sources without a fixed split are split by the seed.
    if (typeof opts.dataset === 'string' && seed !== seeds[0]) ds = await loadDataset(opts.dataset, { seed });
    opts.onEvent?.({ type: 'method-start', id, seed, index, total });
    const progress = (stage: string) => (d: number, t: number) => opts.onEvent?.({ type: 'method-progress', id, stage, done: d, total: t });
    const method = createMethod(id, ds.domain, {
      epochs,
      maxSteps: opts.maxSteps,
      model: opts.model,
      train: opts.train,
      runDir: (m) => path.join(opts.out, 'models', `seed-${seed}`, m),
    });
    try {
      const t0 = performance.now();
      await method.fit(ds, { seed, onProgress: (d, t, what) => progress(what)(d, t) });
      const trainSeconds = method.trainSeconds || (performance.now() - t0) / 1000;
      const r = await evaluateProtocol(ds, methodEncoder(method), {
        queries: opts.queries,
        seed,
        onProgress: (stage, d, t) => progress(stage)(d, t),
      });
      const result: MethodResult = {
        mAP: r.mAP,
        precisionAt10: r.precisionAt10,
        precisionAt100: r.precisionAt100,
        rPrecision: r.rPrecision,
        mapAtR: r.mapAtR,
        ndcgAt10: r.ndcgAt10,
        pr: r.pr,
        trainSeconds,
        ...(r.topicUsage ? { topicUsage: r.topicUsage } : {}),
        ...(r.explanation ? { explanation: r.explanation } : {}),
      };
      const trained = method instanceof SadslMethod ? method.trained : null;
      if (trained) {
        opts.onEvent?.({ type: 'method-progress', id, stage: 'faithfulness', done: 0, total: FAITHFULNESS_PAIRS });
        result.faithfulness = await meanFaithfulness(trained, ds, { pairs: FAITHFULNESS_PAIRS, seed });
      }
      perSeed[String(seed)] = { ...perSeed[String(seed)], [id]: result };
      await writeOutputs(opts.out, snapshot());
      opts.onEvent?.({ type: 'method-done', id, seed, index, total, result, skipped: false });
    } finally {
      method.dispose?.();
    }
  }
  const final = snapshot();
  await writeOutputs(opts.out, final);
  return final;
}

/** Every number of a row by dotted key (arrays by index), e.g. `explanation.top3Share`, `pr.3`. */
function numbers(x: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof x === 'number') out.set(prefix, x);
  else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) if (k !== 'std' && k !== 'seeds') numbers(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** A copy of `shape` with each number replaced by `value(dotted key)`. */
function mapNumbers(shape: unknown, value: (key: string) => number, prefix = ''): unknown {
  if (typeof shape === 'number') return value(prefix);
  if (Array.isArray(shape)) return shape.map((v, i) => mapNumbers(v, value, prefix ? `${prefix}.${i}` : String(i)));
  if (shape && typeof shape === 'object') {
    return Object.fromEntries(
      Object.entries(shape).filter(([k]) => k !== 'std' && k !== 'seeds').map(([k, v]) => [k, mapNumbers(v, value, prefix ? `${prefix}.${k}` : k)]),
    );
  }
  return shape;
}

/** The mean of rows of one method over seeds, with the (sample) standard deviation of each number. */
export function meanOverSeeds(rows: MethodResult[]): MethodResult {
  if (rows.length === 1) return rows[0];
  const all = rows.map((r) => numbers(r));
  const mean = (key: string): number => all.reduce((s, m) => s + (m.get(key) ?? NaN), 0) / rows.length;
  const std: Record<string, number> = {};
  for (const key of all[0].keys()) {
    const mu = mean(key);
    std[key] = Math.sqrt(all.reduce((s, m) => s + ((m.get(key) ?? NaN) - mu) ** 2, 0) / (rows.length - 1));
  }
  return { ...(mapNumbers(rows[0], mean) as MethodResult), std, seeds: rows.length };
}

/** `methods` = the mean over seeds of each method, in the order of `ids`, then earlier methods not requested. */
function summarise(r: ExperimentResults, ids: string[]): ExperimentResults {
  const seedKeys = Object.keys(r.perSeed);
  const found = new Set(seedKeys.flatMap((s) => Object.keys(r.perSeed[s])));
  const order = [...ids.filter((id) => found.has(id)), ...[...found].filter((id) => !ids.includes(id))];
  const methods: Record<string, MethodResult> = {};
  for (const id of order) {
    const rows = seedKeys.map((s) => r.perSeed[s][id]).filter((x): x is MethodResult => x !== undefined);
    methods[id] = meanOverSeeds(rows);
  }
  return { ...r, methods };
}

/** `evaluateProtocol`'s encoder for a fitted method: encodes the selected objects as a split of their own. */
function methodEncoder(method: Method): Encoder {
  return async (split, indices, onProgress) => {
    const codes = await method.encode(subsetSplit(split, indices));
    onProgress(indices.length, indices.length);
    return codes;
  };
}
