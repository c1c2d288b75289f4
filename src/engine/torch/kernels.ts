/**
 * The `torch` backend's kernels: each maps one TensorFlow.js kernel onto ATen ops in the addon (in the
 * spirit of tfjs-node, which maps kernels onto TensorFlow ops). Attribute parsing follows tfjs's cpu
 * kernels; layouts stay tfjs's (NHWC data, HWIO filters; the addon views them as channels-last NCHW).
 * The op codes are the enums of native/src/*.cc.
 */
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../adam.js';
import * as tf from '../tf.js';
import type { TorchBackend } from './backend.js';
import { dtypeCode } from './backend.js';

/** Optional inputs (bias, offset…) are absent from `inputs`. */
type Inputs = Record<string, tf.TensorInfo>;
type Args = { inputs: Inputs; backend: TorchBackend; attrs: Record<string, unknown> };
type Kernel = (args: Args) => tf.TensorInfo | tf.TensorInfo[];

/** Kernel names in the order of the addon's `Unary` enum (native/src/elementwise.cc). */
const UNARY = [
  tf.Neg, tf.Abs, tf.Exp, tf.Log, tf.Log1p, tf.Sqrt, tf.Rsqrt, tf.Square, tf.Relu, tf.Relu6, tf.Sigmoid, tf.Tanh,
  tf.Softplus, tf.Sign, tf.Floor, tf.Ceil, tf.Round, tf.Sin, tf.Cos, tf.Erf, tf.Reciprocal, tf.IsNan, tf.IsInf,
  tf.LogicalNot, tf.Expm1, tf.Step, tf.LeakyRelu, tf.Elu, tf.Selu, tf.Atan, tf.Asin, tf.Acos, tf.Tan, tf.Sinh,
  tf.Cosh, tf.IsFinite,
];
/** Kernel names in the order of the addon's `Binary` enum; inputs are {a, b} unless named here. */
const BINARY = [
  tf.Add, tf.Sub, tf.Multiply, tf.RealDiv, tf.FloorDiv, tf.Pow, tf.Maximum, tf.Minimum, tf.SquaredDifference,
  tf.Equal, tf.NotEqual, tf.Less, tf.LessEqual, tf.Greater, tf.GreaterEqual, tf.LogicalAnd, tf.LogicalOr,
  tf.Atan2, tf.Mod, tf.Prelu, tf.EluGrad,
];
const BINARY_INPUTS: Record<string, [string, string]> = { [tf.Prelu]: ['x', 'alpha'], [tf.EluGrad]: ['dy', 'y'] };
const UNARY_ALPHA = new Set<string>([tf.Step, tf.LeakyRelu]);
const U = Object.fromEntries(UNARY.map((n, i) => [n, i])) as Record<string, number>;
const B = Object.fromEntries(BINARY.map((n, i) => [n, i])) as Record<string, number>;
/** The addon's `Reduce` enum. */
const REDUCE = { Sum: 0, Mean: 1, Max: 2, Min: 3, Prod: 4, All: 5, Any: 6 } as const;

const list = (inputs: Inputs): tf.TensorInfo[] => Object.values(inputs);

function axes(value: unknown, shape: number[]): number[] {
  return tf.util.parseAxisParam(value as number | number[], shape);
}

/** The addon's convolution geometry arguments of a tfjs Conv2DInfo. */
function geometry(c: tf.backend_util.Conv2DInfo): number[] {
  const p = c.padInfo;
  return [c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, p.top, p.bottom, p.left, p.right];
}

function channelsLast(kernel: string, dataFormat: unknown): 'channelsLast' {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`${kernel}: dataFormat '${String(dataFormat)}' is not supported on torch`);
  return 'channelsLast';
}

/** Applies a fused activation (tfjs `_FusedMatMul`/`FusedConv2D`) to native tensor `id` (freed when replaced). */
function activate(b: TorchBackend, id: number, activation: unknown, alpha: unknown, prelu: tf.TensorInfo | undefined): void {
  const a = b.addon;
  switch (activation ?? 'linear') {
    case 'linear':
      return;
    case 'relu': a.unary(U[tf.Relu], id); break;
    case 'relu6': a.unary(U[tf.Relu6], id); break;
    case 'elu': a.unary(U[tf.Elu], id); break;
    case 'sigmoid': a.unary(U[tf.Sigmoid], id); break;
    case 'leakyrelu': a.unary(U[tf.LeakyRelu], id, (alpha as number | undefined) ?? 0.2); break;
    case 'prelu': a.binary(B[tf.Prelu], id, b.id(prelu!)); break;
    default: throw new Error(`torch backend: activation '${String(activation)}' is not supported`);
  }
  a.free(id);
}

/** Adds the optional fused bias and activation to the last result. */
function fused(b: TorchBackend, bias: tf.TensorInfo | undefined, attrs: Record<string, unknown>, prelu: tf.TensorInfo | undefined): tf.TensorInfo {
  let id = b.lastId();
  if (bias) {
    b.addon.binary(B[tf.Add], id, b.id(bias));
    b.addon.free(id);
    id = b.lastId();
  }
  activate(b, id, attrs.activation, attrs.leakyreluAlpha, prelu);
  return b.output();
}

function fillRange(start: number, step: number, values: Float32Array | Int32Array): void {
  if (values.length === 0) return;
  values[0] = start;
  for (let i = 1; i < values.length; i++) values[i] = values[i - 1] + step;
}

const kernels: Record<string, Kernel> = {};

UNARY.forEach((name, code) => {
  kernels[name] = UNARY_ALPHA.has(name)
    ? ({ inputs, backend, attrs }) => (backend.addon.unary(code, backend.id(inputs.x), (attrs.alpha as number) ?? 0), backend.output())
    : ({ inputs, backend }) => (backend.addon.unary(code, backend.id(inputs.x)), backend.output());
});
BINARY.forEach((name, code) => {
  const [a, b] = BINARY_INPUTS[name] ?? ['a', 'b'];
  kernels[name] = ({ inputs, backend }) => (backend.addon.binary(code, backend.id(inputs[a]), backend.id(inputs[b])), backend.output());
});
for (const [name, code] of Object.entries(REDUCE)) {
  const axisAttr = name === 'Max' ? 'reductionIndices' : 'axis';
  kernels[name] = ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    backend.addon.reduce(code, backend.id(x), axes(attrs[axisAttr], x.shape), Boolean(attrs.keepDims));
    return backend.output();
  };
}

Object.assign(kernels, {
  [tf.Identity]: ({ inputs, backend }) => (backend.addon.alias(backend.id(inputs.x)), backend.output()),
  [tf.Cast]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    if (attrs.dtype === x.dtype) backend.addon.alias(backend.id(x));
    else backend.addon.cast(backend.id(x), dtypeCode(attrs.dtype as tf.DataType));
    return backend.output();
  },
  [tf.Reshape]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const shape = tf.util.inferFromImplicitShape(attrs.shape as number[], tf.util.sizeFromShape(x.shape));
    backend.addon.reshape(backend.id(x), shape);
    return backend.output();
  },
  [tf.ExpandDims]: ({ inputs, backend, attrs }) => {
    const x = inputs.input;
    const shape = x.shape.slice();
    let dim = attrs.dim as number;
    if (dim < 0) dim += x.shape.length + 1;
    shape.splice(dim, 0, 1);
    backend.addon.reshape(backend.id(x), shape);
    return backend.output();
  },
  [tf.Transpose]: ({ inputs, backend, attrs }) => (backend.addon.transpose(backend.id(inputs.x), attrs.perm as number[]), backend.output()),
  [tf.Slice]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
    backend.addon.slice(backend.id(x), begin, size);
    return backend.output();
  },
  [tf.StridedSlice]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const a = attrs as unknown as tf.StridedSliceAttrs;
    const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
    backend.addon.stridedSlice(backend.id(x), info.begin, info.end, info.strides, info.finalShape);
    return backend.output();
  },
  [tf.Concat]: ({ inputs, backend, attrs }) => {
    const xs = list(inputs);
    const axis = axes(attrs.axis, xs[0].shape)[0];
    const nonEmpty = xs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    backend.addon.concat((nonEmpty.length > 0 ? nonEmpty : xs.slice(0, 1)).map((t) => backend.id(t)), axis);
    return backend.output();
  },
  [tf.Pack]: ({ inputs, backend, attrs }) => {
    const xs = list(inputs);
    let axis = attrs.axis as number;
    if (axis < 0) axis += xs[0].shape.length + 1;
    backend.addon.stack(xs.map((t) => backend.id(t)), axis);
    return backend.output();
  },
  [tf.Unpack]: ({ inputs, backend, attrs }) => {
    const x = inputs.value;
    backend.addon.unstack(backend.id(x), axes(attrs.axis, x.shape)[0]);
    return backend.outputs();
  },
  [tf.SplitV]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const axis = axes(attrs.axis, x.shape)[0];
    backend.addon.split(backend.id(x), tf.backend_util.prepareSplitSize(x, attrs.numOrSizeSplits as number[] | number, axis), axis);
    return backend.outputs();
  },
  [tf.PadV2]: ({ inputs, backend, attrs }) => {
    backend.addon.pad(backend.id(inputs.x), (attrs.paddings as [number, number][]).flat(), attrs.constantValue as number);
    return backend.output();
  },
  [tf.Tile]: ({ inputs, backend, attrs }) => (backend.addon.tile(backend.id(inputs.x), attrs.reps as number[]), backend.output()),
  [tf.Reverse]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    backend.addon.reverse(backend.id(x), axes(attrs.dims, x.shape));
    return backend.output();
  },
  [tf.GatherV2]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const axis = axes(attrs.axis, x.shape)[0];
    backend.addon.gather(backend.id(x), backend.id(inputs.indices), axis, (attrs.batchDims as number) ?? 0);
    return backend.output();
  },
  [tf.UnsortedSegmentSum]: ({ inputs, backend, attrs }) => {
    backend.addon.segmentSum(backend.id(inputs.x), backend.id(inputs.segmentIds), attrs.numSegments as number);
    return backend.output();
  },
  [tf.OneHot]: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as tf.OneHotAttrs;
    backend.addon.oneHot(backend.id(inputs.indices), a.depth, a.onValue, a.offValue, dtypeCode(a.dtype ?? 'int32'));
    return backend.output();
  },
  // tfjs's where op broadcasts the three inputs to one shape before the kernel
  [tf.Select]: ({ inputs, backend }) => (backend.addon.select(backend.id(inputs.condition), backend.id(inputs.t), backend.id(inputs.e)), backend.output()),
  [tf.ClipByValue]: ({ inputs, backend, attrs }) => {
    backend.addon.clip(backend.id(inputs.x), attrs.clipValueMin as number, attrs.clipValueMax as number);
    return backend.output();
  },
  [tf.Softmax]: ({ inputs, backend, attrs }) => (backend.addon.softmax(backend.id(inputs.logits), attrs.dim as number), backend.output()),
  [tf.Fill]: ({ backend, attrs }) => {
    if (typeof attrs.value !== 'number') throw new Error('torch backend: Fill supports numbers only');
    backend.addon.fill(attrs.shape as number[], attrs.value, dtypeCode((attrs.dtype as tf.DataType) ?? 'float32'));
    return backend.output();
  },
  [tf.ZerosLike]: ({ inputs, backend }) => (backend.addon.fillLike(backend.id(inputs.x), 0), backend.output()),
  [tf.OnesLike]: ({ inputs, backend }) => (backend.addon.fillLike(backend.id(inputs.x), 1), backend.output()),
  [tf.Range]: ({ backend, attrs }) => {
    const { start, stop, dtype } = attrs as unknown as tf.RangeAttrs;
    let step = (attrs as unknown as tf.RangeAttrs).step;
    // tfjs's rangeImpl: empty when the step points away from stop
    const empty = start === stop || (start < stop && step < 0) || (stop < start && step > 1);
    const n = empty ? 0 : Math.abs(Math.ceil((stop - start) / step));
    if (stop < start && step === 1) step = -1;
    const values = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    fillRange(start, step, values);
    return { dataId: backend.write(values, [n], dtype), shape: [n], dtype };
  },
  [tf.LinSpace]: ({ backend, attrs }) => {
    const { start, stop, num } = attrs as unknown as tf.LinSpaceAttrs;
    const values = new Float32Array(num);
    const step = num > 1 ? (stop - start) / (num - 1) : 0;
    fillRange(start, step, values);
    return { dataId: backend.write(values, [num], 'float32'), shape: [num], dtype: 'float32' };
  },
  [tf.AddN]: ({ inputs, backend }) => (backend.addon.addN(list(inputs).map((t) => backend.id(t))), backend.output()),
  [tf.ArgMax]: ({ inputs, backend, attrs }) => (backend.addon.argReduce(true, backend.id(inputs.x), axes(attrs.axis, inputs.x.shape)[0]), backend.output()),
  [tf.ArgMin]: ({ inputs, backend, attrs }) => (backend.addon.argReduce(false, backend.id(inputs.x), axes(attrs.axis, inputs.x.shape)[0]), backend.output()),
  [tf.TopK]: ({ inputs, backend, attrs }) => (backend.addon.topk(backend.id(inputs.x), attrs.k as number, attrs.sorted !== false), backend.outputs()),
  [tf.Cumsum]: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    backend.addon.cumsum(backend.id(x), axes(attrs.axis, x.shape)[0], Boolean(attrs.exclusive), Boolean(attrs.reverse));
    return backend.output();
  },
  [tf.FusedBatchNorm]: ({ inputs, backend, attrs }) => {
    const { x, mean, variance, offset, scale } = inputs;
    const eps = (attrs.varianceEpsilon as number) ?? 0.001;
    backend.addon.batchNorm(backend.id(x), backend.id(mean), backend.id(variance), offset && backend.id(offset), scale && backend.id(scale), eps);
    return backend.output();
  },
  [tf.BatchMatMul]: ({ inputs, backend, attrs }) => {
    backend.addon.matmul(backend.id(inputs.a), backend.id(inputs.b), Boolean(attrs.transposeA), Boolean(attrs.transposeB));
    return backend.output();
  },
  [tf._FusedMatMul]: ({ inputs, backend, attrs }) => {
    backend.addon.matmul(backend.id(inputs.a), backend.id(inputs.b), Boolean(attrs.transposeA), Boolean(attrs.transposeB));
    return fused(backend, inputs.bias, attrs, inputs.preluActivationWeights);
  },
  [tf.Conv2D]: ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs;
    const a = attrs as unknown as tf.Conv2DAttrs;
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, channelsLast(tf.Conv2D, a.dataFormat));
    backend.addon.conv2d(backend.id(x), backend.id(filter), ...geometry(info));
    return backend.output();
  },
  [tf.FusedConv2D]: ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs;
    const a = attrs as unknown as tf.FusedConv2DAttrs;
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, channelsLast(tf.FusedConv2D, a.dataFormat));
    backend.addon.conv2d(backend.id(x), backend.id(filter), ...geometry(info));
    return fused(backend, inputs.bias, attrs, inputs.preluActivationWeights);
  },
  [tf.Conv2DBackpropInput]: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, channelsLast(tf.Conv2DBackpropInput, a.dataFormat));
    backend.addon.conv2dBackpropInput(backend.id(dy), backend.id(filter), a.inputShape, ...geometry(info));
    return backend.output();
  },
  [tf.Conv2DBackpropFilter]: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, channelsLast(tf.Conv2DBackpropFilter, a.dataFormat));
    backend.addon.conv2dBackpropFilter(backend.id(x), backend.id(dy), a.filterShape, ...geometry(info));
    return backend.output();
  },
  [tf.MaxPool]: pool(true),
  [tf.AvgPool]: pool(false),
  // in place, no outputs (src/engine/adam.ts)
  [ADAM_UPDATE]: ({ inputs, backend, attrs }) => {
    const { w, m, v, g } = inputs;
    const c = attrs as AdamUpdateAttrs;
    const id = (t: tf.TensorInfo) => backend.id(t);
    backend.addon.adam(id(w), id(m), id(v), id(g), c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.oneMinusBeta1Power, c.oneMinusBeta2Power, c.epsilon, c.negLr);
    return [];
  },
} satisfies Record<string, Kernel>);

type Shape4 = [number, number, number, number];

function pool(isMax: boolean): Kernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const a = attrs as unknown as tf.MaxPoolAttrs;
    const info = tf.backend_util.computePool2DInfo(x.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    backend.addon.pool(isMax, backend.id(x), info.filterHeight, info.filterWidth, ...geometry(info));
    return backend.output();
  };
}

/** Registers every kernel for `backendName` (once); returns their names. */
export function registerTorchKernels(backendName: string): string[] {
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, backendName) === undefined) tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  return Object.keys(kernels);
}
