/**
 * Per-client rate limiting (@fastify/rate-limit, its in-memory store of at most 5,000 clients): a client
 * address may make `rateLimit` requests per `rateWindow` ms, then gets 429 `{error}` with Retry-After until
 * its window ends. It runs before every other check, so refused requests (404, 401, 403) count too.
 * Loopback clients are not counted by default: on 127.0.0.1 they are the user's own page, scripts and
 * benchmarks, and behind a reverse proxy on this machine every client would share one 127.0.0.1 budget —
 * there, limit at the proxy, or count loopback with `rateLimitLoopback`. The probes are never limited.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { ServeLimits } from '../config.js';
import { HttpError } from './errors.js';
import { isLoopback } from './exposure.js';

const PROBES = new Set(['/healthz', '/readyz']);

export async function installRateLimit(app: FastifyInstance, limits: ServeLimits, loopback: boolean): Promise<void> {
  if (limits.rateLimit === 0) return;
  const seconds = limits.rateWindow / 1000;
  await app.register(rateLimit, {
    global: false,
    max: limits.rateLimit,
    timeWindow: limits.rateWindow,
    allowList: (req) => PROBES.has(req.url.split('?')[0]) || (!loopback && isLoopback(req.ip)),
    errorResponseBuilder: (_req, ctx) => new HttpError(429, `rate limit: more than ${ctx.max} requests in ${seconds} s from this client; retry in ${ctx.after}`),
  });
  app.addHook('onRequest', app.rateLimit());
}
