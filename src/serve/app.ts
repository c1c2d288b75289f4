/**
 * The HTTP service, a fastify app over a `Searcher`:
 *   POST /search        JSON {id | text, k?, topicWeights?}, or an image (raw image/png|jpeg body or
 *                       multipart) with ?k=&topics=3:2,7:0 → top-k hits with per-topic contributions
 *   GET  /explain?a=&b= the exact decomposition of s(a, b) with the region layout for drawing it
 *   GET  /topics        per-topic usage and strongest database objects; /topics/:k/render.png
 *   GET  /object/:id    an object (PNG or text); GET /healthz; GET / and /gallery the web page.
 * User mistakes get a 4xx JSON {error} and change nothing; only server faults are 5xx.
 */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ArgumentError, SadslError } from '../errors.js';
import type { Searcher } from '../search/searcher.js';
import type { TopicWeights } from '../search/topics.js';
import type { Objects } from '../train/trained-model.js';
import { QueryCache } from './query-cache.js';
import { imagePng, renderObject } from './render.js';
import { explainQuerySchema, parseRequest, searchBodySchema, uploadQuerySchema, uploadWeights } from './schemas.js';
import { CLIENT_JS } from './web/client.js';
import { PAGE_HTML } from './web/page.js';
import { STYLE_CSS } from './web/style.js';

export interface AppOptions {
  /** Largest accepted request body / upload in bytes (default 5 MB). */
  uploadLimit?: number;
  /** Largest k (default 100, and never more than the index holds). */
  maxK?: number;
}

export const SERVE_DEFAULTS = { uploadLimit: 5 * 1024 * 1024, maxK: 100, k: 10 } as const;

/** A user error with its HTTP status. */
class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const IMAGE_TYPES = ['image/png', 'image/jpeg'];
const UNSUPPORTED = `unsupported content type; send application/json, ${IMAGE_TYPES.join(', ')} or multipart/form-data`;

export async function createApp(searcher: Searcher, opts: AppOptions = {}): Promise<FastifyInstance> {
  const uploadLimit = opts.uploadLimit ?? SERVE_DEFAULTS.uploadLimit;
  const maxK = Math.min(opts.maxK ?? SERVE_DEFAULTS.maxK, searcher.manifest.n);
  const { manifest } = searcher;
  const queries = new QueryCache();
  const app = Fastify({ bodyLimit: uploadLimit, logger: false });

  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: uploadLimit, files: 1, fields: 4, parts: 5 } });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    let status = err instanceof HttpError ? err.statusCode : err instanceof ArgumentError ? 400 : (err.statusCode ?? 500);
    if (err instanceof SadslError && !(err instanceof ArgumentError)) status = 500;
    if (status >= 500) {
      process.stderr.write(`sadsl serve: ${err.stack ?? err.message}\n`);
      return reply.code(status).send({ error: err instanceof SadslError ? err.message : 'internal error' });
    }
    const message =
      err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? UNSUPPORTED : status === 413 ? `upload larger than the ${uploadLimit} byte limit` : err.message;
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));

  const checkK = (k: number | undefined): number => {
    const v = k ?? Math.min(SERVE_DEFAULTS.k, maxK);
    if (!Number.isInteger(v) || v < 1 || v > maxK) throw new ArgumentError(`k: must be an integer in 1..${maxK}, got ${k}`);
    return v;
  };

  /** The object an id names: a dataset ref or an earlier upload (`query:N`); unknown ids are a 404. */
  const objectOf = async (id: string, what: string): Promise<Objects> => {
    const cached = queries.get(id);
    if (cached) return cached;
    if (id.startsWith('query:')) throw new HttpError(404, `${what}: ${id} is not a recent query (they are kept for the last 64 uploads)`);
    const o = await searcher.lookup(id, what);
    if (!o) throw new HttpError(404, `${what}: ${id} is not an object of ${manifest.dataset.spec}`);
    return o;
  };

  const runSearch = async (input: { id: string } | { image: Uint8Array } | { text: string }, k: number, weights: TopicWeights | undefined) => {
    if ('id' in input) await objectOf(input.id, 'id');
    const start = performance.now();
    const q = await searcher.query(input);
    const hits = await searcher.search(q.code, k, weights);
    const db = manifest.dataset.domain === 'text' ? (await searcher.dataset())[manifest.split] : null;
    return {
      query: { id: 'id' in input ? input.id : queries.add(q.objects) },
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
  };

  app.post('/search', async (req: FastifyRequest) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json') {
      const body = parseRequest(searchBodySchema, req.body, 'body');
      const input = body.id !== undefined ? { id: body.id } : { text: body.text ?? '' };
      return runSearch(input, checkK(body.k), body.topicWeights);
    }
    const q = parseRequest(uploadQuerySchema, req.query, 'query string');
    const k = checkK(q.k);
    const weights = uploadWeights(q.topics);
    if (IMAGE_TYPES.includes(type)) {
      const body = req.body as Buffer;
      if (!body?.length) throw new ArgumentError('image: the body is empty');
      return runSearch({ image: body }, k, weights);
    }
    if (type !== 'multipart/form-data') throw new HttpError(415, UNSUPPORTED);
    // multipart/form-data: one file part (an image), or a field named "text".
    let input: { image: Uint8Array } | { text: string } | null = null;
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        input = { image: data };
      } else if (part.fieldname === 'text') {
        input = { text: String(part.value) };
      }
    }
    if (!input) throw new ArgumentError('multipart: expected a file part (an image) or a field named "text"');
    return runSearch(input, k, weights);
  });

  app.get('/explain', async (req) => {
    const q = parseRequest(explainQuerySchema, req.query, 'query string');
    const a = await objectOf(q.a, 'a');
    const b = await objectOf(q.b, 'b');
    const e = await searcher.explain(a, b);
    const model = await searcher.model();
    const input = model.preprocessor.input;
    const regions = model.net.regions;
    let layout: { kind: 'grid'; rows: number; cols: number } | { kind: 'segments'; a: string[][]; b: string[][] };
    if (input.domain === 'image') {
      const side = Math.round(Math.sqrt(regions));
      layout = { kind: 'grid', rows: side, cols: regions / side };
    } else {
      const window = model.config.docWindow;
      const words = (o: Objects): string[][] => {
        if (o.split.kind !== 'text') return [];
        const enc = model.preprocessor.encode(o.split);
        const row = o.indices?.[0] ?? 0;
        const ids = enc.ids.subarray(row * enc.maxLength, (row + 1) * enc.maxLength);
        return Array.from({ length: regions }, (_, r) => Array.from(ids.subarray(r * window, (r + 1) * window)).filter((id) => id > 0).map((id) => model.preprocessor.vocabulary!.word(id)));
      };
      layout = { kind: 'segments', a: words(a), b: words(b) };
    }
    return { a: q.a, b: q.b, ...e, layout };
  });

  app.get('/topics', async () => {
    const K = manifest.layout.topics;
    const theta = searcher.theta;
    const model = await searcher.model();
    const items = [];
    for (let k = 0; k < K; k++) {
      let usage = 0;
      const strongest: { row: number; t: number }[] = [];
      if (theta) {
        for (let i = 0; i < manifest.n; i++) {
          const t = theta[i * K + k];
          usage += t;
          if (strongest.length < 6 || t > strongest[strongest.length - 1].t) {
            strongest.push({ row: i, t });
            strongest.sort((x, y) => y.t - x.t);
            if (strongest.length > 6) strongest.pop();
          }
        }
      }
      let words: string[] | undefined;
      if (manifest.dataset.domain === 'text' && model.net.hasAdversarial) {
        const g = await model.generate(k);
        if (g.kind === 'text') words = Array.from(g.probabilities.keys()).sort((x, y) => g.probabilities[y] - g.probabilities[x]).slice(0, 8).map((i) => model.preprocessor.vocabulary!.word(i + 1));
      }
      items.push({ topic: k, usage: theta ? usage / Math.max(1, manifest.n) : null, top: strongest.map((s) => `${manifest.split}:${s.row}`), ...(words ? { words } : {}) });
    }
    return { topics: K, domain: manifest.dataset.domain, renders: manifest.dataset.domain === 'image' && model.net.hasAdversarial, items };
  });

  app.get('/topics/:k/render.png', async (req, reply) => {
    const k = Number((req.params as { k: string }).k);
    if (!Number.isInteger(k) || k < 0 || k >= manifest.layout.topics) throw new HttpError(404, `topic ${(req.params as { k: string }).k} does not exist (0..${manifest.layout.topics - 1})`);
    const model = await searcher.model();
    if (!model.net.hasAdversarial || manifest.dataset.domain !== 'image') throw new HttpError(404, 'this model has no image generator');
    const g = await model.generate(k);
    if (g.kind !== 'image') throw new HttpError(404, 'this model has no image generator');
    return reply.type('image/png').send(await imagePng(g.pixels, g.height, g.width, g.channels));
  });

  app.get('/object/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const o = await objectOf(id, 'id');
    const r = await renderObject(o.split, o.indices?.[0] ?? 0);
    return reply.type(r.type).header('cache-control', 'public, max-age=3600').send(r.body);
  });

  app.get('/healthz', async () => ({
    status: 'ok',
    objects: manifest.n,
    split: manifest.split,
    dataset: manifest.dataset.name,
    domain: manifest.dataset.domain,
    topics: manifest.layout.topics,
    backend: searcher.backend.name,
    model: manifest.model.fingerprint.slice(0, 12),
    maxK,
    uploadLimit,
  }));

  const page = async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(PAGE_HTML);
  app.get('/', page);
  app.get('/gallery', page);
  app.get('/app.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(CLIENT_JS));
  app.get('/style.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLE_CSS));
  return app;
}
