/**
 * Exact search on the kept 1 M index of a concentrated model with its stored codes re-compacted to fewer blocks
 * (README, Scale): how q/s in blocks of 64 and one at a time move with the blocks kept per object.
 *   npx tsx bench/recompact.ts [maxBlocks 4] [dtype int8]   (SADSL_BENCH_INDEX: an index directory)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadavg } from 'node:os';
import { loadDataset } from '../src/data/registry.js';
import { initEngine } from '../src/engine/backend.js';
import { CompactCodes } from '../src/search/compact.js';
import { ExactBackend } from '../src/search/exact.js';
import type { IndexManifest } from '../src/search/manifest.js';
import { loadModel } from '../src/train/trained-model.js';

const idx = process.env.SADSL_BENCH_INDEX;
if (!idx) throw new Error('SADSL_BENCH_INDEX: the directory of a built index (bench/search.ts --large-out)');
const maxBlocks = Number(process.argv[2] ?? 4);
const dtype = (process.argv[3] ?? 'int8') as 'int8';
await initEngine({ backend: 'torch' });
const m = JSON.parse(readFileSync(path.join(idx, 'index.json'), 'utf8')) as IndexManifest;
const model = await loadModel(m.model.dir);
const dim = m.dim;
const ds = await loadDataset('fashion-mnist');
const q = (await model.encode({ split: ds.test, indices: Array.from({ length: 192 }, (_, i) => i) })).codes;
const stored = CompactCodes.parse(readFileSync(path.join(idx, 'codes.bin')), m.layout, m.codes.params.dtype, m.n, m.codes.blocks);
const parts: CompactCodes[] = [];
for (let s = 0; s < m.n; s += 20000) {
  const rows = Array.from({ length: Math.min(m.n, s + 20000) - s }, (_, i) => s + i);
  parts.push(CompactCodes.fromDense(stored.dense(rows), m.layout, { dtype, maxBlocks, maxDroppedMass: 0 }));
}
const codes = CompactCodes.concat(parts, m.layout, dtype);
console.log(`${dtype} ≤ ${maxBlocks} blocks: ${JSON.stringify(codes.stats())}`);
const exact = new ExactBackend(codes, new Int32Array(m.n), (r) => `${r}`);
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  await exact.search(q.subarray(rep * 64 * dim, (rep + 1) * 64 * dim), 10);
  const s = (performance.now() - t) / 1000;
  console.log(`block ${rep}: ${(64 / s).toFixed(1)} q/s ×64 (load ${loadavg()[0].toFixed(1)}) ${JSON.stringify(exact.stats)}`);
}
const t = performance.now();
for (let i = 0; i < 8; i++) await exact.search(q.subarray(i * dim, (i + 1) * dim), 10);
console.log(`one query: ${(8 / ((performance.now() - t) / 1000)).toFixed(1)} q/s (load ${loadavg()[0].toFixed(1)})`);
