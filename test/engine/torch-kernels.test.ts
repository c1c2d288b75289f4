/**
 * Every kernel of the `torch` backend against the `cpu` backend: values and gradients on the shapes the
 * model uses (image encoder/G/D convolutions at 28×28, the 512×20,000 document layers, the embedding of
 * 20,001 rows, attention and topic products), with error ≤ 1e-5 relative to the largest reference
 * magnitude; integer and boolean results must be equal. A final test checks that every registered torch
 * kernel ran here, and prints the maximum error per kernel. Skipped, with the reason, without the addon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAM_UPDATE, FusedAdamOptimizer } from '../../src/engine/adam.js';
import { Rng } from '../../src/engine/random.js';
import * as tf from '../../src/engine/tf.js';
import { registerTorch } from '../../src/engine/torch/index.js';

const torch = registerTorch();
const TOL = 1e-5;
const rng = new Rng(11);

type DType = 'float32' | 'int32' | 'bool';
/** An input: shape, dtype and how its values are drawn. */
interface In {
  shape: number[];
  dtype?: DType;
  /** normal(0, scale) by default; 'positive' = |normal| + 0.1; 'unit' = uniform(−0.9, 0.9); [lo, hi) integers. */
  values?: 'positive' | 'unit' | [number, number] | number[];
  scale?: number;
  /** Differentiate with respect to this input (float32 inputs only). */
  grad?: boolean;
}

function draw(spec: In): Float32Array | Int32Array | Uint8Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const v = spec.values;
  if (Array.isArray(v) && v.length !== 2) return spec.dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v);
  if (spec.dtype === 'bool') return Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
  if (Array.isArray(v)) {
    const [lo, hi] = v;
    const ints = Array.from({ length: n }, () => lo + Math.floor(rng.next() * (hi - lo)));
    return spec.dtype === 'int32' ? Int32Array.from(ints) : Float32Array.from(ints);
  }
  if (spec.dtype === 'int32') return Int32Array.from({ length: n }, () => Math.floor(rng.next() * 20) - 10);
  const s = spec.scale ?? 1;
  if (v === 'positive') return Float32Array.from({ length: n }, () => Math.abs(rng.normal()) * s + 0.1);
  if (v === 'unit') return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * 0.9);
  return Float32Array.from({ length: n }, () => rng.normal() * s);
}

type Op = (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** Runs `f` (and, for inputs marked `grad`, the gradient of Σ w·f) on `backend`; returns every result's values. */
async function run(backend: string, specs: In[], data: ReturnType<typeof draw>[], f: Op, weights: Float32Array[] | null): Promise<{ values: Float32Array[]; kernels: string[]; exact: boolean[] }> {
  await tf.setBackend(backend);
  const info = await tf.profile(() =>
    tf.tidy(() => {
      const xs = specs.map((s, i) => tf.tensor(data[i], s.shape, s.dtype ?? 'float32'));
      const list = (y: tf.Tensor | tf.Tensor[]) => (Array.isArray(y) ? y : [y]);
      const ys = list(f(...xs));
      const gi = specs.map((s, i) => (s.grad ? i : -1)).filter((i) => i >= 0);
      if (gi.length === 0 || weights === null) return ys;
      const loss = (...gx: tf.Tensor[]) => {
        const all = xs.map((x, i) => (gi.includes(i) ? gx[gi.indexOf(i)] : x));
        const outs = list(f(...all));
        return tf.addN(outs.map((y, k) => tf.sum(tf.mul(y, tf.tensor(weights[k], y.shape))))) as tf.Scalar;
      };
      return [...ys, ...tf.grads(loss)(gi.map((i) => xs[i]))];
    }),
  );
  const outs = info.result as tf.Tensor[];
  const values = outs.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  const exact = outs.map((t) => t.dtype !== 'float32');
  tf.dispose(outs);
  return { values, kernels: info.kernelNames, exact };
}

const errors = new Map<string, number>();
const exercised = new Set<string>();

/** Max |torch − cpu| over one result, relative to its largest cpu magnitude. */
function relError(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(b[i]) && Number.isNaN(a[i])) continue;
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return Number.isNaN(err) ? Infinity : err / Math.max(scale, 1e-6);
}

/** Compares `f` on torch and cpu; records the error under `kernel`. */
async function check(kernel: string, specs: In[], f: Op): Promise<void> {
  const data = specs.map(draw);
  // forward once on cpu for the output shapes of the gradient weights
  await tf.setBackend('cpu');
  const shapes = tf.tidy(() => {
    const y = f(...specs.map((s, i) => tf.tensor(data[i], s.shape, s.dtype ?? 'float32')));
    return (Array.isArray(y) ? y : [y]).map((t) => t.shape);
  });
  const weights = specs.some((s) => s.grad) ? shapes.map((s) => draw({ shape: s }) as Float32Array) : null;
  const cpu = await run('cpu', specs, data, f, weights);
  const ours = await run('torch', specs, data, f, weights);
  for (const k of ours.kernels) exercised.add(k);
  expect(ours.values.map((v) => v.length)).toEqual(cpu.values.map((v) => v.length));
  let worst = 0;
  ours.values.forEach((v, i) => {
    if (cpu.exact[i]) expect(Array.from(v)).toEqual(Array.from(cpu.values[i]));
    else worst = Math.max(worst, relError(v, cpu.values[i]));
  });
  errors.set(kernel, Math.max(errors.get(kernel) ?? 0, worst));
  expect(worst).toBeLessThanOrEqual(TOL);
}

const f32 = (shape: number[], extra: Partial<In> = {}): In => ({ shape, grad: true, ...extra });
const int = (shape: number[], range: [number, number]): In => ({ shape, dtype: 'int32', values: range });
const conv = (x: tf.Tensor, w: tf.Tensor, stride: number, pad: number | 'same' | 'valid' | tf.backend_util.ExplicitPadding, dilation = 1) =>
  tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad, 'NHWC', dilation);
const run4 = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

type Case = [kernel: string, label: string, specs: In[], f: Op];

const UNARY: [string, (x: tf.Tensor) => tf.Tensor, In['values']?][] = [
  [tf.Neg, tf.neg], [tf.Abs, tf.abs], [tf.Exp, tf.exp], [tf.Log, tf.log, 'positive'], [tf.Log1p, tf.log1p, 'positive'],
  [tf.Sqrt, tf.sqrt, 'positive'], [tf.Rsqrt, tf.rsqrt, 'positive'], [tf.Square, tf.square], [tf.Relu, tf.relu],
  [tf.Relu6, (x) => tf.relu6(tf.mul(x, 4))], [tf.Sigmoid, tf.sigmoid], [tf.Tanh, tf.tanh], [tf.Softplus, (x) => tf.softplus(tf.mul(x, 8))],
  [tf.Sign, tf.sign], [tf.Floor, (x) => tf.floor(tf.mul(x, 3))], [tf.Ceil, (x) => tf.ceil(tf.mul(x, 3))], [tf.Round, (x) => tf.round(tf.mul(x, 3))],
  [tf.Sin, tf.sin], [tf.Cos, tf.cos], [tf.Erf, tf.erf], [tf.Reciprocal, tf.reciprocal, 'positive'], [tf.Expm1, tf.expm1],
  [tf.Step, (x) => tf.step(x, 0.2)], [tf.LeakyRelu, (x) => tf.leakyRelu(x, 0.2)], [tf.Elu, tf.elu], [tf.Selu, tf.selu],
  [tf.Atan, tf.atan], [tf.Asin, tf.asin, 'unit'], [tf.Acos, tf.acos, 'unit'], [tf.Tan, tf.tan, 'unit'], [tf.Sinh, tf.sinh], [tf.Cosh, tf.cosh],
];
const NO_GRAD = new Set<string>([tf.Sign, tf.Floor, tf.Ceil, tf.Round, tf.Step]);

const cases: Case[] = [
  ...UNARY.map(([k, op, values]): Case => [k, '[2, 14, 14, 64] (encoder activation)', [f32([2, 14, 14, 64], { values, grad: !NO_GRAD.has(k) })], op]),
  [tf.IsNan, 'with NaN', [f32([4, 5], { values: [0, NaN, 1, -Infinity, Infinity, 2, 3, NaN, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], grad: false })], tf.isNaN],
  [tf.IsInf, 'with ±∞', [f32([4, 5], { values: [0, NaN, 1, -Infinity, Infinity, 2, 3, NaN, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], grad: false })], tf.isInf],
  [tf.IsFinite, 'with NaN and ±∞', [f32([4, 5], { values: [0, NaN, 1, -Infinity, Infinity, 2, 3, NaN, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], grad: false })], tf.isFinite],
  [tf.LogicalNot, 'bool [8, 9]', [{ shape: [8, 9], dtype: 'bool' }], tf.logicalNot],
  // binary ops with the broadcasts the model uses (bias [C], per-row [N, 1], scalars)
  [tf.Add, '[8, 7, 7, 128] + bias [128]', [f32([8, 7, 7, 128]), f32([128])], tf.add],
  [tf.Add, 'int32 [6, 4] + [6, 1]', [int([6, 4], [-50, 50]), int([6, 1], [-50, 50])], tf.add],
  [tf.Sub, '[54, 1] − [54, 4]', [f32([54, 1]), f32([54, 4])], tf.sub],
  [tf.Multiply, '[16, 49, 128] · [16, 49, 1]', [f32([16, 49, 128]), f32([16, 49, 1])], tf.mul],
  [tf.RealDiv, '[32, 128] / [32, 1]', [f32([32, 128]), f32([32, 1], { values: 'positive' })], tf.div],
  [tf.FloorDiv, 'int32 [8, 9] // [8, 9]', [int([8, 9], [-40, 40]), int([8, 9], [1, 7])], tf.floorDiv],
  [tf.Pow, '[32, 16] ^ scalar 2.5', [f32([32, 16], { values: 'positive' }), f32([], { values: [2.5], grad: false })], tf.pow],
  [tf.Pow, 'positive base ^ exponent tensor', [f32([6, 7], { values: 'positive' }), f32([6, 7])], tf.pow],
  [tf.Maximum, '[49, 1] vs scalar', [f32([49, 1]), f32([], { values: [0.1], grad: false })], tf.maximum],
  [tf.Minimum, '[6, 4] vs [6, 4]', [f32([6, 4]), f32([6, 4])], tf.minimum],
  [tf.SquaredDifference, '[64, 128] vs [64, 128]', [f32([64, 128]), f32([64, 128])], tf.squaredDifference],
  [tf.Equal, 'float [64, 65] vs [64, 1] (ties)', [f32([64, 65], { values: [0, 3], grad: false }), f32([64, 1], { values: [0, 3], grad: false })], tf.equal],
  [tf.NotEqual, 'float [3, 32] vs scalar', [f32([3, 32], { values: [0, 3], grad: false }), f32([], { values: [1], grad: false })], tf.notEqual],
  [tf.Less, '[8, 9] vs [8, 9]', [f32([8, 9], { grad: false }), f32([8, 9], { grad: false })], tf.less],
  [tf.LessEqual, 'int32 [8, 9] vs [8, 9]', [int([8, 9], [0, 4]), int([8, 9], [0, 4])], tf.lessEqual],
  [tf.Greater, '[2, 14, 14, 64] vs scalar 0', [f32([2, 14, 14, 64], { grad: false }), f32([], { values: [0], grad: false })], tf.greater],
  [tf.GreaterEqual, '[784, 1] vs scalar', [f32([784, 1], { grad: false }), f32([], { values: [0.2], grad: false })], tf.greaterEqual],
  [tf.LogicalAnd, 'bool [8, 9]', [{ shape: [8, 9], dtype: 'bool' }, { shape: [8, 9], dtype: 'bool' }], tf.logicalAnd],
  [tf.LogicalOr, 'bool [8, 9]', [{ shape: [8, 9], dtype: 'bool' }, { shape: [8, 9], dtype: 'bool' }], tf.logicalOr],
  [tf.Atan2, '[8, 9]', [f32([8, 9]), f32([8, 9])], tf.atan2],
  [tf.Mod, 'float [8, 9] mod positive', [f32([8, 9], { scale: 5 }), f32([8, 9], { values: 'positive', grad: false })], tf.mod],
  [tf.Prelu, '[2, 14, 14, 64] with alpha [64]', [f32([2, 14, 14, 64]), f32([64], { values: 'positive' })], tf.prelu],
  [tf.EluGrad, 'through elu', [f32([8, 9])], tf.elu],
  // reductions over the model's axes
  [tf.Sum, '[8, 7, 7, 128] over [0, 1, 2]', [f32([8, 7, 7, 128])], (x) => tf.sum(x, [0, 1, 2])],
  [tf.Sum, 'int32 and bool', [int([6, 7], [-9, 9]), { shape: [6, 7], dtype: 'bool' }], (a, b) => [tf.sum(a, 1), tf.sum(b, 0, true)]],
  [tf.Mean, '[2, 14, 14, 64] over [0, 1, 2]', [f32([2, 14, 14, 64])], (x) => tf.mean(x, [0, 1, 2])],
  [tf.Mean, '[16, 50, 128] over −1, keepDims', [f32([16, 50, 128])], (x) => tf.mean(x, -1, true)],
  [tf.Max, '[4, 50, 8, 128] window max over 2', [f32([4, 50, 8, 128])], (x) => tf.max(x, 2)],
  [tf.Min, '[6, 7] over 1, keepDims', [f32([6, 7])], (x) => tf.min(x, 1, true)],
  [tf.Prod, '[6, 7] over 0', [f32([6, 7], { values: 'positive', grad: false })], (x) => tf.prod(x, 0)],
  [tf.All, 'bool [6, 7] over 1', [{ shape: [6, 7], dtype: 'bool' }], (x) => tf.all(x, 1)],
  [tf.Any, 'bool [6, 7] over 0', [{ shape: [6, 7], dtype: 'bool' }], (x) => tf.any(x, 0)],
  [tf.ArgMax, '[4, 50, 8, 128] over 2 (ties)', [f32([4, 50, 8, 128], { values: [0, 4], grad: false })], (x) => tf.argMax(x, 2)],
  [tf.ArgMin, '[3136, 32] over 1 (k-means)', [f32([3136, 32], { grad: false })], (x) => tf.argMin(x, 1)],
  // softmax and normalisation
  [tf.Softmax, 'attention [16, 49, 49]', [f32([16, 49, 49], { scale: 3 })], (x) => tf.softmax(x)],
  [tf.Softmax, 'topics [16, 49, 32]', [f32([16, 49, 32], { scale: 3 })], (x) => tf.softmax(x)],
  [tf.FusedBatchNorm, '[8, 7, 7, 128] with [128] statistics', [f32([8, 7, 7, 128]), f32([128]), f32([128], { values: 'positive' }), f32([128]), f32([128])],
    (x, m, v, o, s) => tf.batchNorm(x, m, v, o, s, 1e-5)],
  [tf.FusedBatchNorm, 'without offset/scale, broadcast [1, 1, 1, 8] statistics', [f32([4, 5, 6, 8], { grad: false }), f32([1, 1, 1, 8], { grad: false }), f32([1, 1, 1, 8], { values: 'positive', grad: false })],
    (x, m, v) => tf.batchNorm(x, m, v, undefined, undefined, 1e-3)],
  // products: Dense layers (documents: 512 × 20,000), attention, topics, k-means distances
  [tf.BatchMatMul, 'G fc2 [4, 512] · [512, 20000]', [f32([4, 512]), f32([512, 20000], { scale: 0.05 })], (a, b) => tf.matMul(a, b)],
  [tf.BatchMatMul, 'D fc1 [4, 20000] · [20000, 512]', [f32([4, 20000], { values: 'positive', scale: 0.01 }), f32([20000, 512], { scale: 0.01 })], (a, b) => tf.matMul(a, b)],
  [tf.BatchMatMul, 'attention [16, 49, 128] · [16, 49, 128]ᵀ', [f32([16, 49, 128]), f32([16, 49, 128])], (a, b) => tf.matMul(a, b, false, true)],
  [tf.BatchMatMul, 'aᵀ · b [54, 4]ᵀ · [54, 16]', [f32([54, 4]), f32([54, 16])], (a, b) => tf.matMul(a, b, true, false)],
  [tf.BatchMatMul, 'aᵀ · bᵀ, broadcast batch [2, 7, 5] · [1, 3, 7]', [f32([2, 7, 5], { grad: false }), f32([1, 3, 7], { grad: false })], (a, b) => tf.matMul(a, b, true, true)],
  [tf.BatchMatMul, 'a transposed view · b', [f32([64, 128]), f32([64, 32])], (a, b) => tf.matMul(tf.transpose(a), b)],
  [tf.BatchMatMul, 'int32 [5, 6] · [6, 3]', [int([5, 6], [-5, 5]), int([6, 3], [-5, 5])], (a, b) => tf.matMul(a, b)],
  [tf._FusedMatMul, 'bias + relu', [f32([16, 64]), f32([64, 32]), f32([32])], (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: 'relu' })],
  // convolutions of the image encoder (3×3 s1, 4×4 s2), the conv1d of the document encoder, odd pads
  [tf.Conv2D, 'encoder conv1 [2, 28, 28, 1] * [3, 3, 1, 32] pad 1', [f32([2, 28, 28, 1]), f32([3, 3, 1, 32], { scale: 0.3 })], (x, w) => conv(x, w, 1, 1)],
  [tf.Conv2D, 'encoder conv2 [2, 28, 28, 32] * [4, 4, 32, 64] s2 pad 1', [f32([2, 28, 28, 32]), f32([4, 4, 32, 64], { scale: 0.1 })], (x, w) => conv(x, w, 2, 1)],
  [tf.Conv2D, 'encoder conv3 [2, 14, 14, 64] * [4, 4, 64, 128] s2 pad 1', [f32([2, 14, 14, 64]), f32([4, 4, 64, 128], { scale: 0.05 })], (x, w) => conv(x, w, 2, 1)],
  [tf.Conv2D, "conv1d [2, 1, 100, 128] * [1, 5, 128, 128] 'same'", [f32([2, 100, 128]), f32([5, 128, 128], { scale: 0.05 })], (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same')],
  [tf.Conv2D, "asymmetric 'same' [2, 9, 10, 3] * [4, 4, 3, 5] s2", [f32([2, 9, 10, 3]), f32([4, 4, 3, 5])], (x, w) => conv(x, w, 2, 'same')],
  [tf.Conv2D, 'explicit pads, dilation 2', [f32([2, 11, 9, 3], { grad: false }), f32([3, 2, 3, 4], { grad: false })], (x, w) => conv(x, w, 1, [[0, 0], [2, 1], [0, 2], [0, 0]], 2)],
  [tf.FusedConv2D, 'bias + leakyrelu', [f32([4, 8, 8, 3]), f32([3, 3, 3, 6]), f32([6])],
    (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'leakyrelu', leakyreluAlpha: 0.2 })],
  // transposed convolutions of the image generator (Conv2DBackpropInput forward) at their real sizes
  [tf.Conv2DBackpropInput, 'G deconv1 [2, 7, 7, 128] → [2, 14, 14, 64]', [f32([2, 7, 7, 128]), f32([4, 4, 64, 128], { scale: 0.05 })],
    (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 14, 14, 64], 2, 1)],
  [tf.Conv2DBackpropInput, 'G deconv2 [2, 14, 14, 64] → [2, 28, 28, 1]', [f32([2, 14, 14, 64]), f32([4, 4, 1, 64], { scale: 0.05 })],
    (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 28, 28, 1], 2, 1)],
  [tf.Conv2DBackpropInput, "asymmetric 'same' (direct)", [f32([2, 5, 5, 5], { grad: false }), f32([4, 4, 3, 5], { grad: false })],
    (dy, w) => run4(tf.Conv2DBackpropInput, { dy, filter: w }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 10, 3] })],
  [tf.Conv2DBackpropFilter, "asymmetric 'same' (direct)", [f32([2, 9, 10, 3], { grad: false }), f32([2, 5, 5, 5], { grad: false })],
    (x, dy) => run4(tf.Conv2DBackpropFilter, { x, dy }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [4, 4, 3, 5] })],
  [tf.Conv2DBackpropFilter, 'encoder conv2 filter gradient (direct)', [f32([2, 28, 28, 32], { grad: false }), f32([2, 14, 14, 64], { grad: false })],
    (x, dy) => run4(tf.Conv2DBackpropFilter, { x, dy }, { strides: 2, pad: 1, dataFormat: 'NHWC', filterShape: [4, 4, 32, 64] })],
  [tf.MaxPool, '[4, 8, 8, 3] 2×2 s2', [f32([4, 8, 8, 3], { grad: false })], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')],
  [tf.AvgPool, '[4, 8, 8, 3] 2×2 s2', [f32([4, 8, 8, 3], { grad: false })], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')],
  // layout and indexing
  // the cpu backend's UnsortedSegmentSum loops over segments: gradients through the embedding use 301 rows
  [tf.GatherV2, 'embedding [20001, 128] rows of ids [4, 400]', [f32([20001, 128], { grad: false }), int([4, 400], [0, 20001])], (w, ids) => tf.gather(w, ids)],
  [tf.GatherV2, 'embedding gradient, [41, 128] rows of ids [4, 400]', [f32([41, 128]), int([4, 400], [0, 41])], (w, ids) => tf.gather(w, ids)],
  [tf.GatherV2, 'axis 1, batchDims 1', [f32([3, 5, 4], { grad: false }), int([3, 2], [0, 5])], (x, i) => tf.gather(x, i, 1, 1)],
  [tf.UnsortedSegmentSum, '[1600, 128] into 41 rows', [f32([1600, 128]), int([1600], [0, 41])], (x, ids) => tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 41)],
  [tf.OneHot, 'int32 ids [4, 50, 128] depth 8, and −1', [int([4, 50, 128], [-1, 8])], (i) => tf.oneHot(i, 8)],
  [tf.OneHot, 'float on/off', [int([13], [0, 4])], (i) => tf.oneHot(i, 4, 2.5, -1, 'float32')],
  [tf.Select, 'condition [6, 4]', [{ shape: [6, 4], dtype: 'bool' }, f32([6, 4]), f32([6, 4])], (c, a, b) => [tf.where(c, a, b), tf.where(c, b, a)]],
  [tf.Reshape, 'with −1', [f32([16, 49, 128])], (x) => tf.reshape(tf.mul(x, 2), [-1, 128])],
  [tf.ExpandDims, 'dim −1', [f32([8, 4])], (x) => tf.expandDims(tf.mul(x, 2), -1)],
  [tf.Identity, 'clone', [f32([8, 4])], (x) => tf.clone(x)],
  [tf.Cast, 'float → int32 → bool → float', [f32([8, 9], { scale: 4, grad: false })], (x) => [tf.cast(x, 'int32'), tf.cast(tf.cast(x, 'bool'), 'float32')]],
  [tf.Transpose, 'int32 [4, 50, 128, 8] perm [0, 1, 3, 2]', [int([4, 50, 128, 8], [0, 9])], (x) => tf.transpose(x, [0, 1, 3, 2])],
  [tf.Transpose, 'float [6, 5, 4] then math', [f32([6, 5, 4])], (x) => tf.exp(tf.transpose(x, [2, 0, 1]))],
  [tf.Slice, 'rows of [50, 28, 28, 1]', [f32([50, 28, 28, 1])], (x) => tf.slice(x, [3], [20])],
  [tf.Slice, 'inner window', [f32([6, 12, 12, 3])], (x) => tf.slice(x, [1, 2, 3, 0], [2, 5, -1, 2])],
  [tf.StridedSlice, 'steps, negative strides, masks', [f32([7, 8, 9], { grad: false })], (x) => [
    tf.stridedSlice(x, [1, 0, 8], [6, 8, 0], [2, 3, -2]),
    tf.stridedSlice(x, [0, 1], [0, 2], [1, 1], 1, 1, 0, 0, 2),
  ]],
  [tf.Concat, '[8, 16] ‖ [8, 4] on 1', [f32([8, 16]), f32([8, 4])], (a, b) => tf.concat([a, b], 1)],
  [tf.Pack, 'six scalars', [f32([6])], (x) => tf.stack(tf.unstack(x), 0)],
  [tf.Unpack, '[4, 3, 2] on 1', [f32([4, 3, 2])], (x) => tf.unstack(x, 1)],
  [tf.SplitV, '[8, 20] into 16 + 4', [f32([8, 20])], (x) => tf.split(x, [16, 4], 1)],
  [tf.PadV2, '[4, 50, 128] + 6 rows', [f32([4, 50, 128])], (x) => tf.pad(x, [[0, 0], [0, 6], [0, 0]], 0)],
  [tf.PadV2, 'constant 1.5', [f32([3, 4])], (x) => tf.pad(x, [[1, 2], [0, 3]], 1.5)],
  [tf.Tile, 'bool [4, 1] × [1, 16], float [1, 16] × [6, 1]', [{ shape: [4, 1], dtype: 'bool' }, f32([1, 16])], (b, x) => [tf.tile(b, [1, 16]), tf.tile(x, [6, 1])]],
  [tf.Reverse, 'axes [0, 2]', [f32([3, 4, 5])], (x) => tf.reverse(x, [0, 2])],
  [tf.ClipByValue, '[-1, 1]', [f32([8, 9])], (x) => tf.clipByValue(x, -1, 1)],
  [tf.Fill, 'float and int', [], () => [tf.fill([2, 3], 3.5), tf.fill([4], 7, 'int32')]],
  [tf.ZerosLike, '[8, 4]', [f32([8, 4], { grad: false })], (x) => tf.zerosLike(x)],
  [tf.OnesLike, 'int32 [8, 4]', [int([8, 4], [0, 3])], (x) => tf.onesLike(x)],
  [tf.Range, 'float, int, decreasing, empty', [], () => [tf.range(0, 4), tf.range(1, 10, 3, 'int32'), tf.range(5, 0, -2), tf.range(3, 3)]],
  [tf.LinSpace, '0 → 1 in 7', [], () => tf.linspace(0, 1, 7)],
  [tf.AddN, 'four [17]', [f32([17]), f32([17]), f32([17]), f32([17])], (a, b, c, d) => tf.addN([a, b, c, d])],
  [tf.TopK, 'k 10 of [8, 500]', [f32([8, 500], { grad: false })], (x) => { const r = tf.topk(x, 10); return [r.values, r.indices]; }],
  [tf.Cumsum, 'exclusive, reverse, int32', [f32([6, 7]), int([6, 7], [-5, 5])], (x, i) => [tf.cumsum(x, 1), tf.cumsum(x, 1, true, true), tf.cumsum(i, 0)]],
  // in place: two steps of the fused Adam (tfjs's own Adam ops on cpu); test/engine/adam.test.ts checks it bit for bit
  [ADAM_UPDATE, 'two steps on [5, 7]', [f32([5, 7], { grad: false }), f32([5, 7], { grad: false }), f32([5, 7], { grad: false })], (w0, g1, g2) => {
    const w = tf.variable(w0);
    const opt = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8);
    for (const g of [g1, g2]) opt.applyGradients([{ name: w.name, tensor: g }]);
    const out = tf.mul(w, 1);
    opt.dispose();
    w.dispose();
    return out;
  }],
];

describe.skipIf(!torch.ok)(`torch kernels match cpu${torch.ok ? '' : ` (skipped: ${torch.reason})`}`, () => {
  beforeAll(async () => {
    // the model's Adam steps and losses run through the same kernels; cpu is the reference
    await tf.setBackend('cpu');
  });

  for (const [kernel, label, specs, f] of cases) {
    it(`${kernel}: ${label}`, async () => {
      await check(kernel, specs, f);
    });
  }

  it('every registered torch kernel ran in these comparisons', () => {
    const registered = tf.getKernelsForBackend('torch').map((k) => k.kernelName);
    expect(registered.filter((k) => !exercised.has(k))).toEqual([]);
  });

  afterAll(() => {
    const rows = [...errors].sort((a, b) => b[1] - a[1]).map(([k, e]) => `${k} ${e.toExponential(2)}`);
    console.log(`max relative error per torch kernel (vs cpu):\n  ${rows.join('\n  ')}`);
  });
});
