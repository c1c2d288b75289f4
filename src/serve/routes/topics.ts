/** GET /topics: per-topic usage, strongest database objects and (documents) top words; GET /topics/:k/render.png. */
import type { FastifyInstance } from 'fastify';
import { topWords } from '../../explain/words.js';
import { TopK } from '../../engine/topk.js';
import type { Service } from '../context.js';
import { HttpError } from '../errors.js';
import { imagePng } from '../render.js';

/** Database objects listed per topic (largest θ_k first), and words per topic of a document model. */
const TOP_OBJECTS = 6;
const TOP_WORDS = 8;

export interface TopicsResult {
  topics: number;
  domain: 'image' | 'text';
  /** Whether /topics/:k/render.png draws the topics (image models with a generator). */
  renders: boolean;
  items: { topic: number; usage: number | null; top: string[]; words?: string[] }[];
}

export function topicRoutes(app: FastifyInstance, service: Service): void {
  const { searcher, manifest } = service;

  app.get('/topics', async (): Promise<TopicsResult> => {
    const K = manifest.layout.topics;
    const theta = searcher.theta; // [n, K]
    const model = await searcher.model();
    const items: TopicsResult['items'] = [];
    for (let k = 0; k < K; k++) {
      let usage = 0;
      const strongest = new TopK(Math.min(TOP_OBJECTS, manifest.n));
      if (theta) {
        for (let i = 0; i < manifest.n; i++) {
          usage += theta[i * K + k];
          strongest.push(theta[i * K + k], i);
        }
      }
      let words: string[] | undefined;
      if (manifest.dataset.domain === 'text' && model.net.hasAdversarial) {
        const g = await model.generate(k);
        if (g.kind === 'text') words = topWords(g.probabilities, model.preprocessor.vocabulary!, TOP_WORDS).map((w) => w.word);
      }
      const top = theta ? strongest.sorted().map((s) => `${manifest.split}:${s.row}`) : [];
      items.push({ topic: k, usage: theta ? usage / Math.max(1, manifest.n) : null, top, ...(words ? { words } : {}) });
    }
    return { topics: K, domain: manifest.dataset.domain, renders: manifest.dataset.domain === 'image' && model.net.hasAdversarial, items };
  });

  app.get('/topics/:k/render.png', async (req, reply) => {
    const raw = (req.params as { k: string }).k;
    // Decimal digits only: `1e1`, `0x1` and ` ` are not topic numbers (Number() would read them as 10, 1 and 0).
    const k = /^\d{1,9}$/.test(raw) ? Number(raw) : -1;
    if (k < 0 || k >= manifest.layout.topics) throw new HttpError(404, `topic ${raw} does not exist (0..${manifest.layout.topics - 1})`);
    const model = await searcher.model();
    if (!model.net.hasAdversarial || manifest.dataset.domain !== 'image') throw new HttpError(404, 'this model has no image generator');
    const g = await model.generate(k);
    if (g.kind !== 'image') throw new HttpError(404, 'this model has no image generator');
    return reply.type('image/png').send(await imagePng(g.pixels, g.height, g.width, g.channels));
  });
}
