/**
 * POST /search: JSON {id | text, k?, topicWeights?}, or an image (raw image/png|jpeg|webp body, or multipart
 * with one file part or a field `text`) with ?k=&topics=3:2,7:0 → the top-k hits with per-topic contributions.
 * An image must be of the declared type (application/octet-stream: any of the three, read from its header).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IMAGE_FORMATS, readImageHeader } from '../../data/image/decode.js';
import { ArgumentError, SadslError } from '../../errors.js';
import type { QueryInput } from '../../search/searcher.js';
import type { TopicWeights } from '../../search/topics.js';
import type { Service } from '../context.js';
import { ANY_IMAGE, HttpError, IMAGE_TYPES, mediaType, UNSUPPORTED } from '../errors.js';
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

/** An uploaded image with the media type it was declared as (null: `application/octet-stream`, any image). */
interface Upload {
  image: Buffer;
  declared: string | null;
  what: string;
}

/**
 * Checks an upload before it is decoded: the index must take images, the header must be of a format the
 * decoder takes and the one declared, within the service's pixel limits (`ImageError` → 400, 413 or 415).
 */
async function checkUpload(service: Service, { image, declared, what }: Upload): Promise<void> {
  if (service.manifest.dataset.domain !== 'image') {
    throw new HttpError(415, `${what}: this index holds documents, not images; send {"text": …} as JSON or a multipart field "text"`);
  }
  const { format } = await readImageHeader(image, what, service.imageLimits);
  if (declared !== null && IMAGE_FORMATS[format] !== declared) throw new HttpError(415, `${what}: declared ${declared} but the bytes are ${IMAGE_FORMATS[format]}`);
}

/** The query of a multipart body: one file part (an image), or a field named "text". */
async function multipartQuery(req: FastifyRequest, service: Service): Promise<Upload | { text: string }> {
  let input: Upload | { text: string } | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const what = `multipart: the file part "${part.fieldname}"`;
        const image = await part.toBuffer();
        if (!image.length) throw new ArgumentError(`${what} is empty`);
        const declared = part.mimetype.toLowerCase();
        if (declared !== ANY_IMAGE && !IMAGE_TYPES.includes(declared)) throw new HttpError(415, `${what} is ${declared}; send an image (${IMAGE_TYPES.join(', ')})`);
        input = { image, declared: declared === ANY_IMAGE ? null : declared, what };
      } else if (part.fieldname === 'text') {
        if (part.valueTruncated) throw new HttpError(413, `multipart: the field "text" is larger than the ${service.uploadLimit} byte limit`);
        input = { text: String(part.value) };
      }
    }
  } catch (e) {
    // The multipart parser's own errors (no boundary, a truncated body) carry no status: the body is malformed.
    if (e instanceof Error && !(e instanceof SadslError) && !(e instanceof HttpError) && (e as { statusCode?: number }).statusCode === undefined) {
      throw new ArgumentError(`multipart: ${e.message}`);
    }
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
    let input: Upload | { text: string };
    if (IMAGE_TYPES.includes(type) || type === ANY_IMAGE) {
      const body = req.body as Buffer;
      if (!body?.length) throw new ArgumentError('image: the body is empty');
      input = { image: body, declared: type === ANY_IMAGE ? null : type, what: 'image' };
    } else if (type === 'multipart/form-data') input = await multipartQuery(req, service);
    else throw new HttpError(415, UNSUPPORTED);
    if ('image' in input) await checkUpload(service, input);
    return runSearch(service, 'image' in input ? { image: input.image } : input, k, weights);
  });
}
