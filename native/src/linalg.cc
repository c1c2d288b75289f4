// Matrix products and convolutions. Convolutions run on NHWC data viewed as channels-last NCHW (no
// copies), so ATen takes its oneDNN route as for PyTorch modules. Float32 products call oneDNN's sgemm
// (the library under libtorch) directly: ATen's own matmul goes to the system BLAS, which on Debian is the
// unoptimised reference BLAS.
#include <ATen/Parallel.h>

#include "addon.h"

#ifdef SADSL_DNNL_SGEMM
extern "C" int dnnl_sgemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
#endif

namespace sadsl {
namespace {

bool useDnnl = true;  // setMatmul('aten') switches to at::matmul (benchmarks, parity checks)

#ifdef SADSL_DNNL_SGEMM
// A batch of row-major matrices [n, rows, cols] whose inner layout sgemm can read without a copy.
struct Operand {
  at::Tensor t;
  char trans;  // 'N': rows are contiguous; 'T': columns are
  int64_t ld, batchStride;
};

Operand operand(at::Tensor t, bool transposed) {
  // t: [n, rows, cols] (maybe a view); the op reads it as t[b] or t[b]ᵀ
  int64_t rows = t.size(1), cols = t.size(2);
  auto ok = [](int64_t inner, int64_t outer, int64_t extent, int64_t count) {
    return inner == 1 && (outer >= extent || count == 1);
  };
  if (!(ok(t.stride(2), t.stride(1), cols, rows) || ok(t.stride(1), t.stride(2), rows, cols))) t = t.contiguous();
  bool rowMajor = ok(t.stride(2), t.stride(1), cols, rows);
  char trans = rowMajor != transposed ? 'N' : 'T';
  int64_t ld = rowMajor ? std::max<int64_t>(t.stride(1), std::max<int64_t>(cols, 1)) : std::max<int64_t>(t.stride(2), std::max<int64_t>(rows, 1));
  // sgemm reads the operand as stored: row-major data needs no transpose flag unless the op transposes it
  return {t, trans, ld, t.size(0) == 1 ? 0 : t.stride(0)};
}

at::Tensor sgemm(at::Tensor a, at::Tensor b, bool ta, bool tb) {
  // a [n|1, ., .], b [n|1, ., .] → [n, M, N]
  int64_t n = std::max(a.size(0), b.size(0));
  int64_t M = ta ? a.size(2) : a.size(1), K = ta ? a.size(1) : a.size(2);
  int64_t N = tb ? b.size(1) : b.size(2);
  Operand A = operand(a, ta), B = operand(b, tb);
  // A stored row-major with op 'N' means a[b] is M×K rows; with the flags from operand() sgemm computes
  // op(A)·op(B) where op follows the stored layout.
  auto C = at::empty({n, M, N}, a.options());
  float* c = C.data_ptr<float>();
  const float* pa = A.t.data_ptr<float>();
  const float* pb = B.t.data_ptr<float>();
  if (K == 0) return C.zero_();
  for (int64_t i = 0; i < n; i++) {
    // column-major storage (trans 'T' with rowMajor false) is the transpose of a row-major matrix whose
    // leading dimension is ld: sgemm's flags already encode it
    int status = dnnl_sgemm(A.trans, B.trans, M, N, K, 1.0f, pa + i * A.batchStride, A.ld, pb + i * B.batchStride, B.ld, 0.0f, c + i * M * N, N);
    if (status != 0) throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(status));
  }
  return C;
}
#endif

// matmul(a, b, transposeA, transposeB): batch dims broadcast, as tfjs BatchMatMul
napi_value matmulFn(const Args& a) {
  at::Tensor x = a.tensor(0), y = a.tensor(1);
  bool ta = a.flag(2), tb = a.flag(3);
  auto xb = x.sizes().slice(0, x.dim() - 2), yb = y.sizes().slice(0, y.dim() - 2);
  auto batch = at::infer_size(xb, yb);
  int64_t n = 1;
  for (auto d : batch) n *= d;
  std::vector<int64_t> outShape(batch.begin(), batch.end());
  outShape.push_back(ta ? x.size(-1) : x.size(-2));
  outShape.push_back(tb ? y.size(-2) : y.size(-1));
#ifdef SADSL_DNNL_SGEMM
  if (useDnnl && x.scalar_type() == at::kFloat && y.scalar_type() == at::kFloat) {
    auto flat = [&](const at::Tensor& t, at::IntArrayRef own) {
      int64_t m = 1;
      for (auto d : own) m *= d;
      if (m == 1) return t.reshape({1, t.size(-2), t.size(-1)});
      std::vector<int64_t> full(batch.begin(), batch.end());
      full.push_back(t.size(-2));
      full.push_back(t.size(-1));
      return t.expand(full).reshape({n, t.size(-2), t.size(-1)});
    };
    return emit(a.env, sgemm(flat(x, xb), flat(y, yb), ta, tb).view(outShape));
  }
#endif
  if (ta) x = x.transpose(-1, -2);
  if (tb) y = y.transpose(-1, -2);
  return emit(a.env, at::matmul(x, y).reshape(outShape));
}

napi_value setMatmulFn(const Args& a) {
  useDnnl = a.flag(0);
  napi_value u;
  napi_get_undefined(a.env, &u);
  return u;
}

struct ConvGeometry {
  std::vector<int64_t> stride, dilation;
  int64_t top, bottom, left, right;
};

// args from i: strideH, strideW, dilationH, dilationW, top, bottom, left, right
ConvGeometry geometry(const Args& a, size_t i) {
  return {{a.i64(i), a.i64(i + 1)}, {a.i64(i + 2), a.i64(i + 3)}, a.i64(i + 4), a.i64(i + 5), a.i64(i + 6), a.i64(i + 7)};
}

at::Tensor nchw(const at::Tensor& nhwc) { return nhwc.permute({0, 3, 1, 2}); }
at::Tensor nhwc(const at::Tensor& nchw) { return nchw.permute({0, 2, 3, 1}); }
at::Tensor oihw(const at::Tensor& hwio) { return hwio.permute({3, 2, 0, 1}); }

// Symmetric pads go to the convolution; asymmetric ones ('same' with an even overhang) pad the input.
std::pair<at::Tensor, std::vector<int64_t>> padded(const at::Tensor& xNchw, const ConvGeometry& g) {
  if (g.top == g.bottom && g.left == g.right) return {xNchw, {g.top, g.left}};
  return {at::constant_pad_nd(xNchw, {g.left, g.right, g.top, g.bottom}, 0), {0, 0}};
}

// conv2d(x NHWC, filter HWIO, geometry...) → NHWC
napi_value conv2dFn(const Args& a) {
  auto g = geometry(a, 2);
  auto [x, pad] = padded(nchw(a.tensor(0)), g);
  auto y = at::convolution(x, oihw(a.tensor(1)), {}, g.stride, pad, g.dilation, false, {0, 0}, 1);
  return emit(a.env, nhwc(y));
}

// conv2dBackpropInput(dy NHWC, filter HWIO, inputShape, geometry...) → dx NHWC. The input gradient of the
// forward convolution (oneDNN's backward-data primitive); ATen's transposed convolution is ~15× slower here.
napi_value conv2dBackpropInputFn(const Args& a) {
  auto shape = a.ints(2);
  auto g = geometry(a, 3);
  auto dy = nchw(a.tensor(0));
  bool symmetric = g.top == g.bottom && g.left == g.right;
  int64_t H = shape[1], W = shape[2];
  int64_t Hp = symmetric ? H : H + g.top + g.bottom, Wp = symmetric ? W : W + g.left + g.right;
  // only the input's shape and memory format are read for the input gradient
  auto x = at::empty({shape[0], shape[3], Hp, Wp}, dy.options().memory_format(at::MemoryFormat::ChannelsLast));
  std::vector<int64_t> pad = symmetric ? std::vector<int64_t>{g.top, g.left} : std::vector<int64_t>{0, 0};
  auto grads = at::convolution_backward(dy, x, oihw(a.tensor(1)), c10::nullopt, g.stride, pad, g.dilation, false, {0, 0}, 1, {true, false, false});
  auto dx = std::get<0>(grads);
  if (!symmetric) dx = dx.narrow(2, g.top, H).narrow(3, g.left, W);
  return emit(a.env, nhwc(dx));
}

// conv2dBackpropFilter(x NHWC, dy NHWC, filterShape HWIO, geometry...) → dW HWIO
napi_value conv2dBackpropFilterFn(const Args& a) {
  auto fs = a.ints(2);
  auto g = geometry(a, 3);
  auto [x, pad] = padded(nchw(a.tensor(0)), g);
  auto dy = nchw(a.tensor(1));
  // only the weight's shape is read for the weight gradient
  auto w = at::empty({fs[3], fs[2], fs[0], fs[1]}, x.options());
  auto grads = at::convolution_backward(dy, x, w, c10::nullopt, g.stride, pad, g.dilation, false, {0, 0}, 1, {false, true, false});
  return emit(a.env, std::get<1>(grads).permute({2, 3, 1, 0}));
}

// pool(isMax, x NHWC, kh, kw, geometry...) → NHWC
napi_value poolFn(const Args& a) {
  bool isMax = a.flag(0);
  std::vector<int64_t> k{a.i64(2), a.i64(3)};
  auto g = geometry(a, 4);
  auto x = nchw(a.tensor(1));
  if (!(g.top == g.bottom && g.left == g.right)) {
    x = at::constant_pad_nd(x, {g.left, g.right, g.top, g.bottom}, isMax ? -std::numeric_limits<double>::infinity() : 0.0);
    g.top = g.bottom = g.left = g.right = 0;
  }
  auto y = isMax ? at::max_pool2d(x, k, g.stride, {g.top, g.left}, g.dilation, false)
                 : at::avg_pool2d(x, k, g.stride, {g.top, g.left}, false, false);
  return emit(a.env, nhwc(y));
}

}  // namespace

void registerLinalg(napi_env env, napi_value exports) {
  define(env, exports, "matmul", matmulFn);
  define(env, exports, "setMatmul", setMatmulFn);
  define(env, exports, "conv2d", conv2dFn);
  define(env, exports, "conv2dBackpropInput", conv2dBackpropInputFn);
  define(env, exports, "conv2dBackpropFilter", conv2dBackpropFilterFn);
  define(env, exports, "pool", poolFn);
}

}  // namespace sadsl
