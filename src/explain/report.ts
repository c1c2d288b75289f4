/**
 * `sadsl report`: one self-contained HTML file for a run directory (train.ts layout): training curves from
 * metrics.jsonl (losses, validation mAP), the precision-recall curves and results table when the run holds
 * an experiment (`results.json`), the topic gallery, and query → top-10 retrieval strips with heat maps.
 * Charts are vega-lite rendered to SVG; pictures are inlined as data: URIs.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { range } from '../data/reader.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import { DataError } from '../errors.js';
import { loadModel } from '../train/trained-model.js';
import { lossChart, prChart, renderSvg, validationChart, type StepRecord } from './charts.js';
import { topicGallery } from './gallery.js';
import { galleryHtml } from './gallery-view.js';
import { escapeHtml, htmlPage } from './html.js';
import { retrievalStrips } from './retrieval-strip.js';

export interface RunMetrics {
  steps: StepRecord[];
  epochs: { epoch: number; mAP: number; precisionAt10?: number }[];
}

/** The step and epoch records of a metrics.jsonl text (epochs without validation are skipped). */
export function parseMetrics(text: string, file = 'metrics.jsonl'): RunMetrics {
  const out: RunMetrics = { steps: [], epochs: [] };
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: { type?: string; step?: number; epoch?: number; validation?: { mAP: number; precisionAt10?: number } | null };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      throw new DataError(`${file}:${i + 1}: not JSON`);
    }
    if (r.type === 'step') out.steps.push(r as StepRecord);
    else if (r.type === 'epoch' && r.validation) out.epochs.push({ epoch: r.epoch!, mAP: r.validation.mAP, precisionAt10: r.validation.precisionAt10 });
  });
  return out;
}

/** results.json of `sadsl experiment`, the fields the report shows. */
interface Results {
  dataset: string;
  queries: number;
  epochs: number;
  methods: Record<string, { mAP: number; precisionAt10: number; precisionAt100: number; rPrecision: number; mapAtR: number; pr: number[] }>;
}

const RESULT_COLUMNS = [
  ['mAP', 'mAP'],
  ['precisionAt10', 'P@10'],
  ['precisionAt100', 'P@100'],
  ['rPrecision', 'R-precision'],
  ['mapAtR', 'MAP@R'],
] as const;

/** The results table, best value per column in bold. */
export function resultsTable(r: Results): string {
  const methods = Object.entries(r.methods);
  const best = RESULT_COLUMNS.map(([key]) => Math.max(...methods.map(([, m]) => m[key])));
  const head = `<tr><th>method</th>${RESULT_COLUMNS.map(([, t]) => `<th>${t}</th>`).join('')}</tr>`;
  const rows = methods
    .map(([id, m]) => `<tr><td>${escapeHtml(id)}</td>${RESULT_COLUMNS.map(([key], j) => {
      const v = m[key].toFixed(4);
      return `<td>${m[key] === best[j] ? `<b>${v}</b>` : v}</td>`;
    }).join('')}</tr>`)
    .join('');
  return `<table>${head}${rows}</table>`;
}

/** The run's dataset, split with the run's seed (config.json) so refs name the objects training saw. */
async function runDataset(runDir: string, spec: string): Promise<Dataset> {
  const configFile = path.join(runDir, 'config.json');
  const config = existsSync(configFile) ? (JSON.parse(await fs.readFile(configFile, 'utf8')) as { dataset?: string; train?: { seed?: number } }) : {};
  return loadDataset(config.dataset ?? spec, config.train?.seed !== undefined ? { seed: config.train.seed } : {});
}

export interface ReportOptions {
  /** Output file (default `<runDir>/report.html`). */
  out?: string;
  /** The run's dataset, when already loaded (default: loaded from config.json / the model). */
  dataset?: Dataset;
  /** Retrieval strips (default 3). */
  queries?: number;
  /** Training objects encoded for the gallery and the retrieval database (default 10,000: codes are K·d floats each). */
  maxObjects?: number;
  seed?: number;
  onProgress?: (what: string) => void;
}

/** Writes the report of a run directory; returns the file written. */
export async function writeReport(runDir: string, opts: ReportOptions = {}): Promise<string> {
  const metricsFile = path.join(runDir, 'metrics.jsonl');
  if (!existsSync(metricsFile)) throw new DataError(`${runDir}: not a run directory (no metrics.jsonl)`);
  const metrics = parseMetrics(await fs.readFile(metricsFile, 'utf8'), metricsFile);
  const model = await loadModel(runDir);
  try {
    const ds = opts.dataset ?? (await runDataset(runDir, model.dataset.spec));
    const sections: string[] = [`<h1>sadsl run: ${escapeHtml(path.resolve(runDir))}</h1>`];
    sections.push(
      `<p>dataset ${escapeHtml(ds.name)} (${ds.domain}, ${ds.classes.length} classes, ${ds.train.n} train / ${ds.test.n} test); model K=${model.config.K}, d=${model.config.d}, variant ${escapeHtml(model.config.variant)}; ${metrics.steps.length} logged steps</p>`,
    );
    opts.onProgress?.('charts');
    sections.push('<h2>Training</h2>');
    if (metrics.steps.length) sections.push(`<div class="sadsl-chart">${await renderSvg(lossChart(metrics.steps))}</div>`);
    if (metrics.epochs.length) sections.push(`<div class="sadsl-chart">${await renderSvg(validationChart(metrics.epochs))}</div>`);
    else sections.push('<p>No validation was run.</p>');
    const resultsFile = path.join(runDir, 'results.json');
    if (existsSync(resultsFile)) {
      const results = JSON.parse(await fs.readFile(resultsFile, 'utf8')) as Results;
      sections.push(`<h2>Experiment: ${escapeHtml(results.dataset)} (${results.queries} queries, ${results.epochs} epochs)</h2>`);
      sections.push(resultsTable(results));
      sections.push(`<div class="sadsl-chart">${await renderSvg(prChart(results.methods))}</div>`);
    }
    opts.onProgress?.('encoding');
    const n = Math.min(ds.train.n, opts.maxObjects ?? 10_000);
    const database = await model.encode({ split: ds.train, indices: range(0, n) });
    if (model.config.variant !== 'no-topics') {
      opts.onProgress?.('gallery');
      sections.push('<h2>Topics</h2>', galleryHtml(await topicGallery(model, ds, { codes: database, samples: 6, show: 8, seed: opts.seed })));
    }
    opts.onProgress?.('retrieval');
    sections.push('<h2>Retrieval</h2>', ...(await retrievalStrips(model, ds, database, { queries: opts.queries ?? 3, k: 10, seed: opts.seed })));
    const out = opts.out ?? path.join(runDir, 'report.html');
    await fs.writeFile(out, htmlPage(`sadsl report: ${ds.name}`, sections.join('\n')));
    return out;
  } finally {
    model.dispose();
  }
}
