import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/cli/eval.js';
import { initEngine } from '../../src/engine/backend.js';
import { loadModel } from '../../src/train/trained-model.js';
import { type CliResult, runCli } from '../support/cli.js';
import { TINY_IMAGE_MODEL } from '../support/tiny.js';

const root = mkdtempSync(path.join(tmpdir(), 'sadsl-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function sadsl(...args: string[]): Promise<CliResult> {
  return runCli(args, { ...process.env, SADSL_BACKEND: 'wasm', SADSL_CACHE: path.join(root, 'cache') });
}

/** A user error: exit 2, one line on stderr naming the problem, no stack trace. */
function expectUserError(r: CliResult, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('sadsl CLI', () => {
  it('trains, evaluates and explains a tiny model end to end', async () => {
    const out = path.join(root, 'run');
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, JSON.stringify({ model: TINY_IMAGE_MODEL, train: { validationSize: 0 } }));
    const t = await sadsl('train', '--dataset', 'sample-images', '--max-steps', '2', '--config', config, '--out', out);
    expect(t.stderr).toContain('engine wasm');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/trained 2 steps/);

    const e = await sadsl('eval', '--model', out, '--queries', '50', '--json');
    expect(e.code).toBe(0);
    const m = JSON.parse(e.stdout);
    expect(m.pr).toHaveLength(11);
    expect(m.queries).toBe(50);
    expect(m.database).toBe(2000);
    // The CLI prints what the library computes for the saved model (same 50 seeded queries).
    await initEngine({ backend: 'wasm' });
    const model = await loadModel(out);
    try {
      const lib = await evaluateModel(model, 'sample-images', { queries: 50 });
      for (const k of ['mAP', 'precisionAt10', 'precisionAt100', 'rPrecision', 'mapAtR', 'ndcgAt10', 'pr', 'topicUsage', 'explanation'] as const) {
        expect([k, m[k]]).toEqual([k, lib[k]]);
      }
    } finally {
      model.dispose();
    }

    const x = await sadsl('explain', '--model', out, '--a', 'test:0', '--b', 'test:1', '--json');
    expect(x.code).toBe(0);
    const ex = JSON.parse(x.stdout);
    const topicSum = ex.topics.reduce((s: number, t: { contribution: number }) => s + t.contribution, 0);
    expect(topicSum).toBeCloseTo(ex.score, 5);
    expect(ex.regions.a).toHaveLength(49);

    expectUserError(await sadsl('explain', '--model', out, '--a', 'test:99999', '--b', 'test:1'), /--a: test:99999 is out of range/);
    expectUserError(await sadsl('explain', '--model', out, '--a', 'foo', '--b', 'test:1'), /--a: 'foo' is neither split:index \(e.g. test:0\) nor an existing file/);
  }, 300_000); // five CLI processes, each starting tsx: 52 s on an idle 2-core machine, past 120 s on a loaded one

  it('rejects bad input with one line and exit code 2', async () => {
    expectUserError(await sadsl('train'), /--dataset is required/);
    expectUserError(await sadsl('train', '--dataset', 'no-such-thing'), /unknown dataset/);
    expectUserError(await sadsl('train', '--dataset', 'sample-images', '--variant', 'bogus'), /--variant: expected one of/);
    expectUserError(await sadsl('train', '--dataset', 'sample-images', '--epochs', 'many'), /--epochs: expected a number/);
    expectUserError(await sadsl('eval', '--model', path.join(root, 'missing')), /model manifest not found/);
    expectUserError(await sadsl('--backend', 'gpu', 'demo'), /unknown backend 'gpu'/);
  }, 300_000); // six CLI processes

  it('indexes compact codes and searches them exactly (after the end-to-end run above)', async () => {
    const out = path.join(root, 'run');
    const idx = path.join(root, 'index');
    const i = await sadsl('index', '--model', out, '--out', idx, '--code-dtype', 'int8', '--max-blocks', '2', '--max-dropped-mass', '0.1');
    expect(i.code).toBe(0);
    expect(i.stdout).toMatch(/indexed 2000 objects/);
    expect(i.stdout).toMatch(/codes: int8, [\d.]+ of 4 topic blocks per object \(at most 2\), \d+ bytes per object \(full: 256\)/);
    expect(i.stdout).toMatch(/ANN: none/);
    // Every object ranked. The object itself need not come first: compact scores are inner products of codes
    // that dropped different masses, so a near-parallel code that kept more mass can score higher.
    const s = await sadsl('search', '--index', idx, '--query', 'train:5', '--k', '2000', '--json');
    expect(s.code).toBe(0);
    const r = JSON.parse(s.stdout);
    expect(r.hits).toHaveLength(2000);
    type CliHit = { id: string; score: number; contributions: number[]; dropped: { query: number; object: number } };
    r.hits.forEach((h: CliHit, i: number) => {
      expect(h.contributions.filter((c) => c !== 0).length).toBeLessThanOrEqual(2);
      expect(h.contributions.reduce((a, c) => a + c, 0)).toBeCloseTo(h.score, 5);
      if (i > 0) expect(h.score).toBeLessThanOrEqual(r.hits[i - 1].score);
    });
    // Against itself: the stored code's mass 1 − δ (unit-norm codes) less what the query's re-compaction dropped, up to int8 rounding.
    const self: CliHit = r.hits.find((h: CliHit) => h.id === 'train:5');
    expect(Math.abs(self.score - (1 - self.dropped.object - self.dropped.query))).toBeLessThan(0.02);
    expectUserError(await sadsl('index', '--model', out, '--out', idx, '--code-dtype', 'int3'), /code options .*dtype/);
    expectUserError(await sadsl('index', '--model', out, '--out', idx, '--ann-index', 'hnsw'), /--ann-index: expected ivf_rq, ivf_pq, ivf_flat, got 'hnsw'/);
    expectUserError(await sadsl('index', '--model', out, '--out', idx, '--ann-only'), /no ANN stage to rebuild/);
  }, 300_000); // four CLI processes
});
