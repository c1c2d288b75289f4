/**
 * The HTTP service, a fastify app over a `Searcher`:
 *   POST /search        JSON {id | text, k?, topicWeights?}, or an image (raw image/png|jpeg|webp body
 *                       or multipart) with ?k=&topics=3:2,7:0 → top-k hits with per-topic contributions
 *   GET  /explain?a=&b= the exact decomposition of s(a, b) with the region layout for drawing it
 *   GET  /topics        per-topic usage and strongest database objects; /topics/:k/render.png
 *   GET  /object/:id    an object (PNG or text); GET /info, /healthz, /readyz (health.ts); GET / and /gallery
 *                       the web page.
 * User mistakes get a 4xx JSON {error} and change nothing; only server faults are 5xx (errors.ts). Slow and
 * hostile clients meet the limits of `SERVE_LIMITS` (config.ts): timeouts, connections, JSON size and depth,
 * requests per client (rate-limit.ts); who may ask is exposure.ts's (Host names, origins, the optional token).
 */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Searcher } from '../search/searcher.js';
import { installBodyParsers } from './body.js';
import { Service, type AppOptions } from './context.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './errors.js';
import { installExposureChecks } from './exposure.js';
import { installRateLimit } from './rate-limit.js';
import { explainRoutes } from './routes/explain.js';
import { pageRoutes } from './routes/pages.js';
import { searchRoutes } from './routes/search.js';
import { topicRoutes } from './routes/topics.js';

export { SERVE_DEFAULTS, type AppOptions } from './context.js';

export async function createApp(searcher: Searcher, opts: AppOptions = {}): Promise<FastifyInstance> {
  const service = new Service(searcher, opts);
  const { requestTimeout, headersTimeout, keepAliveTimeout, maxConnections } = service.limits;
  const app = Fastify({
    bodyLimit: service.uploadLimit,
    logger: false,
    requestTimeout,
    keepAliveTimeout,
    // Node checks the two timeouts every `connectionsCheckingInterval` ms (30 s by default): often enough here.
    http: { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 4)) },
    clientErrorHandler: clientErrorHandler(requestTimeout),
    frameworkErrors,
  });
  app.server.maxConnections = maxConnections;
  installBodyParsers(app, service);
  await app.register(multipart, { limits: { fileSize: service.uploadLimit, fieldSize: service.uploadLimit, files: 1, fields: 4, parts: 5 } });
  installErrorHandling(app, { uploadLimit: service.uploadLimit, jsonLimit: service.limits.jsonLimit });
  await installRateLimit(app, service.limits, opts.rateLimitLoopback ?? false);
  installExposureChecks(app, opts);
  searchRoutes(app, service);
  explainRoutes(app, service);
  topicRoutes(app, service);
  await pageRoutes(app, service);
  return app;
}
