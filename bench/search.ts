/**
 * Search benchmark on a trained model's own codes (default runs/demo; `npm start` makes one):
 *   1. Fashion-MNIST, database = the 60,000 training images, queries = test images:
 *      - compact codes: bytes per object, dropped mass and mAP (all test queries or --map-queries of them,
 *        relevant = same class) for several settings against the full codes;
 *      - exact search over the compact codes: q/s one query at a time and in blocks of 64;
 *      - the index as `sadsl index` builds it: ANN build time, chosen parameters, recall@10 vs exact, q/s.
 *   2. --large N (e.g. 1000000): N seeded augmentations of the training images (shift ±2 px, horizontal flip,
 *      Gaussian noise σ 8/255), encoded by the model and indexed in a stream; build time, size on disk,
 *      exact q/s (1 and 64), ANN recall@10 and q/s. The index is kept in --large-out (default
 *      artifacts/bench-large-index) and reused when it exists, as encoding 1 M images takes long.
 *   3. --synthetic N (e.g. 1000000): memory and speed of exact search over N synthetic compact codes, made
 *      without encoding N images: object i takes the block masses θ_k = ‖z_k‖² of the model's code of test
 *      image (i mod 2,048) and, per block, a unit direction drawn (seeded) from a pool of 8,192 random unit
 *      vectors; the dense codes are compacted with the defaults in chunks. Prints RSS after each stage and the
 *      peak RSS of the searches, and exact q/s (1 and 64 real test-image queries).
 * Prints the CPU model and load; writes artifacts/bench-search.json.
 * Usage: `npx tsx bench/search.ts [--backend auto|torch|wasm] [--model dir] [--database 60000] [--map-queries 1000] [--skip-index] [--large 1000000] [--synthetic 1000000] [--skip-fmnist] [--tail-mass 0.05,0.1,0.2] [--ann-probes 20] [--ann-refine 40,100,200,500,1000] [--reindex ivf_rq|ivf_pq|ivf_flat]`
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ANN_INDEX_TYPES, COMPACT_DEFAULTS, EXACT_DEFAULTS, type AnnIndexType, type CompactParams } from '../src/config.js';
import { loadDataset } from '../src/data/registry.js';
import type { ImageSplit } from '../src/data/types.js';
import { initEngine, parseBackend } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import { subsetSplit } from '../src/eval/experiment.js';
import { evaluateRetrieval } from '../src/eval/retrieval.js';
import { buildIndex, splitSource, type ObjectSource } from '../src/search/build.js';
import { CompactCodes } from '../src/search/compact.js';
import { ExactBackend } from '../src/search/exact.js';
import { LanceBackend, describeIndex } from '../src/search/lance.js';
import { readIndexArrays } from '../src/search/manifest.js';
import { openStore } from '../src/search/store.js';
import { recall } from '../src/search/write.js';
import type { IndexManifest } from '../src/search/manifest.js';
import { TrainedModel, loadModel } from '../src/train/trained-model.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const modelDir = arg('model', 'runs/demo');
const mapQueries = Number(arg('map-queries', '1000'));
const dbSize = Number(arg('database', '60000'));
const large = Number(arg('large', '0'));
const largeOut = arg('large-out', 'artifacts/bench-large-index');
const synthetic = Number(arg('synthetic', '0'));
const skipFmnist = process.argv.includes('--skip-fmnist');
const tailMasses = arg('tail-mass', '0.05,0.1,0.2').split(',').map(Number);
const annProbes = arg('ann-probes', '20').split(',').map(Number);
const annRefine = arg('ann-refine', '40,100,200,500,1000').split(',').map(Number);
// Rebuild the kept large index's ANN stage with this index type first (`sadsl index --ann-only`).
const reindexType = arg('reindex', '');
const K = 10;

const cpu = (() => {
  try {
    return /Model name:\s*(.*)/.exec(execSync('lscpu', { encoding: 'utf8' }))?.[1].trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
const load = () => loadavg()[0].toFixed(1);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const rss = () => process.memoryUsage().rss;
console.log(`CPU ${cpu}, load average ${load()} at start`);

const engine = await initEngine({ backend: parseBackend(arg('backend', 'auto')) });
console.log(`engine ${engine.backend} (${engine.reason})`);
if (!existsSync(path.join(modelDir, 'model', 'model.json')) && !existsSync(path.join(modelDir, 'model.json'))) {
  console.error(`no model in ${modelDir}: train one (npm start, or sadsl train) and pass --model`);
  process.exit(2);
}
const model = await loadModel(modelDir);
const { fingerprint } = await TrainedModel.readManifest(modelDir);
const topics = model.config.variant === 'no-topics' ? 1 : model.config.K;
const dim = topics * model.config.d;
const layout = { topics, blockDim: dim / topics };
const ds = await loadDataset('fashion-mnist');
const results: Record<string, unknown> = { date: new Date().toISOString(), cpu, model: modelDir, fingerprint };

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, (performance.now() - t) / 1000];
}

/** Exact q/s over compact codes (queries whole, as the service scores them): one at a time, and blocks of 64. */
async function exactQps(codes: CompactCodes, queries: Float32Array, backend?: ExactBackend): Promise<{ one: number; block64: number }> {
  const exact = backend ?? new ExactBackend(codes, new Int32Array(codes.n), (r) => `train:${r}`);
  const nq = queries.length / dim;
  const ones = Math.min(nq, 20);
  const [, t1] = await timed(async () => {
    for (let i = 0; i < ones; i++) await exact.search(queries.subarray(i * dim, (i + 1) * dim), K);
  });
  const blocks = Math.max(1, Math.floor(nq / 64));
  const [, t64] = await timed(async () => {
    for (let b = 0; b < blocks; b++) await exact.search(queries.subarray(b * 64 * dim, (b + 1) * 64 * dim), K);
  });
  // A backend made here is closed here: its pieces live on the engine (a wasm heap has 4 GB for all settings).
  if (!backend) await exact.close();
  return { one: ones / t1, block64: (blocks * Math.min(64, nq)) / t64 };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += statSync(path.join(e.parentPath, e.name)).size;
  return total;
}

function describe(m: IndexManifest): Record<string, unknown> {
  const a = m.ann;
  return {
    bytesPerObject: m.codes.bytesPerObject,
    meanBlocks: m.codes.meanBlocks,
    meanDroppedMass: m.codes.meanDroppedMass,
    maxDroppedMass: m.codes.maxDroppedMass,
    ...(a.type === 'lance' ? { ann: a.index, annDims: a.dims, annBuildSeconds: a.buildSeconds, search: a.search, measured: a.measured } : {}),
  };
}

if (!skipFmnist) {
  // A seeded subset of the training images as the database (--database N) and of the test images as queries
  // (--map-queries Q), for loaded machines; their codes are cached per model fingerprint and subset.
  const dbRows = new Rng(2).sample(Int32Array.from({ length: ds.train.n }, (_, i) => i), Math.min(dbSize, ds.train.n)).sort();
  const qRows = new Rng(3).sample(Int32Array.from({ length: ds.test.n }, (_, i) => i), Math.min(mapQueries, ds.test.n)).sort();
  const dbSplit = subsetSplit(ds.train, dbRows);
  const qSplit = subsetSplit(ds.test, qRows);
  const cache = path.join(tmpdir(), `sadsl-bench-fmnist-${fingerprint.slice(0, 16)}-${dbRows.length}-${qRows.length}.f32`);
  let all: Float32Array;
  if (existsSync(cache)) {
    const b = readFileSync(cache);
    all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  } else {
    const [enc, t] = await timed(async () => {
      const db = await model.encode({ split: dbSplit }, { batchSize: 512, onProgress: (d, n) => d % 10240 < 512 && process.stderr.write(`encoding train ${d}/${n}\n`) });
      const q = await model.encode({ split: qSplit }, { batchSize: 512 });
      return [db.codes, q.codes];
    });
    console.log(`encoded ${dbSplit.n + qSplit.n} Fashion-MNIST images in ${t.toFixed(1)} s (load ${load()})`);
    all = new Float32Array(enc[0].length + enc[1].length);
    all.set(enc[0]);
    all.set(enc[1], enc[0].length);
    writeFileSync(cache, new Uint8Array(all.buffer));
  }
  const db = all.subarray(0, dbSplit.n * dim);
  const q = all.subarray(dbSplit.n * dim);
  const rows = Array.from({ length: dbSplit.n }, (_, i) => i);
  const [full, tFull] = await timed(() => evaluateRetrieval({ queries: q, queryLabels: qSplit.labels, database: db, databaseLabels: dbSplit.labels, dim }));
  console.log(`\n== Fashion-MNIST: ${qSplit.n} queries × ${dbSplit.n}, full codes (${dim * 4} bytes): mAP ${full.mAP.toFixed(4)} (${tFull.toFixed(0)} s)`);
  const settings: CompactParams[] = [
    COMPACT_DEFAULTS,
    { dtype: 'int4', maxBlocks: 15, maxDroppedMass: 0.02 },
    { dtype: 'int4', maxBlocks: 14, maxDroppedMass: 0.02 },
    { dtype: 'int8', maxBlocks: 4, maxDroppedMass: 0.02 },
    { dtype: 'int8', maxBlocks: 32, maxDroppedMass: 0.02 },
    { dtype: 'float16', maxBlocks: 3, maxDroppedMass: 0.02 },
  ];
  const compact: Record<string, unknown>[] = [];
  for (const p of settings) {
    const c = CompactCodes.fromDense(db, layout, p);
    // Queries whole against the stored blocks (ExactBackend's default), and compacted like the database (before).
    const m = await evaluateRetrieval({ queries: q, queryLabels: qSplit.labels, database: c.dense(rows), databaseLabels: dbSplit.labels, dim });
    const cq = CompactCodes.fromDense(q, layout, { ...p, dtype: 'float32' });
    const both = await evaluateRetrieval({ queries: cq.dense(Array.from({ length: cq.n }, (_, i) => i)), queryLabels: qSplit.labels, database: c.dense(rows), databaseLabels: dbSplit.labels, dim });
    const s = c.stats();
    const qps = await exactQps(c, q.subarray(0, Math.min(qSplit.n, 256) * dim));
    const row = { ...p, bytesPerObject: s.bytesPerObject, meanBlocks: s.meanBlocks, meanDroppedMass: s.meanDroppedMass, maxDroppedMass: s.maxDroppedMass, mAP: m.mAP, mAPLoss: full.mAP - m.mAP, mAPCompactQueries: both.mAP, exactQps1: qps.one, exactQps64: qps.block64 };
    compact.push(row);
    console.log(
      `${p.dtype} ≤${p.maxBlocks} blocks δ ${p.maxDroppedMass}: ${s.bytesPerObject.toFixed(0)} B/object, ${s.meanBlocks.toFixed(2)} blocks, dropped mean ${s.meanDroppedMass.toFixed(4)} max ${s.maxDroppedMass.toFixed(4)}; ` +
        `mAP ${m.mAP.toFixed(4)} (${(m.mAP - full.mAP >= 0 ? '+' : '') + (m.mAP - full.mAP).toFixed(4)}; queries compacted too ${both.mAP.toFixed(4)}); exact ${qps.one.toFixed(1)} q/s one, ${qps.block64.toFixed(1)} q/s ×64 (load ${load()})`,
    );
  }
  results.fashionMnist = { database: dbSplit.n, queries: qSplit.n, fullMap: full.mAP, compact };
  if (!process.argv.includes('--skip-index')) {
    const dir = path.join(tmpdir(), `sadsl-bench-index-${process.pid}`);
    try {
      const [m, t] = await timed(() => buildIndex({ model: modelDir, dataset: 'fashion-mnist', source: splitSource(dbSplit), heldOut: qSplit, out: dir, ann: {} }));
      console.log(`sadsl index (defaults): ${t.toFixed(0)} s, ${(dirBytes(dir) / 2 ** 20).toFixed(0)} MiB; ${JSON.stringify(describe(m))}`);
      results.fashionMnist = { ...(results.fashionMnist as object), index: { seconds: t, bytes: dirBytes(dir), ...describe(m) } };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Seeded augmentation of training image (i mod n): shift by up to ±2 px, flip half of them, add noise. */
function augmented(train: ImageSplit, n: number): ObjectSource {
  const { height: H, width: W, channels: C } = train;
  const size = H * W * C;
  return {
    n,
    async read(start, end) {
      const m = end - start;
      const pixels = new Uint8Array(m * size);
      const labels = new Int32Array(m);
      for (let j = 0; j < m; j++) {
        const i = start + j;
        const src = i % train.n;
        const rng = new Rng(i + 1);
        const dx = rng.int(5) - 2;
        const dy = rng.int(5) - 2;
        const flip = rng.int(2) === 1;
        const noise = rng.normalArray(size, 8);
        labels[j] = train.labels[src];
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const sx0 = x - dx;
            const sx = flip ? W - 1 - sx0 : sx0;
            const sy = y - dy;
            for (let c = 0; c < C; c++) {
              const v = sx >= 0 && sx < W && sy >= 0 && sy < H ? train.pixels[src * size + (sy * W + sx) * C + c] : 0;
              pixels[j * size + (y * W + x) * C + c] = Math.max(0, Math.min(255, Math.round(v + noise[(y * W + x) * C + c])));
            }
          }
        }
      }
      return { kind: 'image', n: m, height: H, width: W, channels: C, pixels, labels };
    },
  };
}

if (large > 0) {
  console.log(`\n== ${large} augmented Fashion-MNIST images (load ${load()})`);
  let m: IndexManifest;
  if (existsSync(path.join(largeOut, 'index.json'))) {
    m = JSON.parse(readFileSync(path.join(largeOut, 'index.json'), 'utf8')) as IndexManifest;
    console.log(`reusing ${largeOut} (${m.n} objects)`);
  } else {
    mkdirSync(path.dirname(largeOut), { recursive: true });
    let last = 0;
    const [built, t] = await timed(() =>
      buildIndex({
        model: modelDir,
        dataset: 'fashion-mnist',
        source: augmented(ds.train as ImageSplit, large),
        heldOut: ds.test,
        out: largeOut,
        batchSize: 512,
        ann: {},
        onProgress: (stage, d, n) => {
          if (stage === 'encode' && d - last >= 20480) {
            last = d;
            console.log(`encoded ${d}/${n} (${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB RSS, load ${load()})`);
          }
        },
      }),
    );
    m = built;
    console.log(`built in ${t.toFixed(0)} s`);
    writeFileSync(path.join(largeOut, 'build.json'), JSON.stringify({ seconds: t, cpu, load: load() }));
  }
  if (reindexType) {
    if (!(ANN_INDEX_TYPES as readonly string[]).includes(reindexType)) throw new Error(`--reindex: expected ${ANN_INDEX_TYPES.join(', ')}`);
    const [rebuilt, t] = await timed(() => buildIndex({ model: modelDir, dataset: 'fashion-mnist', out: largeOut, annOnly: true, annIndex: reindexType as AnnIndexType, heldOut: ds.test }));
    m = rebuilt;
    const a = m.ann.type === 'lance' ? m.ann : null;
    console.log(`ANN stage rebuilt in ${t.toFixed(0)} s (index ${a ? describeIndex(a.index) : 'none'} in ${a?.buildSeconds.toFixed(0)} s); chosen ${JSON.stringify(a?.search)}, measured ${JSON.stringify(a?.measured && { ...a.measured, sweep: undefined })} (load ${load()})`);
  }
  const build = JSON.parse(readFileSync(path.join(largeOut, 'build.json'), 'utf8')) as { seconds: number };
  const bytes = dirBytes(largeOut);
  const store = await openStore(largeOut);
  const { codes, labels, projection } = await readIndexArrays(store, m);
  const nq = 128;
  const q = (await model.encode({ split: ds.test, indices: Array.from({ length: nq }, (_, i) => i) })).codes;
  console.log(`${m.n} objects: build ${build.seconds.toFixed(0)} s, ${(bytes / 2 ** 30).toFixed(2)} GiB on disk; ${JSON.stringify(describe(m))}`);
  const [exact, tSplit] = await timed(async () => new ExactBackend(codes, labels, (r) => `train:${r}`));
  console.log(`exact backend ready in ${tSplit.toFixed(0)} s (RSS ${mib(rss())})`);
  // Unpruned (every topic of the query in the first pass) on one block of 64, for reference.
  exact.tailMass = 0;
  const [truth, tU] = await timed(() => exact.search(q.subarray(0, 64 * dim), K));
  console.log(`exact, unpruned: ${(64 / tU).toFixed(1)} q/s ×64 (load ${load()})`);
  const pruned: Record<string, unknown>[] = [];
  for (const tailMass of tailMasses) {
    exact.tailMass = tailMass;
    const r = await exactQps(codes, q, exact);
    const pass = exact.stats;
    pruned.push({ tailMass, exactQps1: r.one, exactQps64: r.block64, ...pass });
    console.log(`exact, pruned (tail mass ${tailMass}): ${r.one.toFixed(1)} q/s one, ${r.block64.toFixed(1)} q/s ×64; ${pass.headTopics.toFixed(2)} head topics, ${pass.candidates.toFixed(0)} objects scored per query (load ${load()})`);
  }
  exact.tailMass = EXACT_DEFAULTS.tailMass;
  const qps = await exactQps(codes, q, exact);
  console.log(`exact, default tail mass ${EXACT_DEFAULTS.tailMass}: ${qps.one.toFixed(1)} q/s one, ${qps.block64.toFixed(1)} q/s ×64 (load ${load()})`);
  const truthAll = [...truth, ...(await exact.search(q.subarray(64 * dim), K))];
  // ANN: LanceDB candidates re-scored exactly, over a sweep that goes past the build's largest refine factor.
  const sweep: { nprobes: number; refineFactor: number; recall: number; qps: number }[] = [];
  if (m.ann.type === 'lance') {
    const lance = await LanceBackend.open(store.lance, exact, { dim, D: m.ann.dims, matrix: projection! }, m.ann.search);
    for (const nprobes of annProbes) {
      for (const refineFactor of annRefine) {
        const l = lance.withParams({ nprobes, refineFactor });
        await l.search(q.subarray(0, dim), K);
        const [hits, t] = await timed(() => l.search(q, K));
        sweep.push({ nprobes, refineFactor, recall: recall(hits, truthAll), qps: nq / t });
        console.log(`ANN nprobes ${nprobes}, refine ${refineFactor}: recall@10 ${sweep.at(-1)!.recall.toFixed(3)}, ${sweep.at(-1)!.qps.toFixed(1)} q/s (load ${load()})`);
      }
    }
    await lance.close(); // closes the exact backend too
  } else await exact.close();
  results.large = { n: m.n, buildSeconds: build.seconds, bytes, exactQps1: qps.one, exactQps64: qps.block64, exactUnprunedQps64: 64 / tU, exactPruned: pruned, annSweep: sweep, ...describe(m) };
}
if (synthetic > 0) {
  console.log(`\n== ${synthetic} synthetic compact codes (load ${load()})`);
  const real = (await model.encode({ split: ds.test, indices: Array.from({ length: 2048 }, (_, i) => i) }, { batchSize: 512 })).codes;
  const { topics: Kt, blockDim: d } = layout;
  const rng = new Rng(4);
  const pool = rng.normalArray(8192 * d);
  for (let u = 0; u < 8192; u++) {
    let n2 = 0;
    for (let j = 0; j < d; j++) n2 += pool[u * d + j] ** 2;
    for (let j = 0; j < d; j++) pool[u * d + j] /= Math.sqrt(n2);
  }
  const rms = [rss()];
  const chunk = 8192;
  const parts: CompactCodes[] = [];
  const dense = new Float32Array(chunk * dim);
  const [, tGen] = await timed(async () => {
    for (let start = 0; start < synthetic; start += chunk) {
      const m = Math.min(chunk, synthetic - start);
      for (let j = 0; j < m; j++) {
        const src = ((start + j) % 2048) * dim;
        for (let k = 0; k < Kt; k++) {
          let mass = 0;
          for (let t = 0; t < d; t++) mass += real[src + k * d + t] ** 2;
          const u = rng.int(8192) * d;
          const o = j * dim + k * d;
          for (let t = 0; t < d; t++) dense[o + t] = Math.sqrt(mass) * pool[u + t];
        }
      }
      parts.push(CompactCodes.fromDense(dense.subarray(0, m * dim), layout, COMPACT_DEFAULTS));
    }
  });
  const codes = CompactCodes.concat(parts, layout, COMPACT_DEFAULTS.dtype);
  parts.length = 0;
  rms.push(rss());
  const st = codes.stats();
  console.log(`made in ${tGen.toFixed(0)} s: ${st.bytesPerObject.toFixed(0)} B/object (${mib(st.bytesPerObject * codes.n)}), ${st.meanBlocks.toFixed(2)} blocks, dropped mean ${st.meanDroppedMass.toFixed(4)}; RSS ${mib(rms[0])} before, ${mib(rms[1])} with the codes`);
  const exact = new ExactBackend(codes, new Int32Array(codes.n), (r) => `train:${r}`);
  rms.push(rss());
  const qps = await exactQps(codes, real.subarray(0, 128 * dim), exact);
  await exact.close();
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(`exact: ${qps.one.toFixed(2)} q/s one, ${qps.block64.toFixed(2)} q/s ×64; RSS ${mib(rms[2])} with the search's pieces, peak ${mib(peak)} (load ${load()})`);
  results.synthetic = { n: codes.n, seconds: tGen, ...st, exactQps1: qps.one, exactQps64: qps.block64, rssBefore: rms[0], rssCodes: rms[1], rssBackend: rms[2], peakRss: peak };
}
model.dispose();
mkdirSync('artifacts', { recursive: true });
writeFileSync('artifacts/bench-search.json', JSON.stringify({ ...results, loadAtEnd: load() }, null, 1));
console.log(`load average ${load()} at the end`);
