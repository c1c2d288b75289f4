/**
 * Times and measures the non-learned baselines on the full protocol (docs/model.md §6): the training split is the
 * database, every test object a query (Fashion-MNIST: 10,000 × 60,000; 20 News: 7,532 × 11,314), next to
 * the PyTorch reference's numbers. On Fashion-MNIST it also evaluates the reference's 2,000 seeded queries
 * (`query_subset`: torch.randperm seeded with seed + 12345), taken from /usr/bin/python3 when torch is there.
 *
 *   npx tsx bench/baselines.ts [fashion-mnist|20news|all] [--backend wasm|cpu] [--methods raw,pca,lsa]
 */
import { spawnSync } from 'node:child_process';
import { loadDataset } from '../src/data/registry.js';
import type { Dataset, Split } from '../src/data/types.js';
import { initEngine } from '../src/engine/backend.js';
import { createBaseline } from '../src/eval/baselines/index.js';
import type { Codes } from '../src/eval/method.js';
import { evaluateCodes } from '../src/eval/retrieval.js';
import type { RetrievalMetrics } from '../src/train/validation.js';

const REFERENCE: Record<string, Record<string, Partial<RetrievalMetrics>>> = {
  'fashion-mnist': {
    'raw all': { mAP: 0.4792, precisionAt10: 0.8126, precisionAt100: 0.7472, rPrecision: 0.4546, mapAtR: 0.3324 },
    'raw q2000': { mAP: 0.4856, precisionAt10: 0.8195, precisionAt100: 0.7557, rPrecision: 0.4606, mapAtR: 0.3383 },
  },
  '20news': {
    'raw all': { mAP: 0.2052, precisionAt10: 0.604, precisionAt100: 0.4242, rPrecision: 0.2459, mapAtR: 0.1219 },
  },
};

function referenceSubset(nTest: number, q: number, seed: number): Int32Array | null {
  const code = `import torch; g = torch.Generator().manual_seed(${seed + 12345}); print(','.join(map(str, torch.sort(torch.randperm(${nTest}, generator=g)[:${q}]).values.tolist())))`;
  const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' });
  return r.status === 0 ? Int32Array.from(r.stdout.trim().split(','), Number) : null;
}

function selectRows(codes: Codes, rows: Int32Array): Codes {
  if (codes.kind !== 'dense') throw new Error('subset of sparse codes is not needed here');
  const out = new Float32Array(rows.length * codes.dim);
  rows.forEach((r, i) => out.set(codes.codes.subarray(r * codes.dim, (r + 1) * codes.dim), i * codes.dim));
  return { kind: 'dense', codes: out, dim: codes.dim };
}

const fmt = (m: Partial<RetrievalMetrics>) =>
  (['mAP', 'precisionAt10', 'precisionAt100', 'rPrecision', 'mapAtR'] as const).map((k) => `${k}=${m[k]?.toFixed(4) ?? '-'}`).join(' ');

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, (performance.now() - t0) / 1000];
}

async function run(spec: string, methods: string[]): Promise<void> {
  const [ds, tLoad] = await timed(() => loadDataset(spec));
  console.log(`${spec}: ${ds.train.n} train, ${ds.test.n} test, loaded in ${tLoad.toFixed(1)}s`);
  const ids = methods.filter((id) => (ds.domain === 'image' ? id !== 'lsa' : id !== 'pca'));
  for (const id of ids) {
    const m = createBaseline(id);
    const [, tFit] = await timed(() => m.fit(ds as Dataset, { seed: 0 }));
    const [[db, q], tEnc] = await timed(async () => [await m.encode(ds.train as Split), await m.encode(ds.test as Split)]);
    let last = 0;
    const [res, tEval] = await timed(() =>
      evaluateCodes(q, ds.test.labels, db, ds.train.labels, {
        onProgress: (d, t) => {
          if (d - last >= 2000 || d === t) {
            process.stderr.write(`  ${id}: ${d}/${t} queries\n`);
            last = d;
          }
        },
      }),
    );
    console.log(`${id} all (${res.queries} × ${res.database}): ${fmt(res)} ndcgAt10=${res.ndcgAt10.toFixed(4)} recallAt10=${res.recallAt10.toFixed(4)}`);
    console.log(`  pr=[${res.pr.map((v) => v.toFixed(4)).join(', ')}]`);
    console.log(`  fit ${tFit.toFixed(1)}s, encode ${tEnc.toFixed(1)}s, evaluate ${tEval.toFixed(1)}s (${((tEval * 1000) / res.queries).toFixed(2)} ms/query)`);
    const ref = REFERENCE[spec]?.[`${id} all`];
    if (ref) console.log(`  reference: ${fmt(ref)}`);
    if (ds.domain === 'image') {
      const subset = referenceSubset(ds.test.n, 2000, 0);
      if (!subset) {
        console.log('  (no torch: the reference 2,000-query subset is skipped)');
        continue;
      }
      const labels = Int32Array.from(subset, (i) => ds.test.labels[i]);
      const [sub, tSub] = await timed(() => evaluateCodes(selectRows(q, subset), labels, db, ds.train.labels));
      console.log(`${id} q2000 (reference subset, seed 0): ${fmt(sub)}  evaluate ${tSub.toFixed(1)}s`);
      const refSub = REFERENCE[spec]?.[`${id} q2000`];
      if (refSub) console.log(`  reference: ${fmt(refSub)}`);
    }
  }
}

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const backend = opt('--backend') ?? 'wasm';
const methods = (opt('--methods') ?? 'raw,pca,lsa').split(',');
const which = args[0] ?? 'all';
const info = await initEngine({ backend });
console.log(`backend=${info.backend}`);
for (const spec of which === 'all' ? ['fashion-mnist', '20news'] : [which]) await run(spec, methods);
