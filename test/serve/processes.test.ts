/** Scale-out: two `sadsl serve` processes serve one LanceDB index read-only at the same time. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { tinyIndex, type TinyIndex } from '../search/tiny-index.js';
import { expectIdenticalHits, serveProcess } from '../support/serve-process.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-procs-'));
const children: ChildProcess[] = [];
let t: TinyIndex;

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
    const [a, b] = await Promise.all([0, 1].map(() => serveProcess(t.indexDir, children, { args: ['--search-backend', 'lance'] })));
    expect(a).not.toBe(b);
    await expectIdenticalHits(a, b, ['train:0', 'train:7', 'test:3'], { topicWeights: { '0': 0 } });
    const health = await Promise.all([a, b].map((u) => fetch(`${u}/healthz`).then((r) => r.json())));
    expect(health.map((h) => h.backend)).toEqual(['lance', 'lance']);
  });
});
