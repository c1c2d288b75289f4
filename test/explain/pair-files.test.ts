import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { writePairExplanation } from '../../src/explain/pair-files.js';
import { retrievalStrips, topK } from '../../src/explain/retrieval-strip.js';
import { imageModel, textModel } from './fixtures.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('topK', () => {
  it('largest dot products first, ties by index', () => {
    const db = Float32Array.from([1, 0, 0, 1, 1, 1, 0.5, 0.5, 1, 0]); // 5 rows of dim 2
    expect(topK(db, 2, [1, 0], 3)).toEqual([
      { index: 0, score: 1 },
      { index: 2, score: 1 },
      { index: 4, score: 1 },
    ]);
    expect(topK(db, 2, [0, 2], 2).map((h) => h.index)).toEqual([1, 2]);
  });
});

describe('writePairExplanation', () => {
  it('images: explanation.json equals model.explain; heat maps are PNGs of the image size × scale', async () => {
    const { ds, model } = await imageModel();
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'sadsl-pair-'));
      const a = { split: ds.test, indices: [4] };
      const b = { split: ds.test, indices: [9] };
      const files = await writePairExplanation(model, a, b, dir, { scale: 2, top: 2 });
      expect(files.map((f) => path.basename(f)).filter((f) => f.startsWith('topic-'))).toHaveLength(4);
      expect(JSON.parse(readFileSync(path.join(dir, 'explanation.json'), 'utf8'))).toEqual(model.explain(a, b));
      for (const f of ['heatmap-a.png', 'heatmap-b.png', 'attention-a.png']) {
        const m = await sharp(path.join(dir, f)).metadata();
        expect([m.format, m.width, m.height]).toEqual(['png', 56, 56]);
      }
    } finally {
      model.dispose();
    }
  });

  it('documents: highlight.html; retrieval strips list k hits', async () => {
    const { ds, model } = await textModel();
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'sadsl-pair-'));
      const files = await writePairExplanation(model, { split: ds.test, indices: [0] }, { split: ds.train, indices: [0] }, dir, { names: ['test:0', 'train:<0>'] });
      expect(files.map((f) => path.basename(f))).toEqual(['explanation.json', 'highlight.html']);
      const html = readFileSync(files[1], 'utf8');
      expect(html).toContain('train:&lt;0&gt;');
      expect(html.match(/class="sadsl-highlight"/g)).toHaveLength(2);
      const db = await model.encode({ split: ds.train, indices: Int32Array.from({ length: 50 }, (_, i) => i) });
      const blocks = await retrievalStrips(model, ds, db, { queries: 1, k: 5 });
      expect(blocks).toHaveLength(1);
      expect(blocks[0].match(/<li>train:\d+/g)).toHaveLength(5);
    } finally {
      model.dispose();
    }
  });
});
