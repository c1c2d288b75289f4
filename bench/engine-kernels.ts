/**
 * Micro-benchmark of this project's wasm training kernels (src/engine/kernels): one forward + backward
 * pass of the image encoder's conv stack (docs/model.md §1.1: 28×28×1 → conv3×3 s1 32 → conv4×4 s2 64 → conv4×4 s2
 * 128, BatchNorm + LeakyReLU) and the image generator's deconvs (docs/model.md §4: deconv4×4 s2 128→64→1) at batch 64,
 * plus each replaced kernel against the stock one. Usage: `npx tsx bench/engine-kernels.ts [reps] [--cpu]`
 * (`--cpu` adds the cpu backend's time for the same pass: slow, minutes).
 */
import { initEngine } from '../src/engine/backend.js';
import { Rng } from '../src/engine/random.js';
import * as tf from '../src/engine/tf.js';

const reps = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 3);
const rng = new Rng(1);
const normal = (shape: number[], std = 0.1): tf.Tensor => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal() * std), shape);

function layers() {
  const w = (shape: number[]) => tf.variable(normal(shape));
  return { c1: w([3, 3, 1, 32]), c2: w([4, 4, 32, 64]), c3: w([4, 4, 64, 128]), d1: w([4, 4, 64, 128]), d2: w([4, 4, 1, 64]) };
}

/** Training-mode BatchNorm; scale and offset must be tensors (tfjs cannot save `undefined` for the tape). */
function batchNorm(x: tf.Tensor4D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const c = x.shape[3];
  return tf.batchNorm(x, mean, variance, tf.zeros([c]), tf.ones([c]), 1e-5) as tf.Tensor4D;
}

function loss(x: tf.Tensor4D, v: ReturnType<typeof layers>): tf.Scalar {
  const p = [[0, 0], [1, 1], [1, 1], [0, 0]] as tf.backend_util.ExplicitPadding;
  let h = tf.leakyRelu(tf.conv2d(x, v.c1 as tf.Tensor4D, 1, p), 0.2); // [B, 28, 28, 32]
  h = tf.leakyRelu(batchNorm(tf.conv2d(h, v.c2 as tf.Tensor4D, 2, p)), 0.2); // [B, 14, 14, 64]
  h = tf.leakyRelu(batchNorm(tf.conv2d(h, v.c3 as tf.Tensor4D, 2, p)), 0.2); // [B, 7, 7, 128]
  const b = x.shape[0];
  let g = tf.relu(batchNorm(tf.conv2dTranspose(h, v.d1 as tf.Tensor4D, [b, 14, 14, 64], 2, 'same'))); // [B, 14, 14, 64]
  g = tf.tanh(tf.conv2dTranspose(g, v.d2 as tf.Tensor4D, [b, 28, 28, 1], 2, 'same')); // [B, 28, 28, 1]
  return tf.mean(tf.square(tf.sub(g, x)));
}

async function timeMs(f: () => void): Promise<number> {
  f(); // warm-up (XNNPACK operator creation, heap growth)
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  return (performance.now() - t0) / reps;
}

async function step(backend: string): Promise<string> {
  await initEngine({ backend });
  const v = layers();
  const x = normal([64, 28, 28, 1], 1) as tf.Tensor4D;
  const vars = Object.values(v);
  try {
    const ms = await timeMs(() => {
      const { value, grads } = tf.variableGrads(() => loss(x, v), vars);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    });
    return `${ms.toFixed(0)} ms`;
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    tf.dispose([x, ...vars]);
  }
}

/** Times kernel `name` on wasm with `inputs` as registered now (ours or stock). */
async function kernelMs(name: string, inputs: () => tf.NamedTensorMap, attrs: tf.NamedAttrMap): Promise<number> {
  const ins = inputs();
  const ms = await timeMs(() => {
    const out = tf.engine().runKernel(name, ins, attrs) as tf.Tensor;
    out.dataSync();
    out.dispose();
  });
  tf.dispose(Object.values(ins));
  return ms;
}

/** Puts back the stock configs saved before `initEngine` registered ours (kernels stock lacks stay ours). */
function restoreStock(saved: Map<string, tf.KernelConfig | undefined>): void {
  for (const config of saved.values()) {
    if (config === undefined) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}

const p1 = [[0, 0], [1, 1], [1, 1], [0, 0]];
const kernelCases: [string, () => tf.NamedTensorMap, tf.NamedAttrMap][] = [
  [
    'Conv2DBackpropInput deconv 7→14 128→64',
    () => ({ dy: normal([64, 7, 7, 128]), filter: normal([4, 4, 64, 128]) }),
    { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [64, 14, 14, 64] },
  ],
  [
    'Conv2DBackpropInput conv3×3 s1 (28×28 32)',
    () => ({ dy: normal([64, 28, 28, 32]), filter: normal([3, 3, 1, 32]) }),
    { strides: 1, pad: p1, dataFormat: 'NHWC', inputShape: [64, 28, 28, 1] },
  ],
  [
    'Conv2DBackpropFilter conv4×4 s2 64→128',
    () => ({ x: normal([64, 14, 14, 64]), dy: normal([64, 7, 7, 128]) }),
    { strides: 2, pad: p1, dataFormat: 'NHWC', filterShape: [4, 4, 64, 128] },
  ],
  ['Tile [1,1,1,64] → [64,14,14,64] (BatchNorm grad)', () => ({ x: normal([1, 1, 1, 64]) }), { reps: [64, 14, 14, 1] }],
  [
    'BatchMatMul transposeA [64,6272]ᵀ·[64,256]',
    () => ({ a: normal([1, 64, 6272]), b: normal([1, 64, 256]) }),
    { transposeA: true, transposeB: false },
  ],
  [
    'BatchMatMul transposeB [64,256]·[6272,256]ᵀ',
    () => ({ a: normal([1, 64, 256]), b: normal([1, 6272, 256]) }),
    { transposeA: false, transposeB: true },
  ],
];

const kernelNames = kernelCases.map(([label, inputs, attrs]) => ({ label, inputs, attrs, name: label.split(' ')[0] }));
// The wasm backend's own configs, before initEngine registers this project's kernels over them.
await tf.setBackend('wasm');
const stockConfigs = new Map(kernelNames.map(({ name }) => [name, tf.getKernel(name, 'wasm')]));
console.log(`fwd+bwd, batch 64 (mean of ${reps}):`);
if (process.argv.includes('--cpu')) console.log(`  cpu:                  ${await step('cpu')}`);
console.log(`  wasm + our kernels:   ${await step('wasm')}`);
const ours: number[] = [];
for (const k of kernelNames) ours.push(await kernelMs(k.name, k.inputs, k.attrs));
restoreStock(stockConfigs);
console.log(`  wasm stock kernels:   ${await step('wasm')} (with our Conv2DBackpropFilter, which stock lacks)`);
console.log('kernel: stock → ours (ms)');
for (const [i, k] of kernelNames.entries()) {
  const stock = stockConfigs.get(k.name) ? (await kernelMs(k.name, k.inputs, k.attrs)).toFixed(1) : 'missing';
  console.log(`  ${k.label}: ${stock} → ${ours[i].toFixed(1)}`);
}
