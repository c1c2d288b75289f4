/** Request validation of the HTTP service (zod): every bad field yields a 400 naming it. */
import { z } from 'zod';
import { ArgumentError } from '../errors.js';
import { parseTopicWeights, type TopicWeights } from '../search/topics.js';

const topicWeightsSchema = z.record(z.string().regex(/^\d+$/, 'topic keys are topic numbers'), z.number().finite().nonnegative());

/** `POST /search` with a JSON body: an indexed object by id, or a document. */
export const searchBodySchema = z
  .object({
    id: z.string().min(1).optional(),
    text: z.string().optional(),
    k: z.number().int().optional(),
    topicWeights: topicWeightsSchema.optional(),
  })
  .strict()
  .refine((b) => (b.id === undefined) !== (b.text === undefined), { message: 'give exactly one of "id" or "text"' });
export type SearchBody = z.infer<typeof searchBodySchema>;

/** Options of an upload, from the query string: `?k=10&topics=3:2,7:0`. */
export const uploadQuerySchema = z.object({
  k: z.coerce.number().int().optional(),
  topics: z.string().optional(),
});

export const explainQuerySchema = z.object({ a: z.string().min(1), b: z.string().min(1) });

/** Parses with a schema; failures become one ArgumentError line naming each field. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new ArgumentError(`${what}: ${r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`);
}

export function uploadWeights(topics: string | undefined): TopicWeights | undefined {
  return topics === undefined ? undefined : parseTopicWeights(topics, 'topics');
}
