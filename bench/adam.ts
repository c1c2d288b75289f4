/**
 * The Adam update alone on the torch backend: tfjs's AdamOptimizer (its element-wise kernels) against
 * FusedAdamOptimizer (one AdamUpdate kernel per weight, src/engine/adam.ts) on weights shaped like the document
 * generator/discriminator (10.5M floats). Prints CPU and wall ms per step after one step that creates the moments;
 * CPU time is the figure that compares on a loaded machine.
 *   npx tsx bench/adam.ts [--steps N]
 */
import os from 'node:os';
import { Command } from 'commander';
import { FusedAdamOptimizer } from '../src/engine/adam.js';
import * as tf from '../src/engine/tf.js';
import { registerTorch } from '../src/engine/torch/index.js';

const opts = new Command().option('--steps <n>', 'timed steps', (v) => Number.parseInt(v, 10), 5).parse().opts<{ steps: number }>();
const torch = registerTorch();
if (!torch.ok) throw new Error(`bench/adam needs the torch backend: ${torch.reason}`);
await tf.setBackend('torch');
console.log(`cpu="${os.cpus()[0]?.model ?? 'unknown'}" cores=${os.cpus().length} load_1m=${os.loadavg()[0].toFixed(2)}`);

const SHAPES = [[20000, 256], [256, 20000], [512, 512], [20000], [256]];
const ws = tf.tidy(() => SHAPES.map((s) => tf.variable(tf.randomNormal(s))));
const grads = tf.tidy(() => ws.map((w) => ({ name: w.name, tensor: tf.keep(tf.randomNormal(w.shape)) })));
console.log(`weights=${ws.reduce((a, w) => a + w.size, 0)} steps=${opts.steps}`);
for (const [name, opt] of [
  ['tf.train.adam', tf.train.adam(1e-3, 0.9, 0.999, 1e-8)],
  ['FusedAdamOptimizer', new FusedAdamOptimizer(1e-3, 0.9, 0.999, 1e-8)],
] as const) {
  opt.applyGradients(grads);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < opts.steps; i++) opt.applyGradients(grads);
  const c = process.cpuUsage(cpu);
  console.log(`${name.padEnd(18)} cpu_ms_per_step=${((c.user + c.system) / 1000 / opts.steps).toFixed(1)} wall_ms_per_step=${((performance.now() - t0) / opts.steps).toFixed(1)}`);
  opt.dispose();
}
console.log(`load_1m=${os.loadavg()[0].toFixed(2)} at the end`);
