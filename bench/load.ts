/**
 * Load test of `sadsl serve`, bounded and local: 2,000 requests, 32 in flight, to 127.0.0.1
 * only. Starts the service as a child process on an index (built from runs/demo, what `npm start` trains, into /tmp/sadsl-load-index
 * when missing), warms it up, then sends a mix: 70% searches by id (a third of them topic-steered), 20%
 * PNG uploads, 10% explanations. Reports p50/p99 latency per kind, errors, and the service's RSS before and
 * after (memory should stay flat). Writes artifacts/bench-load.json.
 * Usage: `npx tsx bench/load.ts [--index dir] [--model dir] [--requests 2000] [--concurrency 32]`
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const server = spawn(process.execPath, [...cli, 'serve', '--index', indexDir, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
      } catch (e) {
        errors.push(`${r.kind} ${(e as Error).message}`);
      }
      lat[r.kind].push(performance.now() - t);
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { lat, errors, seconds: (performance.now() - t) / 1000 };
}

try {
  await blast(200); // warm-up: lazy allocations, JIT, LanceDB/tf caches
  const rssBefore = rssMb(server.pid!);
  const { lat, errors, seconds } = await blast(total);
  const rssAfter = rssMb(server.pid!);
  const all = Object.values(lat).flat().sort((a, b) => a - b);
  const summary = {
    date: new Date().toISOString(),
    url,
    requests: total,
    concurrency,
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
    errorSamples: errors.slice(0, 5),
    rssMbBefore: rssBefore,
    rssMbAfter: rssAfter,
  };
  mkdirSync('artifacts', { recursive: true });
  writeFileSync('artifacts/bench-load.json', JSON.stringify(summary, null, 1));
  console.log(JSON.stringify(summary, null, 1));
} finally {
  server.kill('SIGTERM');
}
