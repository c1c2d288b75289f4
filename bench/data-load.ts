/**
 * First (parsing) and cached load times of full datasets (the second load must be at least 10× faster).
 * Uses a fresh cache directory so the first load really parses.
 *
 *   npx tsx bench/data-load.ts [spec ...]      (default: fashion-mnist 20news)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/data/registry.js';

const specs = process.argv.slice(2).length ? process.argv.slice(2) : ['fashion-mnist', '20news'];
const dir = mkdtempSync(join(tmpdir(), 'sadsl-bench-cache-'));
process.env.SADSL_CACHE = dir;

async function time(spec: string): Promise<number> {
  const t = performance.now();
  const ds = await loadDataset(spec);
  const ms = performance.now() - t;
  if (ds.train.n === 0) throw new Error(`${spec}: empty`);
  return ms;
}

try {
  for (const spec of specs) {
    const first = await time(spec);
    const cached: number[] = [];
    for (let i = 0; i < 5; i++) cached.push(await time(spec));
    const median = cached.sort((a, b) => a - b)[2];
    console.log(`${spec}: first ${first.toFixed(0)} ms, cached ${median.toFixed(0)} ms (median of 5), ${(first / median).toFixed(1)}× faster`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
