/**
 * Load test of `sadsl serve`, bounded and local: 2,000 requests, 32 in flight, to 127.0.0.1
 * only. Starts the service as a child process on an index (built from runs/demo, what `npm start` trains, into /tmp/sadsl-load-index
 * when missing), warms it up, then sends a mix: 70% searches by id (a third of them topic-steered), 20%
 * PNG uploads, 10% explanations. Reports p50/p99 latency per kind, errors (5xx apart), and the service's RSS
 * before and after (memory should stay flat). Then the same load again while `--slow` connections trickle a
 * request body one byte a second (each is cut off with a 408 after the service's request timeout, and
 * reconnects): the normal clients' p99 should barely move and no answer be a 5xx. Prints the CPU model.
 * Writes artifacts/bench-load.json.
 * Usage: `npx tsx bench/load.ts [--index dir] [--model dir] [--requests 2000] [--concurrency 32] [--slow 64]
 *   [--request-timeout ms]`
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../src/engine/random.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const indexDir = arg('index', '/tmp/sadsl-load-index');
const modelDir = arg('model', 'runs/demo');
const total = Number(arg('requests', '2000'));
const concurrency = Number(arg('concurrency', '32'));
const slowClients = Number(arg('slow', '64'));
const requestTimeout = arg('request-timeout', '30000');
const cli = ['--import', 'tsx', 'src/cli/main.ts'];

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`sadsl ${args[0]} exited with ${code}`))));
  });
}

/** Resident set size of a process, in MB, from /proc. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

if (!existsSync(path.join(indexDir, 'index.json'))) await run(['index', '--model', modelDir, '--out', indexDir]);
const manifest = JSON.parse(readFileSync(path.join(indexDir, 'index.json'), 'utf8')) as { n: number; layout: { topics: number } };
const server = spawn(process.execPath, [...cli, 'serve', '--index', indexDir, '--port', '0', '--host', '127.0.0.1', '--request-timeout', requestTimeout], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
if (!url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load-test a non-local address ${url}`);

const rng = new Rng(3);
const pngs = await Promise.all(
  Array.from({ length: 8 }, (_, i) => sharp({ create: { width: 28 + i * 8, height: 28 + i * 8, channels: 3, background: { r: 30 * i, g: 200 - 20 * i, b: 90 } } }).png().toBuffer()),
);
type Kind = 'search' | 'steered' | 'upload' | 'explain';
function request(): { kind: Kind; path: string; init: RequestInit } {
  const u = rng.next();
  const id = `train:${rng.int(manifest.n)}`;
  const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (u < 0.47) return { kind: 'search', path: '/search', init: json({ id, k: 10 }) };
  if (u < 0.7) return { kind: 'steered', path: '/search', init: json({ id, k: 10, topicWeights: { [rng.int(manifest.layout.topics)]: 0, [rng.int(manifest.layout.topics)]: 2 } }) };
  if (u < 0.9) return { kind: 'upload', path: '/search?k=10', init: { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(pngs[rng.int(pngs.length)]) } };
  return { kind: 'explain', path: `/explain?a=${id}&b=train:${rng.int(manifest.n)}`, init: { method: 'GET' } };
}

async function blast(n: number) {
  const lat: Record<Kind, number[]> = { search: [], steered: [], upload: [], explain: [] };
  const errors: string[] = [];
  let serverErrors = 0;
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const r = request();
      const t = performance.now();
      try {
        const res = await fetch(url + r.path, r.init);
        await res.arrayBuffer();
        if (!res.ok) errors.push(`${r.kind} ${res.status}`);
        if (res.status >= 500) serverErrors++;
      } catch (e) {
        errors.push(`${r.kind} ${(e as Error).message}`);
      }
      lat[r.kind].push(performance.now() - t);
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { lat, errors, serverErrors, seconds: (performance.now() - t) / 1000 };
}

function summarise({ lat, errors, serverErrors, seconds }: Awaited<ReturnType<typeof blast>>) {
  const all = Object.values(lat).flat().sort((a, b) => a - b);
  return {
    seconds,
    requestsPerSecond: total / seconds,
    p50ms: percentile(all, 50),
    p99ms: percentile(all, 99),
    byKind: Object.fromEntries(
      Object.entries(lat).map(([k, v]) => {
        const s = [...v].sort((a, b) => a - b);
        return [k, { count: s.length, p50ms: percentile(s, 50), p99ms: percentile(s, 99) }];
      }),
    ),
    errors: errors.length,
    serverErrors,
    errorSamples: errors.slice(0, 5),
  };
}

/**
 * `n` connections that each send a search's headers and then one byte of its 60 kB body a second (under
 * the 64 kB JSON limit, else the answer is an immediate 413), until the service closes them; each closed
 * one reconnects while the slow run lasts. Counts how they ended.
 */
function slowLoad(n: number) {
  const { port } = new URL(url);
  const ended: Record<string, number> = {};
  let running = true;
  let connections = 0;
  const open = () => {
    if (!running) return;
    connections++;
    let received = '';
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write('POST /search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{');
    });
    const trickle = setInterval(() => socket.writable && socket.write(' '), 1000);
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(trickle);
      if (!running) return;
      const status = /^HTTP\/1\.1 (\d+)/.exec(received)?.[1] ?? 'closed without an answer';
      ended[status] = (ended[status] ?? 0) + 1;
      open();
    });
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const sockets = new Set<net.Socket>();
  for (let i = 0; i < n; i++) open();
  return {
    stop() {
      running = false;
      for (const s of sockets) s.destroy();
      return { clients: n, connections, ended };
    },
  };
}

try {
  await blast(200); // warm-up: lazy allocations, JIT, LanceDB/tf caches
  const rssBefore = rssMb(server.pid!);
  const normal = summarise(await blast(total));
  const rssAfter = rssMb(server.pid!);
  const slow = slowLoad(slowClients);
  const withSlow = summarise(await blast(total));
  const slowStats = slow.stop();
  const summary = {
    date: new Date().toISOString(),
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    url,
    requests: total,
    concurrency,
    ...normal,
    rssMbBefore: rssBefore,
    rssMbAfter: rssAfter,
    slowClients: { ...slowStats, requestTimeoutMs: Number(requestTimeout), normalLoad: withSlow, rssMbAfter: rssMb(server.pid!) },
  };
  mkdirSync('artifacts', { recursive: true });
  writeFileSync('artifacts/bench-load.json', JSON.stringify(summary, null, 1));
  console.log(JSON.stringify(summary, null, 1));
  if (normal.serverErrors + withSlow.serverErrors > 0) process.exitCode = 1;
} finally {
  server.kill('SIGTERM');
}
