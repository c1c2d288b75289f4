/** Starts the HTTP service on an index: opens it, loads the model and dataset up front, listens. */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { ArgumentError, ModelError } from '../errors.js';
import { Searcher, type OpenSearcherOptions } from '../search/searcher.js';
import { createApp, type AppOptions } from './app.js';
import { isLoopback } from './exposure.js';
import { probeIndex } from './health.js';

export interface ServeOptions extends AppOptions, OpenSearcherOptions {
  index: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1: local only). */
  host?: string;
  /** Allow binding an interface other machines can reach (`host` beyond loopback). */
  public?: boolean;
}

export interface RunningServer {
  /** The address bound, as a URL (`http://0.0.0.0:8080` when bound to every interface). */
  url: string;
  app: FastifyInstance;
  searcher: Searcher;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.public) {
    throw new ArgumentError(`--host: ${host} is reachable from other machines; add --public to serve there (and consider --token and --allowed-host)`);
  }
  const searcher = await Searcher.open(opts.index, opts);
  try {
    // Fail at start, not on the first request, when the model or dataset is missing or does not match, or
    // the index does not answer a probe search (corrupt or truncated files).
    await Promise.all([searcher.model(), searcher.dataset()]);
    await probeIndex(searcher).catch((e: Error) => {
      throw new ModelError(`${opts.index}: ${e.message}`);
    });
    // Beyond loopback the Host names are the machine's, unknown here: any, unless --allowed-host lists them.
    const app = await createApp(searcher, { ...opts, allowedHosts: opts.allowedHosts ?? (isLoopback(host) ? undefined : ['*']) });
    await app.listen({ port: opts.port ?? 8080, host });
    const a = app.server.address() as AddressInfo;
    const url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    if (!isLoopback(host)) {
      process.stderr.write(
        `sadsl serve: warning: listening on ${url}, reachable from other machines${opts.token ? '' : ' with no token (--token or SADSL_TOKEN)'}\n`,
      );
    }
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
