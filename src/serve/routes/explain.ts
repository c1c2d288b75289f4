/** GET /explain?a=&b=: the exact decomposition of s(a, b), with the regions' layout for drawing it. */
import type { FastifyInstance } from 'fastify';
import { segmentTokens } from '../../explain/highlight.js';
import { regionGrid } from '../../explain/regions.js';
import type { Explanation } from '../../model/types.js';
import type { TrainedModel, Objects } from '../../train/trained-model.js';
import type { Service } from '../context.js';
import { explainQuerySchema, parseRequest } from '../schemas.js';

/** Image regions are cells of a rows × cols grid (region r = row·cols + col); document regions are segments. */
export type RegionLayout = { kind: 'grid'; rows: number; cols: number } | { kind: 'segments'; a: string[][]; b: string[][] };

export type ExplainResult = Explanation & { a: string; b: string; layout: RegionLayout };

/** The words of each segment of a document, as the model reads them (segment r = tokens r·window…). */
function segmentWords(model: TrainedModel, o: Objects): string[][] {
  const regions = model.net.regions;
  const words: string[][] = Array.from({ length: regions }, () => []);
  const input = model.preprocessor.input;
  if (o.split.kind !== 'text' || input.domain !== 'text') return words;
  const text = o.split.texts[o.indices?.[0] ?? 0];
  for (const t of segmentTokens(text, model.preprocessor.vocabulary!, input.maxLength, model.config.docWindow)) {
    if (t.segment >= 0 && t.segment < regions) words[t.segment].push(t.token);
  }
  return words;
}

function regionLayout(model: TrainedModel, a: Objects, b: Objects): RegionLayout {
  const input = model.preprocessor.input;
  if (input.domain === 'image') {
    const g = regionGrid(input);
    return { kind: 'grid', rows: g.gh, cols: g.gw };
  }
  return { kind: 'segments', a: segmentWords(model, a), b: segmentWords(model, b) };
}

export function explainRoutes(app: FastifyInstance, service: Service): void {
  app.get('/explain', async (req): Promise<ExplainResult> => {
    const q = parseRequest(explainQuerySchema, req.query, 'query string');
    const a = await service.objectOf(q.a, 'a');
    const b = await service.objectOf(q.b, 'b');
    const e = await service.searcher.explain(a, b);
    const layout = regionLayout(await service.searcher.model(), a, b);
    return { a: q.a, b: q.b, ...e, layout };
  });
}
