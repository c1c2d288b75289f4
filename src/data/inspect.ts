/**
 * Dataset summaries for `sadsl data inspect`: per split the number of objects, classes and
 * per-class counts; for text also the vocabulary (built on train, as the model does) and token-length
 * percentiles.
 */
import { modelConfigSchema } from '../config.js';
import { tokenize } from './text/tokenize.js';
import { Vocabulary } from './text/vocabulary.js';
import type { Dataset, Split } from './types.js';

export interface SplitSummary {
  objects: number;
  /** Classes with at least one object in this split. */
  classes: number;
  perClass: Record<string, number>;
  /** Text only: percentiles of the number of tokens per document. */
  tokens?: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export interface DatasetSummary {
  spec: string;
  name: string;
  domain: Dataset['domain'];
  classes: string[];
  split: Dataset['splitInfo'];
  image?: { height: number; width: number; channels: number };
  /** Text only: distinct training words, and the vocabulary the model would use (top `vocabSize`). */
  text?: { distinctWords: number; vocabularySize: number; vocabularyLimit: number };
  train: SplitSummary;
  test: SplitSummary;
}

/** The value below which a share `q` of the sorted values falls (nearest rank). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summarizeSplit(s: Split, classes: string[], tokenCounts?: Int32Array): SplitSummary {
  const counts = new Array<number>(classes.length).fill(0);
  for (const c of s.labels) counts[c]++;
  const perClass = Object.fromEntries(classes.map((name, c) => [name, counts[c]]));
  const out: SplitSummary = { objects: s.n, classes: counts.filter((n) => n > 0).length, perClass };
  if (tokenCounts) {
    const sorted = Int32Array.from(tokenCounts).sort();
    const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
    out.tokens = {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.length ? sorted[sorted.length - 1] : 0,
      mean: Math.round(mean * 10) / 10,
    };
  }
  return out;
}

export function inspectDataset(ds: Dataset, opts: { vocabSize?: number } = {}): DatasetSummary {
  const base = { spec: ds.spec, name: ds.name, domain: ds.domain, classes: ds.classes, split: ds.splitInfo };
  if (ds.train.kind === 'image') {
    const { height, width, channels } = ds.train;
    return { ...base, image: { height, width, channels }, train: summarizeSplit(ds.train, ds.classes), test: summarizeSplit(ds.test, ds.classes) };
  }
  const limit = opts.vocabSize ?? modelConfigSchema.parse({}).vocabSize;
  const trainTokens = ds.train.texts.map(tokenize);
  const testTexts = ds.test.kind === 'text' ? ds.test.texts : [];
  const lengths = (lists: string[][]): Int32Array => Int32Array.from(lists, (t) => t.length);
  const distinct = new Set(trainTokens.flat()).size;
  const vocab = Vocabulary.build(trainTokens, limit);
  return {
    ...base,
    text: { distinctWords: distinct, vocabularySize: vocab.size, vocabularyLimit: limit },
    train: summarizeSplit(ds.train, ds.classes, lengths(trainTokens)),
    test: summarizeSplit(ds.test, ds.classes, lengths(testTexts.map(tokenize))),
  };
}

/** A plain-text rendering of a summary. */
export function formatSummary(s: DatasetSummary): string {
  const lines = [`${s.spec} (${s.domain}, ${s.classes.length} classes, split: ${s.split.kind === 'given' ? 'given by the source' : `stratified, seed ${s.split.seed}, test fraction ${s.split.testFraction}`})`];
  if (s.image) lines.push(`images: ${s.image.height}×${s.image.width}×${s.image.channels}`);
  if (s.text) lines.push(`vocabulary: ${s.text.vocabularySize} words (limit ${s.text.vocabularyLimit}; ${s.text.distinctWords} distinct training words)`);
  const width = Math.max(...s.classes.map((c) => c.length), 5);
  for (const name of ['train', 'test'] as const) {
    const sp = s[name];
    lines.push('', `${name}: ${sp.objects} objects, ${sp.classes} classes`);
    if (sp.tokens) {
      const t = sp.tokens;
      lines.push(`  tokens per document: p50 ${t.p50}, p90 ${t.p90}, p99 ${t.p99}, max ${t.max}, mean ${t.mean}`);
    }
    for (const [c, n] of Object.entries(sp.perClass)) lines.push(`  ${c.padEnd(width)}  ${n}`);
  }
  return lines.join('\n');
}
