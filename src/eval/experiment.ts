/**
 * `sadsl experiment`: trains every method with the same budget (epochs, optional step cap, seed)
 * on the training split, evaluates all on the same queries (`evaluateProtocol`: database = training split,
 * queries = the test split or Q seeded test objects), and writes to `out`:
 *   results.json  {dataset, queries, epochs, seed, machine, methods: {id: {mAP, …, pr, trainSeconds}}}
 *   results.md    the table (`results-table.ts`);  pr-curves.svg  the PR curves (`pr-chart.ts`);
 *   models/<id>/  the run directory of each SADSL method.
 * results.json is rewritten atomically after each method, and a method already in it is not recomputed,
 * so an interrupted experiment resumes where it stopped (with the same settings).
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelConfig, TrainConfig } from '../config.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset, Split } from '../data/types.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import { writeFileAtomic } from '../train/weights-file.js';
import { evaluateProtocol, selectQueries, type Encoder } from './evaluate-model.js';
import type { Method } from './method.js';
import { meanFaithfulness } from '../explain/faithfulness.js';
import { createMethod, methodsFor } from './methods/index.js';
import { SadslMethod } from './methods/sadsl.js';
import { renderPrChart } from './pr-chart.js';
import type { ExperimentResults, Machine, MethodResult } from './results.js';
import { resultsTable } from './results-table.js';

/** Same-class pairs whose explanations the experiment checks by deletion. */
export const FAITHFULNESS_PAIRS = 200;

export type ExperimentEvent =
  | { type: 'start'; methods: string[]; resumed: string[] }
  | { type: 'method-start'; id: string; index: number; total: number }
  | { type: 'method-progress'; id: string; stage: string; done: number; total: number }
  | { type: 'method-done'; id: string; index: number; total: number; result: MethodResult; skipped: boolean };

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
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as ExperimentResults;
  } catch {
    throw new ArgumentError(`--out: ${file} is not a results.json of sadsl experiment; use another --out`);
  }
}

/** Refuses to mix results of different settings in one results.json. */
function checkSameSettings(prev: ExperimentResults, cur: Omit<ExperimentResults, 'machine' | 'methods'>, file: string): void {
  for (const key of ['dataset', 'queries', 'database', 'epochs', 'maxSteps', 'seed'] as const) {
    if (prev[key] !== cur[key]) {
      throw new ArgumentError(`--out: ${file} holds an experiment with ${key} ${prev[key]}, not ${cur[key]}; use another --out`);
    }
  }
}

async function writeOutputs(out: string, results: ExperimentResults): Promise<void> {
  await writeFileAtomic(path.join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await writeFileAtomic(path.join(out, 'results.md'), resultsTable(results));
  const title = `${results.dataset}: ${results.queries} queries, ${results.epochs} epoch${results.epochs === 1 ? '' : 's'}`;
  await writeFileAtomic(path.join(out, 'pr-curves.svg'), await renderPrChart(results.methods, title));
}

/** Trains and evaluates each method of the experiment not yet in `out/results.json`; see the header. */
export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentResults> {
  const seed = opts.seed ?? 0;
  const epochs = opts.epochs ?? 1;
  if (!(epochs > 0)) throw new ArgumentError(`--epochs: expected a positive number, got ${epochs}`);
  const ds = typeof opts.dataset === 'string' ? await loadDataset(opts.dataset, { seed }) : opts.dataset;
  const ids = opts.methods ?? methodsFor(ds.domain);
  if (ids.length === 0) throw new ArgumentError('--methods: no method given');
  const known = methodsFor(ds.domain);
  for (const id of ids) {
    if (!known.includes(id)) throw new ArgumentError(`--methods: unknown method "${id}" for ${ds.name} (expected one of: ${known.join(', ')})`);
  }
  if (new Set(ids).size !== ids.length) throw new ArgumentError(`--methods: a method is listed twice (${ids.join(', ')})`);
  const q = selectQueries(ds.test.n, opts.queries, seed);
  const settings = {
    dataset: ds.spec,
    queries: q.length,
    database: ds.train.n,
    epochs,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    seed,
  };
  const file = path.join(opts.out, 'results.json');
  const prev = await readResults(file);
  if (prev) checkSameSettings(prev, settings, file);
  const results: ExperimentResults = { ...settings, machine: prev?.machine ?? machineInfo(), methods: { ...prev?.methods } };
  await fs.mkdir(opts.out, { recursive: true });
  opts.onEvent?.({ type: 'start', methods: ids, resumed: ids.filter((id) => prev?.methods[id]) });

  for (const [index, id] of ids.entries()) {
    const done = prev?.methods[id];
    if (done) {
      opts.onEvent?.({ type: 'method-done', id, index, total: ids.length, result: done, skipped: true });
      continue;
    }
    opts.onEvent?.({ type: 'method-start', id, index, total: ids.length });
    const progress = (stage: string) => (d: number, t: number) => opts.onEvent?.({ type: 'method-progress', id, stage, done: d, total: t });
    const method = createMethod(id, ds.domain, {
      epochs,
      maxSteps: opts.maxSteps,
      model: opts.model,
      train: opts.train,
      runDir: (m) => path.join(opts.out, 'models', m),
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
      };
      const trained = method instanceof SadslMethod ? method.trained : null;
      if (id === 'sadsl' && trained) {
        opts.onEvent?.({ type: 'method-progress', id, stage: 'faithfulness', done: 0, total: FAITHFULNESS_PAIRS });
        result.faithfulness = await meanFaithfulness(trained, ds, { pairs: FAITHFULNESS_PAIRS, seed });
      }
      results.methods[id] = result;
      await writeOutputs(opts.out, orderedResults(results, ids));
      opts.onEvent?.({ type: 'method-done', id, index, total: ids.length, result, skipped: false });
    } finally {
      method.dispose?.();
    }
  }
  const final = orderedResults(results, ids);
  await writeOutputs(opts.out, final);
  return final;
}

/** Rows in the requested order, then the finished methods of earlier runs that were not requested. */
function orderedResults(r: ExperimentResults, ids: string[]): ExperimentResults {
  const methods: Record<string, MethodResult> = {};
  for (const id of ids) if (r.methods[id]) methods[id] = r.methods[id];
  for (const [id, m] of Object.entries(r.methods)) if (!(id in methods)) methods[id] = m;
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
