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
    .requiredOption('--index <dir>', 'index directory (sadsl index)')
    .option('--port <n>', 'port (0 = any free port)', parseNumber('port', true), 8080)
    .option('--host <addr>', 'interface to bind', '127.0.0.1')
    .option('--search-backend <name>', 'auto (LanceDB when the index has an ANN index), exact or lance', 'auto')
    .option('--model <dir>', 'model for uploads and explanations (default: the one the index was built with)')
    .option('--upload-limit <bytes>', 'largest request body / upload', parseNumber('upload-limit', true), SERVE_DEFAULTS.uploadLimit)
    .option('--max-k <n>', 'largest k a request may ask for', parseNumber('max-k', true), SERVE_DEFAULTS.maxK)
    .option('--request-timeout <ms>', 'time for a whole request to arrive (then 408)', parseNumber('request-timeout', true), SERVE_LIMITS.requestTimeout)
    .option('--headers-timeout <ms>', "time for a request's headers to arrive", parseNumber('headers-timeout', true), SERVE_LIMITS.headersTimeout)
    .option('--keep-alive-timeout <ms>', 'how long an idle connection stays open', parseNumber('keep-alive-timeout', true), SERVE_LIMITS.keepAliveTimeout)
    .option('--max-connections <n>', 'connections open at once', parseNumber('max-connections', true), SERVE_LIMITS.maxConnections)
    .option('--json-limit <bytes>', 'largest JSON body', parseNumber('json-limit', true), SERVE_LIMITS.jsonLimit)
    .option('--json-depth <n>', 'deepest nesting of a JSON body', parseNumber('json-depth', true), SERVE_LIMITS.jsonDepth)
    .action(async (o: ServeLimits & { index: string; port: number; host: string; searchBackend: string; model?: string; uploadLimit: number; maxK: number }, cmd: Command) => {
      if (!['auto', 'exact', 'lance'].includes(o.searchBackend)) throw new ArgumentError(`--search-backend: expected auto, exact or lance, got '${o.searchBackend}'`);
      if (o.port < 0 || o.port > 65535) throw new ArgumentError(`--port: expected 0..65535, got ${o.port}`);
      await startEngine(cmd);
      const server = await startServer({ ...o, backend: o.searchBackend as 'auto' | 'exact' | 'lance' });
      console.log(`sadsl: serving ${o.index} (${server.searcher.manifest.n} objects, ${server.searcher.backend.name}) on ${server.url}`);
      const stop = () => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
