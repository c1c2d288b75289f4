// Element-wise kernels, reductions and normalisation. Codes are shared with src/engine/torch/ops.ts.
#include "addon.h"

namespace sadsl {
namespace {

// unary(code, x, alpha?) → y
enum Unary : int32_t {
  NEG, ABS, EXP, LOG, LOG1P, SQRT, RSQRT, SQUARE, RELU, RELU6, SIGMOID, TANH, SOFTPLUS, SIGN, FLOOR, CEIL,
  ROUND, SIN, COS, ERF, RECIPROCAL, ISNAN, ISINF, LOGICAL_NOT, EXPM1, STEP, LEAKY_RELU, ELU, SELU, ATAN, ASIN,
  ACOS, TAN, SINH, COSH, ISFINITE
};

at::Tensor floatIfInt(const at::Tensor& x) { return x.is_floating_point() ? x : x.to(at::kFloat); }

napi_value unaryFn(const Args& a) {
  const at::Tensor& x = a.tensor(1);
  double alpha = a.has(2) ? a.f64(2) : 0.0;
  at::Tensor y;
  switch (a.i64(0)) {
    case NEG: y = x.scalar_type() == at::kBool ? x.logical_not() : at::neg(x); break;
    case ABS: y = at::abs(x); break;
    case EXP: y = at::exp(x); break;
    case LOG: y = at::log(x); break;
    case LOG1P: y = at::log1p(x); break;
    case SQRT: y = at::sqrt(x); break;
    case RSQRT: y = at::rsqrt(x); break;
    case SQUARE: y = at::mul(x, x); break;
    case RELU: y = at::relu(x); break;
    case RELU6: y = at::clamp(x, 0, 6); break;
    case SIGMOID: y = at::sigmoid(x); break;
    case TANH: y = at::tanh(x); break;
    // tfjs's softplus: log(1 + e^x) with the same overflow guard as torch's threshold 20
    case SOFTPLUS: y = at::softplus(x, 1, 20); break;
    case SIGN: y = at::sign(x); break;
    case FLOOR: y = at::floor(x); break;
    case CEIL: y = at::ceil(x); break;
    case ROUND: y = at::round(x); break;  // half to even, as tfjs
    case SIN: y = at::sin(x); break;
    case COS: y = at::cos(x); break;
    case ERF: y = at::erf(x); break;
    case RECIPROCAL: y = at::reciprocal(floatIfInt(x)); break;
    case ISNAN: y = at::isnan(x); break;
    case ISINF: y = at::isinf(x); break;
    case ISFINITE: y = at::isfinite(x); break;
    case LOGICAL_NOT: y = at::logical_not(x); break;
    case EXPM1: y = at::expm1(x); break;
    // tfjs Step: 1 where x > 0, alpha elsewhere, NaN stays NaN
    case STEP: {
      auto xf = floatIfInt(x);
      y = at::where(at::isnan(xf), xf, at::where(xf > 0, at::ones_like(xf), at::full_like(xf, alpha)));
      break;
    }
    case LEAKY_RELU: y = at::where(x >= 0, x, x * alpha); break;
    case ELU: y = at::elu(x); break;
    case SELU: y = at::selu(x); break;
    case ATAN: y = at::atan(x); break;
    case ASIN: y = at::asin(x); break;
    case ACOS: y = at::acos(x); break;
    case TAN: y = at::tan(x); break;
    case SINH: y = at::sinh(x); break;
    case COSH: y = at::cosh(x); break;
    default: throw std::runtime_error("unary: unknown op code");
  }
  return emit(a.env, y);
}

enum Binary : int32_t {
  ADD, SUB, MUL, REAL_DIV, FLOOR_DIV, POW, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, EQUAL, NOT_EQUAL, LESS,
  LESS_EQUAL, GREATER, GREATER_EQUAL, LOGICAL_AND, LOGICAL_OR, ATAN2, MOD, PRELU, ELU_GRAD, DIV_NO_NAN
};

napi_value binaryFn(const Args& a) {
  const at::Tensor& x = a.tensor(1);
  const at::Tensor& y = a.tensor(2);
  at::Tensor z;
  switch (a.i64(0)) {
    case ADD: z = x.scalar_type() == at::kBool ? at::logical_or(x, y) : at::add(x, y); break;
    case SUB: z = at::sub(x, y); break;
    case MUL: z = x.scalar_type() == at::kBool ? at::logical_and(x, y) : at::mul(x, y); break;
    case REAL_DIV: z = at::div(x, y); break;
    case FLOOR_DIV: z = at::div(x, y, "floor"); break;
    case POW: z = at::pow(x, y); break;
    case MAXIMUM: z = at::maximum(x, y); break;
    case MINIMUM: z = at::minimum(x, y); break;
    case SQUARED_DIFFERENCE: {
      auto d = at::sub(x, y);
      z = d.mul_(d);  // d is a fresh tensor
      break;
    }
    case EQUAL: z = at::eq(x, y); break;
    case NOT_EQUAL: z = at::ne(x, y); break;
    case LESS: z = at::lt(x, y); break;
    case LESS_EQUAL: z = at::le(x, y); break;
    case GREATER: z = at::gt(x, y); break;
    case GREATER_EQUAL: z = at::ge(x, y); break;
    case LOGICAL_AND: z = at::logical_and(x, y); break;
    case LOGICAL_OR: z = at::logical_or(x, y); break;
    case ATAN2: z = at::atan2(x, y); break;
    case MOD: z = at::remainder(x, y); break;  // result has the divisor's sign, as tfjs's mod
    case PRELU: z = at::where(x >= 0, x, x * y); break;
    case ELU_GRAD: z = at::where(y >= 0, x, x * (y + 1)); break;  // x = dy, y = elu output
    case DIV_NO_NAN: z = at::where(y == 0, at::zeros_like(x), at::div(x, y)); break;
    default: throw std::runtime_error("binary: unknown op code");
  }
  return emit(a.env, z);
}

// cast(x, dtype): tfjs casts float → int by truncation and anything → bool by x != 0, as torch.
napi_value castFn(const Args& a) { return emit(a.env, a.tensor(0).to(scalarType(static_cast<int32_t>(a.i64(1))))); }

// select(cond, a, b)
napi_value selectFn(const Args& a) { return emit(a.env, at::where(a.tensor(0), a.tensor(1), a.tensor(2))); }

napi_value clipFn(const Args& a) { return emit(a.env, at::clamp(a.tensor(0), a.f64(1), a.f64(2))); }

// softmax(x, dim), logSoftmax(x, dim)
napi_value softmaxFn(const Args& a) { return emit(a.env, at::softmax(a.tensor(0), a.i64(1))); }
napi_value logSoftmaxFn(const Args& a) { return emit(a.env, at::log_softmax(a.tensor(0), a.i64(1))); }

// fill(shape, value, dtype)
napi_value fillFn(const Args& a) {
  return emit(a.env, at::full(a.ints(0), a.f64(1), at::TensorOptions().dtype(scalarType(static_cast<int32_t>(a.i64(2))))));
}

// range(start, stop, step, dtype)
napi_value rangeFn(const Args& a) {
  auto opts = at::TensorOptions().dtype(at::kDouble);
  auto r = at::arange(a.f64(0), a.f64(1), a.f64(2), opts);
  return emit(a.env, r.to(scalarType(static_cast<int32_t>(a.i64(3)))));
}

// fillLike(x, value)
napi_value fillLikeFn(const Args& a) { return emit(a.env, at::full_like(a.tensor(0), a.f64(1))); }

napi_value addNFn(const Args& a) {
  auto xs = a.tensors(0);
  at::Tensor sum = xs.at(0).clone();
  for (size_t i = 1; i < xs.size(); i++) sum.add_(xs[i]);
  return emit(a.env, sum);
}

// oneHot(indices, depth, on, off, dtype): out-of-range indices (e.g. -1) give an all-off row, as tfjs.
napi_value oneHotFn(const Args& a) {
  const at::Tensor& idx = a.tensor(0);
  int64_t depth = a.i64(1);
  auto classes = at::arange(depth, idx.options().dtype(idx.scalar_type()));
  auto hit = at::eq(idx.unsqueeze(-1), classes);
  auto dtype = scalarType(static_cast<int32_t>(a.i64(4)));
  auto on = at::scalar_tensor(a.f64(2), at::TensorOptions().dtype(dtype));
  auto off = at::scalar_tensor(a.f64(3), at::TensorOptions().dtype(dtype));
  return emit(a.env, at::where(hit, on, off));
}

enum Reduce : int32_t { SUM, MEAN, MAX, MIN, PROD, ALL, ANY };

// reduce(code, x, axes, keepDims)
napi_value reduceFn(const Args& a) {
  at::Tensor x = a.tensor(1);
  auto axes = a.ints(2);
  bool keep = a.flag(3);
  at::Tensor y;
  auto code = a.i64(0);
  if (axes.empty()) {
    // tfjs reduces over nothing: the input (cast as the reduction would)
    y = (code == SUM || code == PROD) && x.scalar_type() == at::kBool ? x.to(at::kInt) : x;
    return emit(a.env, y);
  }
  switch (code) {
    case SUM:
      y = x.is_floating_point() ? at::sum(x, axes, keep) : at::sum(x, axes, keep, at::kInt);
      break;
    case MEAN: y = at::mean(floatIfInt(x), axes, keep); break;
    case MAX: y = at::amax(x, axes, keep); break;
    case MIN: y = at::amin(x, axes, keep); break;
    case PROD: {
      y = x.is_floating_point() ? x : x.to(at::kInt);
      for (auto it = axes.rbegin(); it != axes.rend(); ++it) y = at::prod(y, *it, keep);
      y = y.to(x.is_floating_point() ? x.scalar_type() : at::kInt);
      break;
    }
    case ALL:
    case ANY: {
      y = x.to(at::kBool);
      std::vector<int64_t> sorted(axes);
      std::sort(sorted.rbegin(), sorted.rend());
      for (int64_t ax : sorted) y = code == ALL ? at::all(y, ax, keep) : at::any(y, ax, keep);
      break;
    }
    default: throw std::runtime_error("reduce: unknown op code");
  }
  return emit(a.env, y);
}

// argReduce(isMax, x, axis) → int32 indices of the first extreme value (as tfjs)
napi_value argReduceFn(const Args& a) {
  const at::Tensor& x = a.tensor(1);
  auto y = a.flag(0) ? at::argmax(x, a.i64(2)) : at::argmin(x, a.i64(2));
  return emit(a.env, y);
}

// batchNorm(x, mean, variance, offset?, scale?, eps): (x − mean) / √(variance + eps) · scale + offset, with
// the parameters broadcast against x (tfjs FusedBatchNorm).
napi_value batchNormFn(const Args& a) {
  const at::Tensor& x = a.tensor(0);
  const at::Tensor& mean = a.tensor(1);
  const at::Tensor& var = a.tensor(2);
  double eps = a.f64(5);
  int64_t c = x.dim() > 0 ? x.size(-1) : 1;
  auto isChannelVector = [c](const at::Tensor& t) { return t.numel() == c; };
  bool hasOffset = a.has(3), hasScale = a.has(4);
  at::Tensor offset = hasOffset ? a.tensor(3) : at::Tensor();
  at::Tensor scale = hasScale ? a.tensor(4) : at::Tensor();
  if (x.dim() >= 2 && isChannelVector(mean) && isChannelVector(var) && (!hasOffset || isChannelVector(offset)) && (!hasScale || isChannelVector(scale))) {
    // one fused pass: inference-mode batch_norm over [N, C]
    auto flat = x.reshape({-1, c});
    auto y = at::batch_norm(flat, hasScale ? scale.reshape({c}) : at::Tensor(), hasOffset ? offset.reshape({c}) : at::Tensor(), mean.reshape({c}), var.reshape({c}), false, 0.0, eps, false);
    return emit(a.env, y.view(x.sizes()));
  }
  auto y = (x - mean) * at::rsqrt(var + eps);
  if (hasScale) y = y * scale;
  if (hasOffset) y = y + offset;
  return emit(a.env, y);
}

}  // namespace

void registerElementwise(napi_env env, napi_value exports) {
  define(env, exports, "unary", unaryFn);
  define(env, exports, "binary", binaryFn);
  define(env, exports, "cast", castFn);
  define(env, exports, "select", selectFn);
  define(env, exports, "clip", clipFn);
  define(env, exports, "softmax", softmaxFn);
  define(env, exports, "logSoftmax", logSoftmaxFn);
  define(env, exports, "fill", fillFn);
  define(env, exports, "range", rangeFn);
  define(env, exports, "fillLike", fillLikeFn);
  define(env, exports, "addN", addNFn);
  define(env, exports, "oneHot", oneHotFn);
  define(env, exports, "reduce", reduceFn);
  define(env, exports, "argReduce", argReduceFn);
  define(env, exports, "batchNorm", batchNormFn);
}

}  // namespace sadsl
