/**
 * The files `sadsl explain --out dir` writes for a pair: explanation.json (the exact decomposition), and
 * for image models the heat maps (whole score, each top topic, α) and the labelled strip; for document models
 * highlight.html with a and b shaded.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Objects, TrainedModel } from '../train/trained-model.js';
import { attentionPng, pairHeatmaps } from './heatmap.js';
import { pairHighlights } from './highlight.js';
import { escapeHtml, htmlPage } from './html.js';

export async function writePairExplanation(
  model: TrainedModel,
  a: Objects,
  b: Objects,
  dir: string,
  opts: { top?: number; scale?: number; names?: [string, string] } = {},
): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const files: Record<string, Buffer | string> = {};
  const [nameA, nameB] = opts.names ?? ['a', 'b'];
  if (model.preprocessor.input.domain === 'image') {
    const scale = opts.scale ?? 4;
    const h = await pairHeatmaps(model, a, b, { top: opts.top ?? 3, scale });
    files['explanation.json'] = JSON.stringify(h.explanation);
    files['strip.png'] = h.strip;
    files['heatmap-a.png'] = h.a.png;
    files['heatmap-b.png'] = h.b.png;
    for (const t of h.topics) {
      files[`topic-${t.topic}-a.png`] = t.a.png;
      files[`topic-${t.topic}-b.png`] = t.b.png;
    }
    files['attention-a.png'] = await attentionPng(model, a, scale);
    files['attention-b.png'] = await attentionPng(model, b, scale);
  } else {
    const h = await pairHighlights(model, a, b, { top: opts.top ?? 3 });
    files['explanation.json'] = JSON.stringify(h.explanation);
    const body = `<h1>s(${escapeHtml(nameA)}, ${escapeHtml(nameB)}) = ${h.explanation.score.toFixed(4)}</h1><h2>a: ${escapeHtml(nameA)}</h2>${h.a}<h2>b: ${escapeHtml(nameB)}</h2>${h.b}`;
    files['highlight.html'] = htmlPage(`sadsl explain ${nameA} ${nameB}`, body);
  }
  const written: string[] = [];
  for (const [name, data] of Object.entries(files)) {
    const file = path.join(dir, name);
    await fs.writeFile(file, data);
    written.push(file);
  }
  return written;
}
