/** The topic gallery as files: gallery.png (image models), gallery.json, and a self-contained gallery.html. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Gallery } from './gallery.js';
import { escapeHtml, htmlPage, pngImg } from './html.js';
import { composeTiles } from './png.js';

/** The gallery without its pictures (JSON-ready). */
export function galleryJson(g: Gallery): object {
  return { ...g, topics: g.topics.map(({ samplesPng: _s, objectsPng: _o, ...t }) => t) };
}

/** The gallery as an HTML fragment: one block per topic, pictures inlined. */
export function galleryHtml(g: Gallery): string {
  const head = `<p>${g.K} topics over ${g.objects} training objects of ${escapeHtml(g.dataset)}; mean purity of the top-${g.purityTop} objects per topic: <b>${g.meanPurity.toFixed(3)}</b></p>`;
  const topics = g.topics
    .map((t) => {
      const title = `<h3>topic ${t.topic}: purity ${t.purity.toFixed(2)} (${escapeHtml(t.majorityClass)}), mean θ ${t.meanTheta.toFixed(3)}</h3>`;
      const pics = [t.samplesPng ? pngImg(t.samplesPng, `renders of topic ${t.topic}`) : '', t.objectsPng ? pngImg(t.objectsPng, `top objects of topic ${t.topic}`) : ''].join('');
      const list = (ws: { word: string }[]) => `<span class="sadsl-words">${escapeHtml(ws.map((w) => w.word).join(', '))}</span>`;
      const words =
        (t.words ? `<p>G(t<sub>${t.topic}</sub>): ${list(t.words)}</p>` : '') + (t.distinctive ? `<p>distinctive: ${list(t.distinctive)}</p>` : '');
      const objects = t.topObjects
        .map((o) => `<li>${escapeHtml(o.ref)} [${escapeHtml(o.label)}] θ=${o.theta.toFixed(3)}${o.words ? `: <span class="sadsl-words">${escapeHtml(o.words.join(' '))}</span>` : ''}</li>`)
        .join('');
      return `<div class="sadsl-topic">${title}${pics ? `<div>${pics}</div>` : ''}${words}<details><summary>top objects</summary><ul>${objects}</ul></details></div>`;
    })
    .join('\n');
  return `${head}\n${topics}`;
}

/** One PNG: per topic, its renders then its top objects, labelled with the purity (image models). */
export async function galleryPng(g: Gallery): Promise<Buffer | null> {
  const rows = await Promise.all(
    g.topics
      .filter((t) => t.samplesPng || t.objectsPng)
      .map(async (t) => ({
        png: await composeTiles([t.samplesPng, t.objectsPng].filter((p): p is Buffer => !!p).map((png) => ({ png })), { gap: 2, columns: 2 }),
        label: [`topic ${t.topic}: purity ${t.purity.toFixed(2)} (${t.majorityClass})`],
      })),
  );
  return rows.length ? composeTiles(rows, { columns: 1 }) : null;
}

/** Writes gallery.json, gallery.html and (image models) gallery.png into `dir`; returns the paths. */
export async function writeGallery(g: Gallery, dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const files = [path.join(dir, 'gallery.json'), path.join(dir, 'gallery.html')];
  await fs.writeFile(files[0], JSON.stringify(galleryJson(g), null, 1));
  await fs.writeFile(files[1], htmlPage(`sadsl topics: ${g.dataset}`, `<h1>Topics of ${escapeHtml(g.dataset)}</h1>\n${galleryHtml(g)}`));
  const png = await galleryPng(g);
  if (png) {
    files.push(path.join(dir, 'gallery.png'));
    await fs.writeFile(files[2], png);
  }
  return files;
}
