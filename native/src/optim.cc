// The fused Adam update: one pass over each weight that updates its two moments and the weight in place,
// instead of the ~14 element-wise kernels (and their full-size temporaries) tf.train.adam runs per weight.
// Every operation is rounded to float32 in tf.train.adam's order, so the results are those of tf.train.adam
// (no FMA contraction: fp-contract=off below, whatever -march a build uses).
#include <ATen/Parallel.h>

#include "addon.h"

namespace sadsl {
namespace {

// tfjs's scalars, each already rounded to float32 by the caller (src/engine/adam.ts).
struct AdamConsts {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusBeta1Power, oneMinusBeta2Power, epsilon, negLr;
};

// Vectorised by GCC at -O2 with the dynamic cost model (no-math-errno lets sqrt vectorise); the AVX2 clone is
// picked at load time where the CPU has it.
__attribute__((target_clones("avx2", "default"), optimize("vect-cost-model=dynamic", "no-math-errno", "fp-contract=off"))) void adamLoop(float* w, float* m, float* v, const float* g, int64_t n, AdamConsts c) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * c.beta1 + gi * c.oneMinusBeta1;
    const float vi = v[i] * c.beta2 + (gi * gi) * c.oneMinusBeta2;
    m[i] = mi;
    v[i] = vi;
    const float mHat = mi / c.oneMinusBeta1Power;
    const float vHat = vi / c.oneMinusBeta2Power;
    w[i] = (mHat / (__builtin_sqrtf(vHat) + c.epsilon)) * c.negLr + w[i];
  }
}

// A float32 tensor the loop may overwrite: contiguous and not shared with another id or a view (tensors are
// otherwise never modified in place, see alias()). Anything else is replaced in its slot by a private copy,
// so other holders keep their values; after the first step every weight and moment takes the fast path.
at::Tensor& writable(at::Tensor& t) {
  if (t.scalar_type() != at::kFloat) throw std::runtime_error("adam: weights and moments must be float32");
  if (!t.is_contiguous() || t.use_count() > 1 || t.storage().use_count() > 1) t = t.clone(at::MemoryFormat::Contiguous);
  return t;
}

// adam(w, m, v, g, beta1, 1 − beta1, beta2, 1 − beta2, 1 − beta1^t, 1 − beta2^t, epsilon, −lr): updates
// w, m and v in place (their ids stay); emits nothing.
napi_value adamFn(const Args& a) {
  at::Tensor& w = writable(a.tensor(0));
  at::Tensor& m = writable(a.tensor(1));
  at::Tensor& v = writable(a.tensor(2));
  at::Tensor g = a.tensor(3).to(at::kFloat).contiguous();
  if (!(w.sizes() == m.sizes() && w.sizes() == v.sizes() && w.numel() == g.numel())) throw std::runtime_error("adam: weight, moments and gradient differ in shape");
  AdamConsts c{};
  float* fields[] = {&c.beta1, &c.oneMinusBeta1, &c.beta2, &c.oneMinusBeta2, &c.oneMinusBeta1Power, &c.oneMinusBeta2Power, &c.epsilon, &c.negLr};
  for (size_t i = 0; i < 8; i++) *fields[i] = static_cast<float>(a.f64(4 + i));
  float *pw = w.data_ptr<float>(), *pm = m.data_ptr<float>(), *pv = v.data_ptr<float>();
  const float* pg = g.data_ptr<float>();
  at::parallel_for(0, w.numel(), 1 << 16, [&](int64_t begin, int64_t end) { adamLoop(pw + begin, pm + begin, pv + begin, pg + begin, end - begin, c); });
  napi_value u;
  napi_get_undefined(a.env, &u);
  return u;
}

}  // namespace

void registerOptim(napi_env env, napi_value exports) { define(env, exports, "adam", adamFn); }

}  // namespace sadsl
