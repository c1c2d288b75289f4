import { describe, expect, it } from 'vitest';
import { lossChart, prChart, renderSvg, validationChart } from '../../src/explain/charts.js';

describe('charts', () => {
  it('loss chart: one row per step and logged loss', () => {
    const spec = lossChart([{ step: 1, total: 2, sim: 1 }, { step: 2, total: 1.5, sim: 0.5 }]);
    expect((spec.data as { values: object[] }).values).toEqual([
      { step: 1, loss: 'total', value: 2 },
      { step: 1, loss: 'sim', value: 1 },
      { step: 2, loss: 'total', value: 1.5 },
      { step: 2, loss: 'sim', value: 0.5 },
    ]);
  });

  it('validation and PR charts', () => {
    expect((validationChart([{ epoch: 1, mAP: 0.4, precisionAt10: 0.5 }]).data as { values: object[] }).values).toEqual([
      { epoch: 1, metric: 'mAP', value: 0.4 },
      { epoch: 1, metric: 'P@10', value: 0.5 },
    ]);
    const pr = (prChart({ m: { pr: [1, 0.5, 0.25] } }).data as { values: object[] }).values;
    expect(pr).toEqual([
      { method: 'm', recall: 0, precision: 1 },
      { method: 'm', recall: 0.5, precision: 0.5 },
      { method: 'm', recall: 1, precision: 0.25 },
    ]);
  });

  it('renders SVG with a mark per line and the axis titles', async () => {
    const svg = await renderSvg(prChart({ sadsl: { pr: [1, 0.9, 0.5] }, raw: { pr: [0.8, 0.5, 0.2] } }, { title: 'fm: 2 queries', width: 480 }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('interpolated precision');
    expect(svg).toContain('fm: 2 queries');
    const width = (s: string) => Number(/<svg[^>]*width="(\d+)"/.exec(s)![1]);
    const narrow = await renderSvg(prChart({ sadsl: { pr: [1, 0.9, 0.5] }, raw: { pr: [0.8, 0.5, 0.2] } }));
    expect(width(svg) - width(narrow)).toBe(480 - 360); // the plot widens, axes and legend stay
    expect(svg.match(/class="mark-line role-mark/g)).toHaveLength(2); // one line per method
  });
});
