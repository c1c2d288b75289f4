/** `sadsl serve`: the search service and web explorer on an index. */
import { Command } from 'commander';
import { SERVE_LIMITS, type ServeLimits } from '../config.js';
import { ArgumentError } from '../errors.js';
import { SERVE_DEFAULTS } from '../serve/app.js';
import { startServer } from '../serve/server.js';
import { parseNumber, startEngine } from './common.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('HTTP search service and web explorer over an index')
    .requiredOption('--index <dir|s3://bucket/path>', 'index location (sadsl index; S3 settings from the AWS_* environment variables)')
    .option('--port <n>', 'port (0 = any free port)', parseNumber('port', true), 8080)
    .option('--host <addr>', 'interface to bind (beyond loopback only with --public)', '127.0.0.1')
    .option('--public', 'allow --host to be an interface other machines reach')
    .option('--token <token>', 'require this bearer token on every route but /healthz and the page (default $SADSL_TOKEN)', process.env.SADSL_TOKEN)
    .option('--allowed-host <names>', 'Host header names to answer, comma-separated (default: the loopback names; any with --public)', (v: string) => v.split(',').map((h) => h.trim()).filter(Boolean))
    .option('--search-backend <name>', 'auto (LanceDB when the index has an ANN index), exact or lance', 'auto')
    .option('--model <dir>', 'model for uploads and explanations (default: the one the index was built with)')
    .option('--upload-limit <bytes>', 'largest upload (JSON bodies: --json-limit)', parseNumber('upload-limit', true), SERVE_DEFAULTS.uploadLimit)
    .option('--max-k <n>', 'largest k a request may ask for', parseNumber('max-k', true), SERVE_DEFAULTS.maxK)
    .option('--request-timeout <ms>', 'time for a whole request to arrive (then 408)', parseNumber('request-timeout', true), SERVE_LIMITS.requestTimeout)
    .option('--headers-timeout <ms>', "time for a request's headers to arrive", parseNumber('headers-timeout', true), SERVE_LIMITS.headersTimeout)
    .option('--keep-alive-timeout <ms>', 'how long an idle connection stays open', parseNumber('keep-alive-timeout', true), SERVE_LIMITS.keepAliveTimeout)
    .option('--max-connections <n>', 'connections open at once', parseNumber('max-connections', true), SERVE_LIMITS.maxConnections)
    .option('--json-limit <bytes>', 'largest JSON body', parseNumber('json-limit', true), SERVE_LIMITS.jsonLimit)
    .option('--json-depth <n>', 'deepest nesting of a JSON body', parseNumber('json-depth', true), SERVE_LIMITS.jsonDepth)
    .option('--upload-pixels <n>', "most pixels an uploaded image's header may claim", parseNumber('upload-pixels', true), SERVE_LIMITS.uploadPixels)
    .option('--rate-limit <n>', 'requests per client per --rate-window, then 429 (0 = no limit)', parseNumber('rate-limit', true), SERVE_LIMITS.rateLimit)
    .option('--rate-window <ms>', 'rate-limit window', parseNumber('rate-window', true), SERVE_LIMITS.rateWindow)
    .option('--rate-limit-loopback', 'count clients on this machine too (behind a local reverse proxy: every client is 127.0.0.1)')
    .action(async (o: ServeLimits & { index: string; port: number; host: string; public?: boolean; token?: string; allowedHost?: string[]; searchBackend: string; model?: string; uploadLimit: number; maxK: number; rateLimitLoopback?: boolean }, cmd: Command) => {
      if (!['auto', 'exact', 'lance'].includes(o.searchBackend)) throw new ArgumentError(`--search-backend: expected auto, exact or lance, got '${o.searchBackend}'`);
      if (o.port < 0 || o.port > 65535) throw new ArgumentError(`--port: expected 0..65535, got ${o.port}`);
      await startEngine(cmd);
      if (o.token === '') throw new ArgumentError('--token: empty; give a token or leave it out');
      const server = await startServer({ ...o, allowedHosts: o.allowedHost, backend: o.searchBackend as 'auto' | 'exact' | 'lance' });
      console.log(`sadsl: serving ${o.index} (${server.searcher.manifest.n} objects, ${server.searcher.backend.name}) on ${server.url}`);
      const stop = () => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
