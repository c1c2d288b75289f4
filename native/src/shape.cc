// Layout kernels: views (reshape, transpose, slice) are stored as views, never copied here.
#include "addon.h"

namespace sadsl {
namespace {

napi_value reshapeFn(const Args& a) { return emit(a.env, a.tensor(0).reshape(a.ints(1))); }

napi_value transposeFn(const Args& a) { return emit(a.env, a.tensor(0).permute(a.ints(1))); }

// slice(x, begin, size) with sizes already resolved (no −1)
napi_value sliceFn(const Args& a) {
  at::Tensor y = a.tensor(0);
  auto begin = a.ints(1), size = a.ints(2);
  for (size_t d = 0; d < begin.size(); d++) y = y.narrow(static_cast<int64_t>(d), begin[d], size[d]);
  return emit(a.env, y);
}

// stridedSlice(x, begin, end, strides, finalShape): normalised bounds from tfjs's sliceInfo
napi_value stridedSliceFn(const Args& a) {
  at::Tensor y = a.tensor(0);
  auto begin = a.ints(1), end = a.ints(2), strides = a.ints(3);
  for (size_t d = 0; d < begin.size(); d++) {
    int64_t dim = static_cast<int64_t>(d), s = strides[d];
    if (s > 0) {
      int64_t n = std::max<int64_t>(0, (end[d] - begin[d] + s - 1) / s);
      y = n == 0 ? y.narrow(dim, 0, 0) : y.slice(dim, begin[d], begin[d] + (n - 1) * s + 1, s);
    } else {
      // negative stride: flip, then step forward from the mirrored begin
      int64_t len = y.size(dim);
      int64_t n = std::max<int64_t>(0, (begin[d] - end[d] - s - 1) / -s);
      auto f = y.flip({dim});
      int64_t b = len - 1 - begin[d];
      y = n == 0 ? f.narrow(dim, 0, 0) : f.slice(dim, b, b + (n - 1) * -s + 1, -s);
    }
  }
  return emit(a.env, y.reshape(a.ints(4)));
}

napi_value concatFn(const Args& a) { return emit(a.env, at::cat(a.tensors(0), a.i64(1))); }

napi_value stackFn(const Args& a) { return emit(a.env, at::stack(a.tensors(0), a.i64(1))); }

napi_value unstackFn(const Args& a) {
  auto parts = at::unbind(a.tensor(0), a.i64(1));
  return emit(a.env, std::vector<at::Tensor>(parts.begin(), parts.end()));
}

// splitV(x, sizes, axis)
napi_value splitFn(const Args& a) {
  auto parts = at::split_with_sizes(a.tensor(0), a.ints(1), a.i64(2));
  return emit(a.env, std::vector<at::Tensor>(parts.begin(), parts.end()));
}

// pad(x, paddings [before0, after0, before1, ...], value)
napi_value padFn(const Args& a) {
  auto p = a.ints(1);
  std::vector<int64_t> torchPads;  // last dimension first
  for (size_t d = p.size() / 2; d-- > 0;) {
    torchPads.push_back(p[2 * d]);
    torchPads.push_back(p[2 * d + 1]);
  }
  return emit(a.env, at::constant_pad_nd(a.tensor(0), torchPads, a.f64(2)));
}

napi_value tileFn(const Args& a) { return emit(a.env, a.tensor(0).repeat(a.ints(1))); }

napi_value reverseFn(const Args& a) { return emit(a.env, a.tensor(0).flip(a.ints(1))); }

// gather(x, indices, axis, batchDims): out shape x[:axis] + indices[batchDims:] + x[axis+1:]
napi_value gatherFn(const Args& a) {
  const at::Tensor& x = a.tensor(0);
  const at::Tensor& idx = a.tensor(1);
  int64_t axis = a.i64(2), batchDims = a.i64(3);
  if (batchDims == 0) {
    auto flat = at::index_select(x, axis, idx.reshape({-1}));
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
    shape.insert(shape.end(), idx.sizes().begin(), idx.sizes().end());
    shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
    return emit(a.env, flat.view(shape));
  }
  // batched: x [b..., n, rest...] gathered per batch with the same leading dims of indices
  int64_t b = 1;
  for (int64_t d = 0; d < batchDims; d++) b *= x.size(d);
  int64_t outer = 1;
  for (int64_t d = batchDims; d < axis; d++) outer *= x.size(d);
  int64_t n = x.size(axis);
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < x.dim(); d++) inner *= x.size(d);
  auto x4 = x.reshape({b, outer, n, inner});
  auto i2 = idx.reshape({b, -1}).to(at::kLong);  // [b, k]
  int64_t k = i2.size(1);
  auto index = i2.view({b, 1, k, 1}).expand({b, outer, k, inner});
  auto g = at::gather(x4, 2, index);  // [b, outer, k, inner]
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
  shape.insert(shape.end(), idx.sizes().begin() + batchDims, idx.sizes().end());
  shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
  return emit(a.env, g.reshape(shape));
}

// unsortedSegmentSum(x, segmentIds, numSegments): ids of rank r index x's first r axes; negative or
// out-of-range ids are dropped (TensorFlow's semantics).
napi_value segmentSumFn(const Args& a) {
  const at::Tensor& x = a.tensor(0);
  const at::Tensor& ids = a.tensor(1);
  int64_t num = a.i64(2);
  std::vector<int64_t> rest(x.sizes().begin() + ids.dim(), x.sizes().end());
  std::vector<int64_t> flatShape{-1};
  flatShape.insert(flatShape.end(), rest.begin(), rest.end());
  auto xf = x.reshape(flatShape);
  auto idf = ids.reshape({-1}).to(at::kLong);
  auto keep = (idf >= 0).logical_and_(idf < num);
  std::vector<int64_t> outShape{num};
  outShape.insert(outShape.end(), rest.begin(), rest.end());
  auto out = at::zeros(outShape, x.options());
  if (keep.all().item<bool>()) {
    out.index_add_(0, idf, xf);
  } else {
    auto sel = at::nonzero(keep).view({-1});
    out.index_add_(0, idf.index_select(0, sel), xf.index_select(0, sel));
  }
  return emit(a.env, out);
}

// topk(x, k, sorted) → values, int32 indices (ties: lower index first, as tfjs)
napi_value topkFn(const Args& a) {
  auto r = at::topk(a.tensor(0), a.i64(1), -1, true, true);
  auto values = std::get<0>(r);
  auto indices = std::get<1>(r);
  return emit(a.env, std::vector<at::Tensor>{values, indices});
}

// cumsum(x, axis, exclusive, reverse)
napi_value cumsumFn(const Args& a) {
  at::Tensor x = a.tensor(0);
  int64_t axis = a.i64(1);
  bool exclusive = a.flag(2), reverse = a.flag(3);
  if (reverse) x = x.flip({axis});
  auto y = x.is_floating_point() ? at::cumsum(x, axis) : at::cumsum(x, axis, at::kInt);
  if (exclusive) y = y - (x.is_floating_point() ? x : x.to(at::kInt));
  if (reverse) y = y.flip({axis});
  return emit(a.env, y);
}

}  // namespace

void registerShape(napi_env env, napi_value exports) {
  define(env, exports, "reshape", reshapeFn);
  define(env, exports, "transpose", transposeFn);
  define(env, exports, "slice", sliceFn);
  define(env, exports, "stridedSlice", stridedSliceFn);
  define(env, exports, "concat", concatFn);
  define(env, exports, "stack", stackFn);
  define(env, exports, "unstack", unstackFn);
  define(env, exports, "split", splitFn);
  define(env, exports, "pad", padFn);
  define(env, exports, "tile", tileFn);
  define(env, exports, "reverse", reverseFn);
  define(env, exports, "gather", gatherFn);
  define(env, exports, "segmentSum", segmentSumFn);
  define(env, exports, "topk", topkFn);
  define(env, exports, "cumsum", cumsumFn);
}

}  // namespace sadsl
