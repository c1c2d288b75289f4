/**
 * An index on S3-compatible object storage (a local s3rver this test starts): `sadsl index --out s3://…`,
 * a searcher on it that answers like the same index on disk, and two `sadsl serve` processes on the one S3
 * index that answer with identical hits.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { buildIndex } from '../../src/search/build.js';
import { Searcher } from '../../src/search/searcher.js';
import { startLocalS3, type LocalS3 } from './s3-server.js';
import { expectIdenticalHits, serveProcess } from '../support/serve-process.js';
import { TINY_INDEX_CODES, tinyIndex, type TinyIndex } from './tiny-index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-s3-'));
const children: ChildProcess[] = [];
const ann = { dims: 16, index: { type: 'ivf_pq', partitions: 4, subVectors: 2 }, search: { nprobes: 4, refineFactor: 50 } } as const;
const uri = 's3://sadsl-test/indexes/tiny';
let s3: LocalS3;
let t: TinyIndex;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  s3 = await startLocalS3('sadsl-test');
  Object.assign(process.env, s3.env);
  t = await tinyIndex(tmp, 'image', ann);
  await buildIndex({ model: t.modelDir, out: uri, ann, codes: TINY_INDEX_CODES });
}, 600_000); // trains a tiny model and builds two indexes
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await s3?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('an index on S3-compatible storage', () => {
  it('answers like the same index on disk, with the ANN stage and exactly', async () => {
    // The two builds train two IVF_PQ indexes (LanceDB's k-means is not seeded), whose candidates can differ;
    // with a refine factor that makes the ANN stage propose every object, both must re-rank to exact's hits.
    const every = { ann: { refineFactor: Math.ceil(t.manifest.n / 5) } };
    const local = await Searcher.open(t.indexDir, every);
    const remote = await Searcher.open(uri, every);
    const localExact = await Searcher.open(t.indexDir, { backend: 'exact' });
    const exact = await Searcher.open(uri, { backend: 'exact' });
    expect([remote.backend.name, exact.backend.name]).toEqual(['lance', 'exact']);
    expect({ ...remote.manifest, createdAt: '', ann: null }).toEqual({ ...local.manifest, createdAt: '', ann: null });
    for (const id of ['train:3', 'train:1500']) {
      const q = await remote.query({ id });
      expect(Array.from(q.code)).toEqual(Array.from((await local.query({ id })).code));
      const want = await localExact.search(q.code, 5);
      expect(await exact.search(q.code, 5)).toEqual(want);
      expect(await remote.search(q.code, 5)).toEqual(want);
      expect(await local.search(q.code, 5)).toEqual(want);
    }
    await Promise.all([local.close(), remote.close(), localExact.close(), exact.close()]);
    await expect(Searcher.open('s3://sadsl-test/nothing-here')).rejects.toThrow(/index.json: not found/);
  });

  it('two service processes answer from the one index with identical hits', { timeout: 600_000 }, async () => {
    const [a, b] = await Promise.all([0, 1].map(() => serveProcess(uri, children, { env: s3.env })));
    await expectIdenticalHits(a, b, ['train:0', 'train:7', 'test:3']);
  });
});
