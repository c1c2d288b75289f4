/** Starts the HTTP service on an index: opens it, loads the model and dataset up front, listens. */
import type { FastifyInstance } from 'fastify';
import { Searcher, type OpenSearcherOptions } from '../search/searcher.js';
import { createApp, type AppOptions } from './app.js';

export interface ServeOptions extends AppOptions, OpenSearcherOptions {
  index: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1: local only). */
  host?: string;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  searcher: Searcher;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const searcher = await Searcher.open(opts.index, opts);
  try {
    // Fail at start, not on the first request, when the model or dataset is missing or does not match.
    await Promise.all([searcher.model(), searcher.dataset()]);
    const app = await createApp(searcher, opts);
    const url = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
    return {
      url,
      app,
      searcher,
      async close() {
        await app.close();
        await searcher.close();
      },
    };
  } catch (e) {
    await searcher.close();
    throw e;
  }
}
