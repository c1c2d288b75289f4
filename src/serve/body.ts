/**
 * The request bodies the service reads: JSON under its own byte and nesting limits (a search body is a few
 * hundred bytes), and raw image uploads as buffers under the upload limit. Multipart is @fastify/multipart's.
 */
import type { FastifyInstance } from 'fastify';
import { ArgumentError } from '../errors.js';
import type { Service } from './context.js';
import { ANY_IMAGE, IMAGE_TYPES } from './errors.js';

/**
 * The deepest nesting of arrays and objects in JSON text (brackets inside strings do not count); stops
 * counting once past `limit`, so a hostile body costs one pass over its bytes and no parse.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      max = Math.max(max, ++depth);
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * Parses a JSON body. A `__proto__` key is refused by name: zod drops it silently, which would turn a
 * request into another one; other unknown keys are refused by the strict schemas behind this.
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (text.trim() === '') throw new ArgumentError('body: empty; send a JSON object');
  if (jsonDepth(text, maxDepth) > maxDepth) throw new ArgumentError(`body: JSON nested deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') throw new ArgumentError('body: the key "__proto__" is not allowed');
      return v;
    });
  } catch (e) {
    if (e instanceof ArgumentError) throw e;
    throw new ArgumentError(`body: not valid JSON (${(e as Error).message})`);
  }
  return value;
}

export function installBodyParsers(app: FastifyInstance, service: Service): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: service.limits.jsonLimit }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string, service.limits.jsonDepth));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser([...IMAGE_TYPES, ANY_IMAGE], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}
