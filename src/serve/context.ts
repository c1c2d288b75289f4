/** What the routes of the service share: the searcher, its limits, recent uploads, and the lookup of ids. */
import { z } from 'zod';
import { DATA_DEFAULTS, parseConfig, SERVE_LIMITS, type ServeLimits } from '../config.js';
import type { ImageLimits } from '../data/image/decode.js';
import { ArgumentError } from '../errors.js';
import type { IndexManifest } from '../search/manifest.js';
import type { Searcher } from '../search/searcher.js';
import type { Objects } from '../train/trained-model.js';
import { HttpError } from './errors.js';
import { Health } from './health.js';
import type { ExposureOptions } from './exposure.js';
import { QueryCache } from './query-cache.js';

export interface AppOptions extends Partial<ServeLimits>, ExposureOptions {
  /** Largest accepted upload in bytes (default 5 MB; JSON bodies have `jsonLimit`). */
  uploadLimit?: number;
  /** Largest k (default 100, and never more than the index holds). */
  maxK?: number;
  /** Count loopback clients against `rateLimit` too (default: not). */
  rateLimitLoopback?: boolean;
}

export const SERVE_DEFAULTS = { uploadLimit: 5 * 1024 * 1024, maxK: 100, k: 10 } as const;

const limit = (name: keyof ServeLimits) => z.number().int().positive().default(SERVE_LIMITS[name]);
const limitsSchema = z
  .object({
    requestTimeout: limit('requestTimeout'),
    headersTimeout: limit('headersTimeout'),
    keepAliveTimeout: limit('keepAliveTimeout'),
    maxConnections: limit('maxConnections'),
    jsonLimit: limit('jsonLimit'),
    jsonDepth: limit('jsonDepth'),
    // The decoder's own limit stays the last word: a higher one here would fail in the decoder instead.
    uploadPixels: z.number().int().positive().max(DATA_DEFAULTS.maxInputPixels).default(SERVE_LIMITS.uploadPixels),
    rateLimit: z.number().int().nonnegative().default(SERVE_LIMITS.rateLimit),
    rateWindow: limit('rateWindow'),
    probeInterval: limit('probeInterval'),
  })
  .refine((l) => l.headersTimeout <= l.requestTimeout, { path: ['headersTimeout'], message: 'must not exceed requestTimeout' });

export class Service {
  readonly manifest: IndexManifest;
  readonly uploadLimit: number;
  readonly maxK: number;
  readonly limits: ServeLimits;
  /** What an uploaded image's header may claim. */
  readonly imageLimits: ImageLimits;
  readonly queries = new QueryCache();
  readonly health: Health;

  constructor(
    readonly searcher: Searcher,
    opts: AppOptions,
  ) {
    this.manifest = searcher.manifest;
    this.uploadLimit = opts.uploadLimit ?? SERVE_DEFAULTS.uploadLimit;
    this.maxK = Math.min(opts.maxK ?? SERVE_DEFAULTS.maxK, searcher.manifest.n);
    this.limits = parseConfig(limitsSchema, opts, 'service limits');
    this.imageLimits = { maxPixels: this.limits.uploadPixels, maxSide: DATA_DEFAULTS.maxInputSide };
    this.health = new Health(searcher, this.limits.probeInterval);
  }
  /** k of a request (the default when absent), checked against 1..maxK. */
  k(k: number | undefined): number {
    const v = k ?? Math.min(SERVE_DEFAULTS.k, this.maxK);
    if (!Number.isInteger(v) || v < 1 || v > this.maxK) throw new ArgumentError(`k: must be an integer in 1..${this.maxK}, got ${k}`);
    return v;
  }

  /** The object an id names: a dataset ref or an earlier upload (`query:N`); unknown ids are a 404. */
  async objectOf(id: string, what: string): Promise<Objects> {
    const cached = this.queries.get(id);
    if (cached) return cached;
    if (id.startsWith('query:')) throw new HttpError(404, `${what}: ${id} is not a recent query (they are kept for the last 64 uploads)`);
    const o = await this.searcher.lookup(id, what);
    if (!o) throw new HttpError(404, `${what}: ${id} is not an object of ${this.manifest.dataset.spec}`);
    return o;
  }
}
