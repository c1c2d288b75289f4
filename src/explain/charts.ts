/**
 * Real charts for the run report: vega-lite specifications (pure, testable) compiled to vega and rendered
 * to SVG by vega's headless `View.toSVG()` (no browser, no canvas needed).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One JSONL record of type 'step' (train.ts): losses by name. */
export interface StepRecord {
  step: number;
  [loss: string]: number;
}

/** The losses the training log records per step (docs/model.md §5), in legend order. */
export const LOSS_NAMES = ['total', 'sim', 'rec', 'g', 'd', 'div', 'bal'] as const;

/** Training losses against the step, one line per loss. */
export function lossChart(steps: readonly StepRecord[]): TopLevelSpec {
  const values = steps.flatMap((s) => LOSS_NAMES.filter((l) => Number.isFinite(s[l])).map((loss) => ({ step: s.step, loss, value: s[loss] })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'training losses',
    width: 420,
    height: 220,
    data: { values },
    mark: { type: 'line', point: steps.length < 30 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: 'loss' },
      color: { field: 'loss', type: 'nominal', sort: [...LOSS_NAMES] },
    },
  };
}

/** Validation retrieval metrics against the epoch. */
export function validationChart(epochs: readonly { epoch: number; mAP: number; precisionAt10?: number }[]): TopLevelSpec {
  const values = epochs.flatMap((e) => [
    { epoch: e.epoch, metric: 'mAP', value: e.mAP },
    ...(e.precisionAt10 !== undefined ? [{ epoch: e.epoch, metric: 'P@10', value: e.precisionAt10 }] : []),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'validation retrieval',
    width: 420,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: 'value', scale: { domain: [0, 1] } },
      color: { field: 'metric', type: 'nominal' },
    },
  };
}

/** Title and size of a PR chart: the report's by default; `sadsl experiment`'s pr-curves.svg is larger. */
export interface PrChartOptions {
  title?: string;
  width?: number;
  height?: number;
}

/**
 * 11-point interpolated precision-recall curves (`pr`: precision at recall 0, 0.1, …, 1), one line per method in
 * the order given (the legend follows it); the one PR chart of the package (run report and `pr-curves.svg`).
 */
export function prChart(methods: Readonly<Record<string, { readonly pr: readonly number[] }>>, opts: PrChartOptions = {}): TopLevelSpec {
  const values = Object.entries(methods).flatMap(([method, { pr }]) => pr.map((precision, i) => ({ method, recall: i / (pr.length - 1), precision })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? 'precision-recall',
    width: opts.width ?? 360,
    height: opts.height ?? 260,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'recall', type: 'quantitative', title: 'recall', scale: { domain: [0, 1] } },
      y: { field: 'precision', type: 'quantitative', title: 'interpolated precision', scale: { domain: [0, 1] } },
      color: { field: 'method', type: 'nominal', sort: Object.keys(methods), title: 'method', legend: { labelLimit: 400 } },
    },
  };
}

/** A vega-lite spec rendered to an SVG string by a headless vega View. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
