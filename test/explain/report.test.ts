/**
 * The run report end to end: a tiny model trained here, a results.json like `sadsl experiment` writes, the
 * report written and opened in headless Chromium (test/support/browser.ts) through playwright-core; the
 * screenshot goes to artifacts/ (git-ignored, kept by CI as a build artefact).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/registry.js';
import { initEngine } from '../../src/engine/backend.js';
import { retrievalValidation } from '../../src/eval/validation.js';
import { parseMetrics, resultsTable, writeReport } from '../../src/explain/report.js';
import { train } from '../../src/train/train.js';
import { launchBrowser } from '../support/browser.js';
import { TINY_IMAGE_MODEL } from '../support/tiny.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('report pieces', () => {
  it('parses metrics.jsonl: steps, and epochs with validation', () => {
    const text = [
      '{"type":"step","step":1,"epoch":0,"sim":1,"total":2}',
      '{"type":"epoch","epoch":1,"step":1,"validation":{"mAP":0.4,"precisionAt10":0.5},"topicUsage":null}',
      '{"type":"epoch","epoch":2,"step":2,"validation":null,"topicUsage":null}',
      '',
    ].join('\n');
    expect(parseMetrics(text)).toEqual({ steps: [{ type: 'step', step: 1, epoch: 0, sim: 1, total: 2 }], epochs: [{ epoch: 1, mAP: 0.4, precisionAt10: 0.5 }] });
    expect(() => parseMetrics('{"type":"step"}\nnot json', 'm.jsonl')).toThrow(/m\.jsonl:2: not JSON/);
  });

  it('results table: best per column in bold', () => {
    const m = (v: number) => ({ mAP: v, precisionAt10: v, precisionAt100: v, rPrecision: v, mapAtR: 1 - v, pr: [] });
    const html = resultsTable({ dataset: 'x', queries: 1, epochs: 1, methods: { a: m(0.5), 'b<': m(0.25) } });
    expect(html).toContain('<tr><td>a</td><td><b>0.5000</b></td><td><b>0.5000</b></td><td><b>0.5000</b></td><td><b>0.5000</b></td><td>0.5000</td></tr>');
    expect(html).toContain('<td>b&lt;</td><td>0.2500</td><td>0.2500</td><td>0.2500</td><td>0.2500</td><td><b>0.7500</b></td>');
  });
});

describe('writeReport', () => {
  it('writes one self-contained HTML file that opens in headless Chromium without console errors', async () => {
    const run = mkdtempSync(path.join(tmpdir(), 'sadsl-report-'));
    const ds = await loadDataset('sample-images');
    const { model } = await train({
      dataset: ds,
      out: run,
      train: { maxSteps: 3, validationSize: 100 },
      validate: retrievalValidation,
      model: TINY_IMAGE_MODEL,
    });
    model.dispose();
    const pr = (top: number) => Array.from({ length: 11 }, (_, i) => top * (1 - i / 20));
    writeFileSync(
      path.join(run, 'results.json'),
      JSON.stringify({
        dataset: 'sample-images',
        queries: 100,
        epochs: 1,
        seed: 0,
        machine: 'test',
        methods: {
          sadsl: { mAP: 0.5, precisionAt10: 0.6, precisionAt100: 0.4, rPrecision: 0.45, mapAtR: 0.3, ndcgAt10: 0.6, pr: pr(0.9), trainSeconds: 1 },
          raw: { mAP: 0.3, precisionAt10: 0.5, precisionAt100: 0.3, rPrecision: 0.35, mapAtR: 0.2, ndcgAt10: 0.5, pr: pr(0.7), trainSeconds: 0 },
        },
      }),
    );
    const file = await writeReport(run, { dataset: ds, maxObjects: 400, queries: 2 });
    expect(file).toBe(path.join(run, 'report.html'));
    const html = readFileSync(file, 'utf8');
    // self-contained: no external resources
    expect(html).not.toMatch(/\s(src|href)="(?!data:)/);
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(3); // losses, validation, PR curves
    expect(html).toContain('<b>0.5000</b>');
    expect(html.match(/class="sadsl-topic"/g)).toHaveLength(4);
    expect(html.match(/class="sadsl-strip"/g)).toHaveLength(2);

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      expect(await page.locator('svg.marks').count()).toBeGreaterThanOrEqual(3);
      const images = await page.evaluate(() => Array.from(document.images).map((i) => i.complete && i.naturalWidth > 0));
      expect(images.length).toBeGreaterThan(8);
      expect(images.every(Boolean)).toBe(true);
      const shots = path.resolve('artifacts');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
