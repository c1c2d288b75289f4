/**
 * POST /search: JSON {id | text, k?, topicWeights?}, or an image (raw image/png|jpeg body, or multipart
 * with one file part or a field `text`) with ?k=&topics=3:2,7:0 → the top-k hits with per-topic contributions.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ArgumentError, SadslError } from '../../errors.js';
import type { QueryInput } from '../../search/searcher.js';
import type { TopicWeights } from '../../search/topics.js';
import type { Service } from '../context.js';
import { HttpError, IMAGE_TYPES, mediaType, UNSUPPORTED } from '../errors.js';
import { parseRequest, searchBodySchema, uploadQuerySchema, uploadWeights } from '../schemas.js';

async function runSearch(service: Service, input: QueryInput, k: number, weights: TopicWeights | undefined) {
  const { searcher, manifest } = service;
  if ('id' in input) await service.objectOf(input.id, 'id');
  const start = performance.now();
  const q = await searcher.query(input);
  const hits = await searcher.search(q.code, k, weights);
  const db = manifest.dataset.domain === 'text' ? (await searcher.dataset())[manifest.split] : null;
  return {
    query: { id: 'id' in input ? input.id : service.queries.add(q.objects) },
    k,
    topicWeights: weights ?? {},
    backend: searcher.backend.name,
    tookMs: Math.round((performance.now() - start) * 100) / 100,
    hits: hits.map((h) => ({
      ...h,
      className: manifest.dataset.classes[h.label] ?? String(h.label),
      ...(db?.kind === 'text' ? { preview: db.texts[h.row].slice(0, 240) } : {}),
    })),
  };
}

export type SearchResult = Awaited<ReturnType<typeof runSearch>>;

/** The query of a multipart body: one file part (an image), or a field named "text". */
async function multipartQuery(req: FastifyRequest): Promise<QueryInput> {
  let input: QueryInput | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const image = await part.toBuffer();
        if (!image.length) throw new ArgumentError(`multipart: the file part "${part.fieldname}" is empty`);
        input = { image };
      } else if (part.fieldname === 'text') input = { text: String(part.value) };
    }
  } catch (e) {
    // The multipart parser's own errors (no boundary, a truncated body) carry no status: the body is malformed.
    if (e instanceof Error && !(e instanceof SadslError) && (e as { statusCode?: number }).statusCode === undefined) throw new ArgumentError(`multipart: ${e.message}`);
    throw e;
  }
  if (!input) throw new ArgumentError('multipart: expected a file part (an image) or a field named "text"');
  return input;
}

export function searchRoutes(app: FastifyInstance, service: Service): void {
  app.post('/search', async (req: FastifyRequest) => {
    const type = mediaType(req);
    if (type === 'application/json') {
      const body = parseRequest(searchBodySchema, req.body, 'body');
      const input = body.id !== undefined ? { id: body.id } : { text: body.text ?? '' };
      return runSearch(service, input, service.k(body.k), body.topicWeights);
    }
    const q = parseRequest(uploadQuerySchema, req.query, 'query string');
    const k = service.k(q.k);
    const weights = uploadWeights(q.topics);
    if (IMAGE_TYPES.includes(type)) {
      const body = req.body as Buffer;
      if (!body?.length) throw new ArgumentError('image: the body is empty');
      return runSearch(service, { image: body }, k, weights);
    }
    if (type !== 'multipart/form-data') throw new HttpError(415, UNSUPPORTED);
    return runSearch(service, await multipartQuery(req), k, weights);
  });
}
