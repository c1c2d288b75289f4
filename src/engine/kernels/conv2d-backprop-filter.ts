/**
 * `Conv2DBackpropFilter` for wasm (missing from tfjs 4.22's wasm backend; every conv layer's weight
 * gradient needs it). dW[fh,fw,ci,co] = Σ_{b,oh,ow} x[b, oh·s + fh − top, ow·s + fw − left, ci] · dy[b,oh,ow,co]
 * is a forward convolution of xᵀ [Ci,H,W,B] with dyᵀ [OH,OW,B,Co] as the filter, dilated by the original
 * stride, so it runs on the backend's XNNPACK Conv2D. A negative bottom/right pad (input rows the
 * original conv never reached) becomes a crop of the result.
 *
 * With one or few input channels (the first convolution of the image encoder and D, the generator's last
 * deconv) and for 1-D convolutions ([B, 1, L, C], the document encoder) that convolution is a poor fit for
 * XNNPACK (few, very long output rows: 5–7× slower for Ci = 1); there dW = P · dy instead, with the patch
 * matrix P [FH·FW·Ci, B·OH·OW] built in one pass and one XNNPACK product.
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

/** Input channels up to which the patch-matrix product is used. */
const FEW_CHANNELS = 4;

/** dW [FH, FW, Ci, Co] = P [FH·FW·Ci, B·OH·OW] · dy [B·OH·OW, Co]. */
function patchProduct(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const K = fh * fw * ci;
  const N = batchSize * oh * ow;
  const patches = backend.makeOutput([1, K, N], 'float32'); // [1, FH·FW·Ci, B·OH·OW]
  // Views are taken after the allocation: a heap growth detaches older ones.
  const xv = backend.typedArrayFromHeap(x);
  const pv = backend.typedArrayFromHeap(patches);
  let o = 0;
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < batchSize; b++) {
          for (let r = 0; r < oh; r++) {
            const h = r * sh + i - top;
            if (h < 0 || h >= H) {
              pv.fill(0, o, o + ow);
              o += ow;
              continue;
            }
            const row = (b * H + h) * W * ci + c;
            for (let q = 0; q < ow; q++, o++) {
              const w = q * sw + j - left;
              pv[o] = w >= 0 && w < W ? xv[row + w * ci] : 0;
            }
          }
        }
      }
    }
  }
  const dy2: TensorInfo = { dataId: dy.dataId, shape: [1, N, co], dtype: dy.dtype }; // dy's buffer
  const dW = runStock(tf.BatchMatMul, backend, { a: patches, b: dy2 }, { transposeA: false, transposeB: false });
  release(backend, [patches]);
  dW.shape = [fh, fw, ci, co];
  return dW;
}

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
  if (inChannels <= FEW_CHANNELS || (inHeight === 1 && filterHeight === 1)) return patchProduct(wasm, x, dy, info);
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
