/** Scale-out: two `sadsl serve` processes serve one LanceDB index read-only at the same time. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { tinyIndex, type TinyIndex } from '../search/tiny-index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-procs-'));
const children: ChildProcess[] = [];
let t: TinyIndex;

/** Starts `sadsl serve` on a free port; resolves with its URL once it prints it. */
function serve(indexDir: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--index', indexDir, '--port', '0', '--search-backend', 'lance'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  t = await tinyIndex(tmp, 'image', { dims: 16, index: { type: 'ivf_pq', partitions: 4, subVectors: 2 }, search: { nprobes: 4, refineFactor: 50 } });
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

describe('two service processes on one LanceDB index', () => {
  it('both answer, concurrently, with identical results', async () => {
    const [a, b] = await Promise.all([serve(t.indexDir), serve(t.indexDir)]);
    expect(a).not.toBe(b);
    const ask = (url: string, id: string) =>
      fetch(`${url}/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, k: 5, topicWeights: { '0': 0 } }) }).then((r) => r.json());
    const ids = ['train:0', 'train:7', 'test:3'];
    const results = await Promise.all(ids.flatMap((id) => [ask(a, id), ask(b, id)]));
    for (let i = 0; i < ids.length; i++) {
      const [ra, rb] = [results[2 * i], results[2 * i + 1]];
      expect(ra.backend).toBe('lance');
      expect(ra.hits).toHaveLength(5);
      expect(rb.hits).toEqual(ra.hits);
    }
    const health = await Promise.all([a, b].map((u) => fetch(`${u}/healthz`).then((r) => r.json())));
    expect(health.map((h) => h.backend)).toEqual(['lance', 'lance']);
  });
});
