/**
 * `Conv2DBackpropInput` for wasm (the conv input gradient and the generator's deconv4×4 s2 forward pass).
 * The stock kernel is a plain loop, ~8× slower than a forward conv. Here each output phase (r_h, r_w)
 * (the rows ≡ r_h and columns ≡ r_w mod the stride) only meets the filter taps ≡ (r + pad) mod the stride,
 * so it is a stride-1 forward XNNPACK convolution of dy with that flipped, channel-swapped sub-filter;
 * the s² phase results are interleaved into dx. Stride 1 is the single-phase case.
 */
import * as tf from '../tf.js';
import {
  assertChannelsLast,
  conv2d,
  release,
  type BackendWasm,
  type KernelArgs,
  type TensorInfo,
} from './wasm.js';

/** How one output phase along one axis maps onto a stride-1 convolution. */
interface AxisPhase {
  /** Phase: dx positions r, r + s, r + 2s, … */
  r: number;
  /** Number of dx positions in the phase. */
  count: number;
  /** First filter tap of the phase (taps first, first + s, …). */
  first: number;
  /** Number of filter taps in the phase; 0 leaves the phase zero. */
  taps: number;
  /** Non-negative pads of the stride-1 convolution, and where the phase starts in its output. */
  before: number;
  after: number;
  offset: number;
}

function axisPhases(inSize: number, outSize: number, filterSize: number, stride: number, pad: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) {
    const count = Math.ceil((inSize - r) / stride);
    if (count <= 0) continue;
    const first = (r + pad) % stride;
    const taps = first < filterSize ? Math.ceil((filterSize - first) / stride) : 0;
    // dx[r + s·q] = Σ_j dy[q + e − j] · w[first + s·j]: a correlation with the flipped taps, pad taps − 1 − e.
    const e = Math.floor((r + pad) / stride);
    const p = taps - 1 - e;
    const before = Math.max(p, 0);
    const offset = Math.max(-p, 0);
    const after = Math.max(count + offset - outSize - before + taps - 1, 0);
    phases.push({ r, count, first, taps, before, after, offset });
  }
  return phases;
}

/** w [FH, FW, Ci, Co] → the phase's flipped taps as a forward filter [Jh, Jw, Co, Ci]. */
function subFilter(backend: BackendWasm, filter: TensorInfo, ph: AxisPhase, pw: AxisPhase, sh: number, sw: number): TensorInfo {
  const [, fw, ci, co] = filter.shape;
  const sub = backend.makeOutput([ph.taps, pw.taps, co, ci], 'float32');
  // Views are taken after every allocation: a heap growth detaches older ones.
  const w = backend.typedArrayFromHeap(filter);
  const out = backend.typedArrayFromHeap(sub);
  let o = 0;
  for (let kh = 0; kh < ph.taps; kh++) {
    const h = ph.first + sh * (ph.taps - 1 - kh);
    for (let kw = 0; kw < pw.taps; kw++) {
      const base = (h * fw + pw.first + sw * (pw.taps - 1 - kw)) * ci * co;
      for (let c = 0; c < co; c++) for (let i = 0; i < ci; i++) out[o++] = w[base + i * co + c];
    }
  }
  return sub;
}

export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertChannelsLast(tf.Conv2DBackpropInput, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels, strideHeight: sh, strideWidth: sw } = info;
  const rows = axisPhases(inHeight, info.outHeight, info.filterHeight, sh, info.padInfo.top);
  const cols = axisPhases(inWidth, info.outWidth, info.filterWidth, sw, info.padInfo.left);

  const parts: { ph: AxisPhase; pw: AxisPhase; y: TensorInfo }[] = [];
  for (const ph of rows) {
    for (const pw of cols) {
      if (ph.taps === 0 || pw.taps === 0) continue;
      const sub = subFilter(wasm, filter, ph, pw, sh, sw);
      const pads = { top: ph.before, bottom: ph.after, left: pw.before, right: pw.after };
      parts.push({ ph, pw, y: conv2d(wasm, dy, sub, pads) }); // [B, ≥count_h, ≥count_w, Ci]
      release(wasm, [sub]);
    }
  }
  const only = parts.length === 1 && rows.length === 1 && cols.length === 1 ? parts[0] : undefined;
  if (only && only.ph.offset === 0 && only.pw.offset === 0 && only.y.shape[1] === inHeight && only.y.shape[2] === inWidth) {
    return only.y;
  }

  const dx = wasm.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32'); // [B, H, W, Ci]
  const out = wasm.typedArrayFromHeap(dx);
  if (parts.length < rows.length * cols.length) out.fill(0);
  for (const { ph, pw, y } of parts) {
    const src = wasm.typedArrayFromHeap(y);
    const [, yh, yw] = y.shape;
    for (let b = 0; b < batchSize; b++) {
      for (let q = 0; q < ph.count; q++) {
        let s = ((b * yh + q + ph.offset) * yw + pw.offset) * inChannels;
        let d = ((b * inHeight + ph.r + sh * q) * inWidth + pw.r) * inChannels;
        for (let p = 0; p < pw.count; p++, d += (sw - 1) * inChannels) {
          for (let c = 0; c < inChannels; c++) out[d++] = src[s++];
        }
      }
    }
  }
  release(
    wasm,
    parts.map((part) => part.y),
  );
  return dx;
}
