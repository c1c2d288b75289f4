/**
 * Query → top-k retrieval strips for the report: scores are dot products of codes (s(x, y) = ⟨z(x), z(y)⟩,
 * docs/model.md eq. (12)), the database is the training split, and every hit comes with its heat map (images) or
 * highlighted text (documents) from the exact decomposition of s(query, hit).
 */
import type { Dataset, TextSplit } from '../data/types.js';
import { formatRef } from '../data/refs.js';
import { Rng } from '../engine/random.js';
import type { DenseCodes } from '../train/codes.js';
import type { TrainedModel } from '../train/trained-model.js';
import { pairHeatmaps } from './heatmap.js';
import { highlightHtml, pairHighlights, segmentTokens } from './highlight.js';
import { escapeHtml, pngImg } from './html.js';
import { composeTiles, encodePng, splitImage } from './png.js';
import { regionContributions } from './regions.js';

/** The k database rows with the largest ⟨row, query⟩ (ties: lower index first), with their scores. */
export function topK(database: Float32Array, dim: number, query: ArrayLike<number>, k: number): { index: number; score: number }[] {
  const n = database.length / dim;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += database[i * dim + j] * query[j];
    scores[i] = s;
  }
  return Array.from({ length: n }, (_, i) => i)
    .sort((x, y) => scores[y] - scores[x] || x - y)
    .slice(0, k)
    .map((index) => ({ index, score: scores[index] }));
}

export interface StripOptions {
  queries?: number;
  k?: number;
  seed?: number;
  /** Enlargement of image tiles (default 2). */
  scale?: number;
}

/** HTML blocks, one per query: the query and its top-k training objects, with heat maps / highlights. */
export async function retrievalStrips(model: TrainedModel, ds: Dataset, database: DenseCodes, opts: StripOptions = {}): Promise<string[]> {
  const k = Math.min(opts.k ?? 10, ds.train.n);
  const scale = opts.scale ?? 2;
  const rng = new Rng(opts.seed ?? 0);
  const queries = Array.from({ length: Math.min(opts.queries ?? 3, ds.test.n) }, () => rng.int(ds.test.n));
  const blocks: string[] = [];
  for (const q of queries) {
    const query = { split: ds.test, indices: [q] };
    const zq = (await model.encode(query)).codes;
    const hits = topK(database.codes, database.dim, zq, k);
    const label = (i: number, split: 'train' | 'test') => ds.classes[ds[split].labels[i]];
    const title = `<h3>query ${formatRef('test', q)} [${escapeHtml(label(q, 'test'))}]: top ${k} of the training split</h3>`;
    const train = ds.train;
    if (train.kind === 'image' && ds.test.kind === 'image') {
      const maps = [];
      for (const h of hits) maps.push(await pairHeatmaps(model, query, { split: train, indices: [h.index] }, { top: 1, scale }));
      const raw = [
        { png: await encodePng(splitImage(ds.test, q), scale), label: ['query', label(q, 'test')] },
        ...(await Promise.all(hits.map(async (h) => ({ png: await encodePng(splitImage(train, h.index), scale), label: [`s=${h.score.toFixed(3)}`, label(h.index, 'train')] })))),
      ];
      const heat = [{ png: maps[0].a.png, label: ['query vs #1'] }, ...maps.map((m, i) => ({ png: m.b.png, label: [`#${i + 1}`] }))];
      const strip = await composeTiles([...raw, ...heat], { columns: hits.length + 1 });
      blocks.push(`<div class="sadsl-strip">${title}${pngImg(strip, `retrieval for test:${q}`)}<p>Second row: region contributions to s(query, hit) (red positive, blue negative); the first tile is the query's regions for hit #1.</p></div>`);
    } else {
      const vocab = model.preprocessor.vocabulary!;
      const input = model.preprocessor.input;
      const L = input.domain === 'text' ? input.maxLength : 0;
      const first = await pairHighlights(model, query, { split: ds.train, indices: [hits[0].index] });
      const items: string[] = [];
      for (const h of hits) {
        const e = model.explain(query, { split: ds.train, indices: [h.index] });
        const text = (ds.train as TextSplit).texts[h.index];
        const html = highlightHtml(text, segmentTokens(text, vocab, L, model.config.docWindow), regionContributions(e, 'b'), []);
        items.push(`<li>${formatRef('train', h.index)} [${escapeHtml(label(h.index, 'train'))}] s=${h.score.toFixed(3)}<details><summary>text</summary>${html}</details></li>`);
      }
      blocks.push(`<div class="sadsl-strip">${title}<p>query, shaded by its contribution to s(query, #1):</p>${first.a}<ol>${items.join('')}</ol></div>`);
    }
  }
  return blocks;
}
