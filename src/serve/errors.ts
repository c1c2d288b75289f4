/**
 * The service's one error path: every answer that is not a success is a JSON `{error}` naming what was wrong.
 * Client mistakes are 4xx and change nothing; only faults of the service are 5xx, and those say no more than
 * "internal error" (the stack goes to stderr, never to the client).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { IMAGE_FORMATS } from '../data/image/decode.js';
import { ArgumentError, ImageError, SadslError, type ImageProblem } from '../errors.js';

/** A user error with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const IMAGE_TYPES: string[] = Object.values(IMAGE_FORMATS);
/** An image upload that does not say which format: any of IMAGE_TYPES, as read from its header. */
export const ANY_IMAGE = 'application/octet-stream';
export const UNSUPPORTED = `unsupported content type; send application/json, ${IMAGE_TYPES.join(', ')} (or ${ANY_IMAGE} for any of them) or multipart/form-data`;

/** The media type of a request, lower case, without parameters. */
export const mediaType = (req: FastifyRequest): string => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

/** An upload's bytes are malformed (400), of a format not taken (415) or too many pixels (413). */
const IMAGE_STATUS: Record<ImageProblem, number> = { undecodable: 400, unsupported: 415, 'too-large': 413 };

type Failure = Error & { statusCode?: number; code?: string };

/** The byte limits the messages name. */
export interface BodyLimits {
  uploadLimit: number;
  jsonLimit: number;
}

/** The status and message of a failure: ours (HttpError, ArgumentError), fastify's and @fastify/multipart's. */
function classify(err: Failure, req: FastifyRequest, limits: BodyLimits): [number, string] {
  if (err instanceof HttpError) return [err.statusCode, err.message];
  if (err instanceof ArgumentError) return [400, err.message];
  if (err instanceof ImageError) return [IMAGE_STATUS[err.problem], err.message];
  if (err instanceof SadslError) return [500, err.message];
  const upload = `upload larger than the ${limits.uploadLimit} byte limit`;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return [415, UNSUPPORTED];
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return [413, mediaType(req) === 'application/json' ? `body: JSON larger than the ${limits.jsonLimit} byte limit` : upload];
    case 'FST_REQ_FILE_TOO_LARGE':
      return [413, upload];
    case 'FST_FILES_LIMIT':
      return [400, 'multipart: send one file part'];
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return [400, 'multipart: too many parts; send one file part or a field named "text"'];
    case 'FST_PROTO_VIOLATION':
      return [400, `multipart: ${err.message}`];
  }
  const status = err.statusCode ?? 500;
  // fastify's own client errors (bad content length, empty body…) carry a 4xx and a message about the request.
  return status >= 400 && status < 500 ? [status, err.message] : [500, 'internal error'];
}

/** Paths of the routes and their methods, to tell a wrong method (405) from an unknown path (404). */
class Routes {
  private readonly routes: { pattern: RegExp; method: string }[] = [];

  add(url: string, methods: string | string[]): void {
    const pattern = new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}$`);
    for (const method of [methods].flat()) this.routes.push({ pattern, method });
  }

  allowed(path: string): string[] {
    return [...new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  }
}

function send(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: message });
}

/** Errors of the HTTP layer before a request exists (timeouts, malformed requests): the same `{error}` shape. */
export function clientErrorHandler(requestTimeout: number) {
  return (err: Failure, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, reason, message] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', `the request did not arrive within ${requestTimeout} ms`]
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'request headers too large']
          : [400, 'Bad Request', 'malformed HTTP request'];
    const body = JSON.stringify({ error: message });
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}

/** fastify's errors found while routing (a malformed URL…), in the service's shape. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void send(reply, err.statusCode && err.statusCode < 500 ? err.statusCode : 400, err.code === 'FST_ERR_BAD_URL' ? 'url: not a valid URL' : err.message);
}

export function installErrorHandling(app: FastifyInstance, limits: BodyLimits): void {
  const routes = new Routes();
  app.addHook('onRoute', (r) => routes.add(r.url ?? r.path, r.method));
  app.setErrorHandler((err: Failure, req, reply) => {
    const [status, message] = classify(err, req, limits);
    // A fault's stack goes to stderr; a 503 the service chose to answer (health.ts) has said why already.
    if (status >= 500 && !(err instanceof HttpError)) process.stderr.write(`sadsl serve: ${req.method} ${req.url.split('?')[0]}: ${err.stack ?? err.message}\n`);
    return send(reply, status, message);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allowed = routes.allowed(path);
    if (allowed.length) return send(reply.header('allow', allowed.join(', ')), 405, `method ${req.method} not allowed on ${path}; use ${allowed.join(' or ')}`);
    return send(reply, 404, `no route ${req.method} ${path}`);
  });
}
