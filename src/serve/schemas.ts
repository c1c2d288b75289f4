/**
 * Request validation of the HTTP service (zod): every bad field yields a 400 naming it. Numbers are read
 * strictly (decimal digits where an integer is meant: no hex, exponent, sign or spaces), topic weights are
 * bounded so a steered code stays finite in float32, and ids are taken as sent (no trimming).
 */
import { z } from 'zod';
import { MAX_TOPIC_WEIGHT } from '../config.js';
import { ArgumentError } from '../errors.js';
import { parseTopicWeights, type TopicWeights } from '../search/topics.js';

const topicWeightsSchema = z.record(
  z.string().regex(/^\d{1,6}$/, 'topic keys are topic numbers'),
  z.number().finite().nonnegative().max(MAX_TOPIC_WEIGHT, `a topic weight is at most ${MAX_TOPIC_WEIGHT}`),
);
/** An id as the service names objects (`train:5`, `query:3`): no spaces or control characters. */
const idSchema = z.string().min(1).max(256).regex(/^[^\s\p{Cc}]+$/u, 'an id has no spaces or control characters, e.g. train:5');
/** A decimal integer in a query string or path. */
export const decimal = z.string().regex(/^\d{1,9}$/, 'expected a decimal integer').transform(Number);

/** `POST /search` with a JSON body: an indexed object by id, or a document. */
export const searchBodySchema = z
  .object({
    id: idSchema.optional(),
    text: z.string().optional(),
    k: z.number().int().optional(),
    topicWeights: topicWeightsSchema.optional(),
  })
  .strict()
  .refine((b) => (b.id === undefined) !== (b.text === undefined), { message: 'give exactly one of "id" or "text"' });
export type SearchBody = z.infer<typeof searchBodySchema>;

/** Options of an upload, from the query string: `?k=10&topics=3:2,7:0`. */
export const uploadQuerySchema = z.object({
  k: decimal.optional(),
  topics: z.string().optional(),
});

export const explainQuerySchema = z.object({ a: idSchema, b: idSchema });
export const objectParamsSchema = z.object({ id: idSchema });

/** Parses with a schema; failures become one ArgumentError line naming each field. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new ArgumentError(`${what}: ${r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`);
}

export function uploadWeights(topics: string | undefined): TopicWeights | undefined {
  if (topics === undefined) return undefined;
  const weights = parseTopicWeights(topics, 'topics');
  for (const [k, w] of Object.entries(weights)) {
    if (w > MAX_TOPIC_WEIGHT) throw new ArgumentError(`topics: the weight of topic ${k} is at most ${MAX_TOPIC_WEIGHT}, got ${w}`);
  }
  return weights;
}
