/**
 * `pr-curves.svg` of `sadsl experiment`: the 11-point interpolated precision–recall curve of
 * every method, one line each, from a Vega-Lite spec compiled to Vega and rendered headless to SVG.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { PR_LEVELS } from './metrics.js';

/** The Vega-Lite spec of the curves of `methods` (id → 11 precisions at recall 0, 0.1, …, 1). */
export function prChartSpec(methods: Record<string, { pr: number[] }>, title: string): TopLevelSpec {
  const values = Object.entries(methods).flatMap(([method, r]) =>
    r.pr.map((precision, l) => ({ method, recall: l / (PR_LEVELS - 1), precision })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 480,
    height: 360,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'recall', type: 'quantitative', title: 'recall', scale: { domain: [0, 1] } },
      y: { field: 'precision', type: 'quantitative', title: 'interpolated precision', scale: { domain: [0, 1] } },
      color: { field: 'method', type: 'nominal', sort: Object.keys(methods), title: 'method', legend: { labelLimit: 400 } },
    },
  };
}

/** SVG text of the chart. */
export async function renderPrChart(methods: Record<string, { pr: number[] }>, title: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(prChartSpec(methods, title)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
