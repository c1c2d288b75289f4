/**
 * The objects (GET /object/:id, PNG or text), the web page (GET / and /gallery), its script and stylesheet,
 * what the page shows about the index (GET /info), GET /healthz and GET /readyz.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Service } from '../context.js';
import { HttpError } from '../errors.js';
import { renderObject } from '../render.js';
import { objectParamsSchema, parseRequest } from '../schemas.js';
import { clientScript } from '../web/bundle.js';
import { PAGE_HTML } from '../web/page.js';
import { STYLE_CSS } from '../web/style.js';

/** What the page shows about the index, and the limits a request must keep. */
function serviceInfo(service: Service) {
  const { manifest } = service;
  return {
    objects: manifest.n,
    split: manifest.split,
    dataset: manifest.dataset.name,
    domain: manifest.dataset.domain,
    topics: manifest.layout.topics,
    backend: service.searcher.backend.name,
    model: manifest.model.fingerprint.slice(0, 12),
    maxK: service.maxK,
    uploadLimit: service.uploadLimit,
  };
}
export type ServiceInfo = ReturnType<typeof serviceInfo>;

export async function pageRoutes(app: FastifyInstance, service: Service): Promise<void> {
  const script = await clientScript();
  app.get('/object/:id', async (req, reply) => {
    const o = await service.objectOf(parseRequest(objectParamsSchema, req.params, 'path').id, 'id');
    const r = await renderObject(o.split, o.indices?.[0] ?? 0);
    return reply.type(r.type).header('cache-control', 'public, max-age=3600').send(r.body);
  });

  app.get('/info', async () => serviceInfo(service));
  // Liveness (503 once the backend fails) and readiness (503 also while loading): health.ts.
  app.get('/healthz', async () => {
    const why = await service.health.unhealthy();
    if (why) throw new HttpError(503, `unhealthy: ${why}`);
    return { status: 'ok', ...serviceInfo(service) };
  });
  app.get('/readyz', async () => {
    const why = await service.health.notReady();
    if (why) throw new HttpError(503, `not ready: ${why}`);
    return { status: 'ready' };
  });

  const page = async (_req: unknown, reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(PAGE_HTML);
  app.get('/', page);
  app.get('/gallery', page);
  app.get('/app.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(script));
  app.get('/style.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLE_CSS));
}
