/**
 * `Conv2DBackpropFilter` for wasm (missing from tfjs 4.22's wasm backend; every conv layer's weight
 * gradient needs it). dW[fh,fw,ci,co] = Σ_{b,oh,ow} x[b, oh·s + fh − top, ow·s + fw − left, ci] · dy[b,oh,ow,co]
 * is a forward convolution of xᵀ [Ci,H,W,B] with dyᵀ [OH,OW,B,Co] as the filter, dilated by the original
 * stride, so it runs on the backend's XNNPACK Conv2D. A negative bottom/right pad (input rows the
 * original conv never reached) becomes a crop of the result.
 */
import * as tf from '../tf.js';
import {
  assertChannelsLast,
  conv2d,
  release,
  runStock,
  transpose,
  type BackendWasm,
  type KernelArgs,
  type TensorInfo,
} from './wasm.js';

export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertChannelsLast(tf.Conv2DBackpropFilter, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  // Pads that make the dilated convolution produce exactly filterHeight × filterWidth taps.
  const bottom = filterHeight - 1 - (inHeight + top - 1 - (outHeight - 1) * strideHeight);
  const right = filterWidth - 1 - (inWidth + left - 1 - (outWidth - 1) * strideWidth);

  const xT = transpose(wasm, x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const dyT = transpose(wasm, dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
  const pads = { top, left, bottom: Math.max(bottom, 0), right: Math.max(right, 0) };
  const full = conv2d(wasm, xT, dyT, pads, [strideHeight, strideWidth]); // [Ci, ≥FH, ≥FW, Co]
  const cropped =
    bottom < 0 || right < 0
      ? runStock(tf.Slice, wasm, { x: full }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] })
      : full; // [Ci, FH, FW, Co]
  const dW = transpose(wasm, cropped, [1, 2, 0, 3]); // [FH, FW, Ci, Co]
  release(wasm, [xT, dyT, full, cropped]);
  return dW;
}
