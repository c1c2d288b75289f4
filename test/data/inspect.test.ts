import { describe, expect, it } from 'vitest';
import { formatSummary, inspectDataset, percentile } from '../../src/data/inspect.js';
import type { ImageDataset, TextDataset } from '../../src/data/types.js';
import { runCli } from '../support/cli.js';

const image: ImageDataset = {
  spec: 'images:/x',
  name: 'x',
  domain: 'image',
  classes: ['a', 'b', 'c'],
  train: { kind: 'image', n: 4, height: 1, width: 1, channels: 1, pixels: new Uint8Array(4), labels: Int32Array.of(0, 2, 2, 0) },
  test: { kind: 'image', n: 1, height: 1, width: 1, channels: 1, pixels: new Uint8Array(1), labels: Int32Array.of(1) },
  splitInfo: { kind: 'given' },
};

describe('inspectDataset', () => {
  it('counts objects, classes present and per-class objects', () => {
    const s = inspectDataset(image);
    expect(s.train).toEqual({ objects: 4, classes: 2, perClass: { a: 2, b: 0, c: 2 } });
    expect(s.test).toEqual({ objects: 1, classes: 1, perClass: { a: 0, b: 1, c: 0 } });
    expect(s.image).toEqual({ height: 1, width: 1, channels: 1 });
    expect(formatSummary(s)).toContain('train: 4 objects, 2 classes');
  });

  it('percentiles use the nearest rank', () => {
    const v = Int32Array.from({ length: 10 }, (_, i) => i + 1);
    expect([percentile(v, 0.5), percentile(v, 0.9), percentile(v, 0.99), percentile(v, 0.01)]).toEqual([5, 9, 10, 1]);
  });

  it('reports vocabulary and token lengths for text (vocabulary from train only)', () => {
    const text: TextDataset = {
      spec: 'text:/t',
      name: 't',
      domain: 'text',
      classes: ['x', 'y'],
      // Stop words ("the", "and") are not tokens.
      train: { kind: 'text', n: 3, texts: ['apple banana', 'apple the cherry and apple', 'durian'], labels: Int32Array.of(0, 1, 1) },
      test: { kind: 'text', n: 1, texts: ['zebra zebra yak'], labels: Int32Array.of(0) },
      splitInfo: { kind: 'given' },
    };
    const s = inspectDataset(text, { vocabSize: 3 });
    expect(s.text).toEqual({ distinctWords: 4, vocabularySize: 3, vocabularyLimit: 3 });
    expect(s.train.tokens).toEqual({ p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
    expect(s.test.tokens).toMatchObject({ p50: 3, max: 3 });
  });
});

describe('sadsl data inspect', () => {
  const run = (...args: string[]) => runCli(['data', 'inspect', ...args]);

  it('prints JSON for sample-images', async () => {
    const r = await run('sample-images', '--json', '--no-cache');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect([s.train.objects, s.test.objects, s.classes.length]).toEqual([2000, 500, 10]);
    expect(s.train.perClass['Ankle boot']).toBe(200);
  });

  it('exits 2 with one line for a bad spec', async () => {
    const r = await run('no-such-dataset');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sadsl: unknown dataset "no-such-dataset"; [^\n]*\n$/);
  });
});
