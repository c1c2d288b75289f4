import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { purity, topicGallery, topObjects } from '../../src/explain/gallery.js';
import { galleryHtml, writeGallery } from '../../src/explain/gallery-view.js';
import { distinctiveWords, topWords } from '../../src/explain/words.js';
import { Vocabulary } from '../../src/data/text/vocabulary.js';
import { imageModel, textModel } from './fixtures.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('gallery helpers', () => {
  it('top objects by θ_k, ties by index', () => {
    const theta = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.6, 0.4]; // [4, 2]
    expect(topObjects(theta, 2, 0, 3)).toEqual([0, 2, 3]);
    expect(topObjects(theta, 2, 1, 2)).toEqual([1, 2]);
  });

  it('purity: share of the majority class, ties to the lower class', () => {
    const labels = [1, 1, 2, 2, 2];
    expect(purity(labels, [0, 1, 2])).toEqual({ majority: 1, purity: 2 / 3 });
    expect(purity(labels, [2, 3, 4, 0])).toEqual({ majority: 2, purity: 0.75 });
    expect(purity(labels, [0, 2])).toEqual({ majority: 1, purity: 0.5 });
  });
});

describe('topic words', () => {
  const vocab = Vocabulary.build([['a', 'b', 'c']], 3); // ids a=1, b=2, c=3
  it('top words by probability', () => {
    expect(topWords([0.2, 0.5, 0.3], vocab, 2)).toEqual([
      { word: 'b', p: 0.5 },
      { word: 'c', p: 0.3 },
    ]);
  });

  it('distinctive words: p_k log(p_k / mean), shared words score 0', () => {
    // mean = (0.5, 0.25, 0.25): topic 0 scores a 0, b 0.5·log 2, c 0; topic 1 scores a 0, b 0, c 0.5·log 2
    const rows = [Float32Array.from([0.5, 0.5, 0]), Float32Array.from([0.5, 0, 0.5])];
    expect(distinctiveWords(rows, 0, vocab, 3).map((w) => w.word)).toEqual(['b', 'a', 'c']);
    expect(distinctiveWords(rows, 1, vocab, 1)).toEqual([{ word: 'c', p: 0.5 }]);
  });
});

describe('topicGallery', () => {
  it('images: purity of the top objects by θ, renders and top objects as PNG rows, files', async () => {
    const { ds, model } = await imageModel();
    try {
      const g = await topicGallery(model, ds, { maxObjects: 300, purityTop: 20, show: 4, samples: 3 });
      expect(g.K).toBe(4);
      expect(g.objects).toBe(300);
      const codes = await model.encode({ split: ds.train, indices: Int32Array.from({ length: 300 }, (_, i) => i) });
      const th = codes.theta!.values;
      for (const t of g.topics) {
        const top = Array.from({ length: 300 }, (_, i) => i).sort((x, y) => th[y * 4 + t.topic] - th[x * 4 + t.topic] || x - y).slice(0, 20);
        const counts = new Map<number, number>();
        top.forEach((i) => counts.set(ds.train.labels[i], (counts.get(ds.train.labels[i]) ?? 0) + 1));
        expect(t.purity).toBe(Math.max(...counts.values()) / 20);
        expect(t.topObjects.map((o) => o.ref)).toEqual(top.slice(0, 4).map((i) => `train:${i}`));
        const s = await sharp(t.samplesPng!).metadata();
        expect([s.format, s.width, s.height]).toEqual(['png', 3 * 56 + 4 * 2, 56 + 2 * 2]);
        const o = await sharp(t.objectsPng!).metadata();
        expect([o.width, o.height]).toEqual([4 * 56 + 5 * 2, 60]);
      }
      expect(g.meanPurity).toBeCloseTo(g.topics.reduce((s, t) => s + t.purity, 0) / 4, 12);
      const dir = mkdtempSync(path.join(tmpdir(), 'sadsl-gallery-'));
      const files = await writeGallery(g, dir);
      expect(files.map((f) => path.basename(f))).toEqual(['gallery.json', 'gallery.html', 'gallery.png']);
      expect(files.every(existsSync)).toBe(true);
      const json = JSON.parse(readFileSync(files[0], 'utf8')) as { meanPurity: number; topics: object[] };
      expect(json.meanPurity).toBe(g.meanPurity);
      expect(Object.keys(json.topics[0])).not.toContain('samplesPng');
      expect(readFileSync(files[1], 'utf8')).toContain('src="data:image/png;base64,');
      expect((await sharp(files[2]).metadata()).format).toBe('png');
    } finally {
      model.dispose();
    }
  });

  it('documents: top words of G(t_k) and the first words of the top objects', async () => {
    const { ds, model } = await textModel();
    try {
      const g = await topicGallery(model, ds, { maxObjects: 200, words: 6, show: 2 });
      const vocab = model.preprocessor.vocabulary!;
      for (const t of g.topics) {
        expect(t.words).toHaveLength(6);
        expect(t.distinctive).toHaveLength(6);
        expect(t.words!.every((w) => vocab.id(w.word) > 0)).toBe(true);
        expect(t.words![0].p).toBeGreaterThanOrEqual(t.words![5].p);
        expect(t.topObjects[0].words!.length).toBeGreaterThan(0);
        expect(t.samplesPng).toBeUndefined();
      }
      expect(galleryHtml(g)).toContain(`G(t<sub>0</sub>)`);
    } finally {
      model.dispose();
    }
  });
});
