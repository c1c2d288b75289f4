/**
 * The service's one error path: every answer that is not a success is a JSON `{error}`. User mistakes are
 * 4xx and change nothing; only faults of the service are 5xx.
 */
import type { FastifyInstance } from 'fastify';
import { ArgumentError, SadslError } from '../errors.js';

/** A user error with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const IMAGE_TYPES = ['image/png', 'image/jpeg'];
export const UNSUPPORTED = `unsupported content type; send application/json, ${IMAGE_TYPES.join(', ')} or multipart/form-data`;

export function installErrorHandling(app: FastifyInstance, uploadLimit: number): void {
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
}
