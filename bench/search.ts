/**
 * Search benchmark: exact (blocked matmul top-k) vs LanceDB IVF_PQ on
 *   1. the Fashion-MNIST training set's codes (60,000 × 4,096) encoded by a trained model (default
 *      runs/demo (`npm start`); random unit codes of dim 4,096 when no model is given or found), queries = test codes;
 *   2. a synthetic database of 1,000,000 codes of dim 128 (clustered unit vectors: 1,000,000 × 4,096 floats
 *      would need 16 GB), queries drawn from the same distribution.
 * Reports build time, queries/s (one query at a time, as a service sees them; exact also in blocks of 16)
 * and recall@10 of the ANN against exact. Writes artifacts/bench-search.json.
 * Usage: `npx tsx bench/search.ts [--model dir] [--synthetic-n 1000000] [--synthetic-dim 128] [--queries 100]`
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import { loadDataset } from '../src/data/registry.js';
import { TrainedModel, loadModel } from '../src/train/trained-model.js';
import { ExactBackend } from '../src/search/exact.js';
import { LanceBackend, defaultAnn, writeLanceTable } from '../src/search/lance.js';
import type { CodeLayout } from '../src/search/topics.js';
import type { Hit } from '../src/search/backend.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const modelDir = arg('model', 'runs/demo');
const syntheticN = Number(arg('synthetic-n', '1000000'));
const syntheticDim = Number(arg('synthetic-dim', '128'));
const nQueries = Number(arg('queries', '100'));
const K = 10;

function normalizeRows(a: Float32Array, dim: number): Float32Array {
  for (let i = 0; i < a.length; i += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += a[i + j] ** 2;
    const inv = 1 / Math.sqrt(s || 1);
    for (let j = 0; j < dim; j++) a[i + j] *= inv;
  }
  return a;
}

/** Unit vectors around `clusters` random centres (noise std `spread` per dim relative to a unit centre). */
function clustered(n: number, dim: number, clusters: number, spread: number, rng: Rng, centres?: Float32Array): { codes: Float32Array; centres: Float32Array } {
  const c = centres ?? normalizeRows(rng.normalArray(clusters * dim), dim);
  const codes = rng.normalArray(n * dim, spread);
  for (let i = 0; i < n; i++) {
    const k = rng.int(clusters);
    for (let j = 0; j < dim; j++) codes[i * dim + j] += c[k * dim + j];
  }
  return { codes: normalizeRows(codes, dim), centres: c };
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, (performance.now() - t) / 1000];
}

interface Case {
  name: string;
  n: number;
  dim: number;
  source: string;
  exactQps1: number;
  exactQps16: number;
  ann: string;
  lanceWriteSeconds: number;
  annBuildSeconds: number;
  lanceQps: number;
  recallAt10: number;
  lanceQpsHighRecall: number;
  recallAt10HighRecall: number;
}

async function runCase(name: string, source: string, codes: Float32Array, queries: Float32Array, dim: number, layout: CodeLayout): Promise<Case> {
  const n = codes.length / dim;
  const nq = queries.length / dim;
  const labels = new Int32Array(n);
  const ids = (r: number) => `train:${r}`;
  console.log(`\n== ${name}: ${n} × ${dim} (${source}), ${nq} queries`);
  const exact = new ExactBackend(codes, labels, ids, layout);
  const [truth, tExact1] = await time(async () => {
    const out: Hit[][] = [];
    for (let q = 0; q < nq; q++) out.push((await exact.search(queries.subarray(q * dim, (q + 1) * dim), K))[0]);
    return out;
  });
  const [, tExact16] = await time(() => exact.search(queries, K));
  console.log(`exact: ${(nq / tExact1).toFixed(1)} q/s one at a time, ${(nq / tExact16).toFixed(1)} q/s in blocks of 16`);

  const dir = mkdtempSync(path.join(tmpdir(), 'sadsl-bench-'));
  try {
    const ann = defaultAnn(n, dim, 0);
    const [, tWrite] = await time(() => writeLanceTable(path.join(dir, 'flat'), { codes, labels, ids, dim }, { type: 'none' }));
    const [, tAll] = await time(() => writeLanceTable(path.join(dir, 'ann'), { codes, labels, ids, dim }, ann));
    const tAnn = Math.max(0, tAll - tWrite);
    console.log(`lance: write ${tWrite.toFixed(1)} s, IVF_PQ (${ann.type === 'ivf_pq' ? `${ann.partitions} partitions × ${ann.subVectors} sub-vectors` : '-'}) build ${tAnn.toFixed(1)} s`);
    const measure = async (nprobes: number, refineFactor: number) => {
      const lance = await LanceBackend.open(path.join(dir, 'ann'), layout, { nprobes, refineFactor });
      await lance.search(queries.subarray(0, dim), K); // warm the index cache
      const [hits, t] = await time(async () => {
        const out: Hit[][] = [];
        for (let q = 0; q < nq; q++) out.push((await lance.search(queries.subarray(q * dim, (q + 1) * dim), K))[0]);
        return out;
      });
      await lance.close();
      let found = 0;
      hits.forEach((h, q) => {
        const s = new Set(truth[q].map((x) => x.row));
        found += h.filter((x) => s.has(x.row)).length;
      });
      const recall = found / (nq * K);
      console.log(`lance nprobes ${nprobes} refine ${refineFactor}: ${(nq / t).toFixed(1)} q/s, recall@10 ${recall.toFixed(3)}`);
      return { qps: nq / t, recall };
    };
    const dflt = await measure(20, 10);
    const high = await measure(64, 20);
    return {
      name, n, dim, source,
      exactQps1: nq / tExact1, exactQps16: nq / tExact16,
      ann: ann.type === 'ivf_pq' ? `IVF_PQ ${ann.partitions}×${ann.subVectors}` : 'none',
      lanceWriteSeconds: tWrite, annBuildSeconds: tAnn,
      lanceQps: dflt.qps, recallAt10: dflt.recall, lanceQpsHighRecall: high.qps, recallAt10HighRecall: high.recall,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fashionCodes(): Promise<{ codes: Float32Array; queries: Float32Array; dim: number; layout: CodeLayout; source: string }> {
  if (existsSync(path.join(modelDir, 'model', 'model.json')) || existsSync(path.join(modelDir, 'model.json'))) {
    await initEngine({ backend: 'wasm' });
    const model = await loadModel(modelDir);
    const { fingerprint } = await TrainedModel.readManifest(modelDir);
    const topics = model.config.variant === 'no-topics' ? 1 : model.config.K;
    // Encoding 60,000 images takes minutes: the codes are cached per model fingerprint.
    const cache = path.join(tmpdir(), `sadsl-bench-fmnist-${fingerprint.slice(0, 16)}-${nQueries}.f32`);
    let all: Float32Array;
    if (existsSync(cache)) {
      const b = readFileSync(cache);
      all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    } else {
      const ds = await loadDataset('fashion-mnist');
      const t = performance.now();
      const db = await model.encode({ split: ds.train }, { batchSize: 512, onProgress: (d, n) => d % 10240 < 512 && process.stderr.write(`encoding ${d}/${n}\n`) });
      console.log(`encoded ${ds.train.n} Fashion-MNIST training images in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      const q = await model.encode({ split: ds.test, indices: Int32Array.from({ length: nQueries }, (_, i) => i) });
      all = new Float32Array(db.codes.length + q.codes.length);
      all.set(db.codes);
      all.set(q.codes, db.codes.length);
      writeFileSync(cache, new Uint8Array(all.buffer));
    }
    const dim = topics * model.config.d;
    model.dispose();
    const split = all.length - nQueries * dim;
    return { codes: all.subarray(0, split), queries: all.subarray(split), dim, layout: { topics, blockDim: dim / topics }, source: `model ${modelDir}` };
  }
  const rng = new Rng(7);
  const dim = 4096;
  return { codes: normalizeRows(rng.normalArray(60000 * dim), dim), queries: normalizeRows(rng.normalArray(nQueries * dim), dim), dim, layout: { topics: 32, blockDim: 128 }, source: 'random unit codes' };
}

const results: Case[] = [];
const f = await fashionCodes();
results.push(await runCase('fashion-mnist train', f.source, f.codes, f.queries, f.dim, f.layout));
const rng = new Rng(11);
const s = clustered(syntheticN, syntheticDim, 1000, 0.05, rng);
const sq = clustered(nQueries, syntheticDim, 1000, 0.05, rng, s.centres);
results.push(await runCase(`synthetic ${syntheticN}`, 'clustered unit codes', s.codes, sq.codes, syntheticDim, { topics: syntheticDim / 16, blockDim: 16 }));
mkdirSync('artifacts', { recursive: true });
writeFileSync('artifacts/bench-search.json', JSON.stringify({ date: new Date().toISOString(), queries: nQueries, k: K, results }, null, 1));
console.table(results.map((r) => ({ case: r.name, n: r.n, dim: r.dim, 'exact q/s': r.exactQps1.toFixed(1), 'exact q/s (×16)': r.exactQps16.toFixed(1), ann: r.ann, 'write s': r.lanceWriteSeconds.toFixed(1), 'ANN build s': r.annBuildSeconds.toFixed(1), 'lance q/s': r.lanceQps.toFixed(1), 'recall@10': r.recallAt10.toFixed(3), 'lance q/s (np64)': r.lanceQpsHighRecall.toFixed(1), 'recall@10 (np64)': r.recallAt10HighRecall.toFixed(3) })));
