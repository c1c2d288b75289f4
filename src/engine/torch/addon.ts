/**
 * The native libtorch addon (`native/`, built by `npm ci` when libtorch is installed): its functions and
 * how to load it. Every kernel function stores its results in the addon's tensor table and writes their ids,
 * dtypes and shapes to a shared Int32Array (see `TorchBackend.outputs`); nothing is returned.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Native tensor ids. */
type Id = number;
type Ids = number[];
type Ints = number[] | Int32Array;
export type Values = Float32Array | Int32Array | Uint8Array;

export interface TorchAddon {
  setShapeBuffer(buffer: Int32Array): void;
  write(values: Values, shape: Ints, dtype: number): void;
  read(id: Id, out: Values): void;
  free(id: Id): void;
  alias(id: Id): void;
  /** [live tensor ids, live ATen CPU allocations, their bytes] */
  stats(): [number, number, number];
  setThreads(n: number): void;
  info(): { threads: number; mkldnn: boolean; dnnlSgemm: boolean; config: string };
  unary(code: number, x: Id, alpha?: number): void;
  binary(code: number, a: Id, b: Id): void;
  cast(x: Id, dtype: number): void;
  select(cond: Id, a: Id, b: Id): void;
  clip(x: Id, min: number, max: number): void;
  softmax(x: Id, dim: number): void;
  logSoftmax(x: Id, dim: number): void;
  fill(shape: Ints, value: number, dtype: number): void;
  fillLike(x: Id, value: number): void;
  addN(xs: Ids): void;
  oneHot(indices: Id, depth: number, on: number, off: number, dtype: number): void;
  reduce(code: number, x: Id, axes: Ints, keepDims: boolean): void;
  argReduce(isMax: boolean, x: Id, axis: number): void;
  batchNorm(x: Id, mean: Id, variance: Id, offset: Id | undefined, scale: Id | undefined, eps: number): void;
  reshape(x: Id, shape: Ints): void;
  transpose(x: Id, perm: Ints): void;
  slice(x: Id, begin: Ints, size: Ints): void;
  stridedSlice(x: Id, begin: Ints, end: Ints, strides: Ints, finalShape: Ints): void;
  concat(xs: Ids, axis: number): void;
  stack(xs: Ids, axis: number): void;
  unstack(x: Id, axis: number): void;
  split(x: Id, sizes: Ints, axis: number): void;
  pad(x: Id, paddings: Ints, value: number): void;
  tile(x: Id, reps: Ints): void;
  reverse(x: Id, dims: Ints): void;
  gather(x: Id, indices: Id, axis: number, batchDims: number): void;
  segmentSum(x: Id, segmentIds: Id, numSegments: number): void;
  topk(x: Id, k: number, sorted: boolean): void;
  cumsum(x: Id, axis: number, exclusive: boolean, reverse: boolean): void;
  matmul(a: Id, b: Id, transposeA: boolean, transposeB: boolean): void;
  /** true: oneDNN's sgemm for float32 products (default when built with it); false: ATen's matmul. */
  setMatmul(dnnl: boolean): void;
  conv2d(x: Id, filter: Id, ...geometry: number[]): void;
  conv2dBackpropInput(dy: Id, filter: Id, inputShape: Ints, ...geometry: number[]): void;
  conv2dBackpropFilter(x: Id, dy: Id, filterShape: Ints, ...geometry: number[]): void;
  pool(isMax: boolean, x: Id, kh: number, kw: number, ...geometry: number[]): void;
  /** Fused Adam: updates w, m and v in place (src/engine/adam.ts); no results. */
  adam(w: Id, m: Id, v: Id, g: Id, ...consts: number[]): void;
}

/** Package root: this file is src/engine/torch/addon.ts or dist/engine/torch/addon.js. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ADDON_PATH = path.join(ROOT, 'native', 'build', 'Release', 'sadsl_torch.node');
/** What to run when the addon is missing. */
export const INSTALL_HINT = 'apt-get install libtorch-dev, then npm run build:native';

export type AddonLoad = { addon: TorchAddon; reason?: undefined } | { addon?: undefined; reason: string };

let loaded: AddonLoad | undefined;

/** Loads the addon once; `reason` says why it is unavailable (not built, or libtorch missing at run time). */
export function loadAddon(): AddonLoad {
  if (loaded) return loaded;
  if (process.env.SADSL_NO_TORCH === '1') {
    loaded = { reason: 'disabled by SADSL_NO_TORCH=1' };
  } else if (!existsSync(ADDON_PATH)) {
    loaded = { reason: `the native addon is not built (${path.relative(process.cwd(), ADDON_PATH) || ADDON_PATH} missing)` };
  } else {
    try {
      const addon = createRequire(import.meta.url)(ADDON_PATH) as TorchAddon;
      // a build from before the newest native function (adam) would fail mid-training
      loaded = typeof addon.adam === 'function' ? { addon } : { reason: 'the native addon is older than this code (it has no adam); rebuild it: npm run build:native' };
    } catch (e) {
      loaded = { reason: `the native addon does not load: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return loaded;
}
