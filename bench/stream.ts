/**
 * Streaming data: peak RSS of `sadsl train` (one epoch, a tiny model) and `sadsl index` (exact, no ANN) on a
 * generated collection and on one `--factor` times larger (issue 15: within 1.5×): a JSONL file of `--docs`
 * documents of `--words` words, or with `--kind images` a folder of `--images` PNG files of side `--side`. Each command runs as its
 * own process; its peak RSS (getrusage maxRSS) is printed by the preloaded bench/peak-rss.ts, so `--checkout`
 * can measure another checkout (e.g. one from before streaming) with the same collections. Prints the CPU model.
 * Usage: `npx tsx bench/stream.ts [--kind text|images] [--docs 200] [--words 4000] [--images 2000] [--side 64]
 *   [--factor 10] [--checkout dir] [--backend b] [--dir /tmp/sadsl-stream]`
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { writeImageCollection, writeJsonlCollection } from '../test/support/collections.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const kind = arg('kind', 'text');
const docs = Number(arg('docs', '200'));
const words = Number(arg('words', '4000'));
const images = Number(arg('images', '2000'));
const side = Number(arg('side', '64'));
const factor = Number(arg('factor', '10'));
const checkout = path.resolve(arg('checkout', '.'));
const backend = arg('backend', '');
const dir = arg('dir', '/tmp/sadsl-stream');
const PEAK = path.resolve('bench/peak-rss.ts');

/** The tiny models of the tests (test/support/tiny.ts) with a small validation slice. */
const MODEL = kind === 'images' ? { K: 4, d: 16, imageChannels: [8, 16, 16], kmeansObjects: 64 } : { vocabSize: 500, maxLength: 64, d: 16, K: 4, docHidden: 32 };
const CONFIG = { model: MODEL, train: { validationSize: 50 } };

function sadsl(args: string[]): Promise<{ peakMiB: number; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', PEAK, 'src/cli/main.ts', ...args, ...(backend ? ['--backend', backend] : [])], {
      cwd: checkout,
      env: { ...process.env, SADSL_CACHE: path.join(dir, 'cache') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const m = /peak-rss-kib (\d+)/.exec(err);
      if (code !== 0 || !m) reject(new Error(`sadsl ${args.join(' ')} exited with ${code}:\n${err}`));
      else resolve({ peakMiB: Number(m[1]) / 1024, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

console.log(`CPU: ${cpus()[0]?.model.trim()} × ${cpus().length}; checkout ${checkout}${backend ? `; --backend ${backend}` : ''}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
const rows: { train: number; index: number }[] = [];
for (const n of kind === 'images' ? [images, images * factor] : [docs, docs * factor]) {
  let spec: string;
  let what: string;
  if (kind === 'images') {
    const folder = path.join(dir, `images-${n}`);
    await writeImageCollection(folder, { images: n, classes: 8, side });
    spec = `images:${folder}`;
    what = `${n} ${side}×${side} PNG images`;
  } else {
    const file = path.join(dir, `docs-${n}.jsonl`);
    await writeJsonlCollection(file, { docs: n, words, classes: 8 });
    spec = `text:${file}`;
    what = `${n} documents (${(statSync(file).size / 1e6).toFixed(1)} MB)`;
  }
  const run = path.join(dir, `run-${n}`);
  const t = await sadsl(['train', '--dataset', spec, '--epochs', '1', '--config', path.join(dir, 'config.json'), '--out', run]);
  const i = await sadsl(['index', '--model', run, '--ann', 'none', '--out', path.join(dir, `index-${n}`)]);
  rows.push({ train: t.peakMiB, index: i.peakMiB });
  console.log(`${what}: train peak RSS ${t.peakMiB.toFixed(0)} MiB (${t.seconds.toFixed(1)} s), index ${i.peakMiB.toFixed(0)} MiB (${i.seconds.toFixed(1)} s)`);
}
const [a, b] = rows;
console.log(`×${factor} objects: train peak RSS ×${(b.train / a.train).toFixed(2)}, index ×${(b.index / a.index).toFixed(2)} (bound ×1.5)`);
if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
