/**
 * Streaming data (issue 15): `sadsl train` (one epoch) and `sadsl index` on a generated JSONL collection and on
 * one 10× larger, each command its own process, peak RSS as the command prints it. At these sizes the in-memory
 * loaders this replaced failed the bound (58 MB of JSONL: train ×2.00, index ×1.62 the small collection's peak;
 * results/data/stream.md), because the collection's texts and tokens were resident.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../data/fixtures.js';
import { runCli } from '../support/cli.js';
import { writeJsonlCollection } from '../support/collections.js';
import { TINY_TEXT_MODEL } from '../support/tiny.js';

const SMALL = 200;
const FACTOR = 10;
const dir = tempDir('sadsl-stream-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'config.json');
const file = (n: number) => join(dir, `docs-${n}.jsonl`);
const run = (n: number) => join(dir, `run-${n}`);

/** Runs a command and returns the peak RSS (MiB) its closing line reports. */
async function peakRss(args: string[]): Promise<number> {
  const r = await runCli(args, { ...process.env, SADSL_CACHE: join(dir, 'cache') });
  expect(r.code, r.stderr).toBe(0);
  const m = /peak RSS (\d+) MiB/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return Number(m![1]);
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(config, JSON.stringify({ model: TINY_TEXT_MODEL, train: { validationSize: 50 } }));
  // ~29 KB per document: 5.8 MB and 58 MB of JSONL.
  for (const n of [SMALL, SMALL * FACTOR]) await writeJsonlCollection(file(n), { docs: n, words: 4000, classes: 8 });
});

describe('streamed collections keep peak RSS bounded as they grow 10×', () => {
  const trainPeak: Record<number, number> = {};

  it('sadsl train, one epoch', async () => {
    for (const n of [SMALL, SMALL * FACTOR]) {
      trainPeak[n] = await peakRss(['train', '--dataset', `text:${file(n)}`, '--epochs', '1', '--config', config, '--out', run(n)]);
    }
    expect(trainPeak[SMALL * FACTOR]).toBeLessThanOrEqual(1.5 * trainPeak[SMALL]);
  });

  it('sadsl index', async () => {
    const peak: Record<number, number> = {};
    for (const n of [SMALL, SMALL * FACTOR]) peak[n] = await peakRss(['index', '--model', run(n), '--ann', 'none', '--out', join(dir, `index-${n}`)]);
    expect(peak[SMALL * FACTOR]).toBeLessThanOrEqual(1.5 * peak[SMALL]);
  });
});
