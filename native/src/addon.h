// Shared plumbing of the sadsl torch addon: the tensor table (JS holds integer ids), argument parsing, and
// the output protocol (ids, dtypes and shapes of a call's results are written to a buffer shared with JS).
#pragma once
#include <node_api.h>
#include <ATen/ATen.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace sadsl {

// dtype codes shared with src/engine/torch/addon.ts
enum DType : int32_t { F32 = 0, I32 = 1, BOOL = 2 };
at::ScalarType scalarType(int32_t code);

struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  void* data = nullptr;
  Args(napi_env e, napi_callback_info info);
  at::Tensor& tensor(size_t i) const;
  std::vector<at::Tensor> tensors(size_t i) const;
  int64_t i64(size_t i) const;
  double f64(size_t i) const;
  bool flag(size_t i) const;
  std::vector<int64_t> ints(size_t i) const;
  bool has(size_t i) const;  // present and not undefined/null
};

// Stores results, writes [count, (id, dtype, rank, dims...)*] to the shared buffer. int64/float64 results
// are narrowed to tfjs's int32/float32.
napi_value emit(napi_env env, std::vector<at::Tensor> outs);
napi_value emit(napi_env env, at::Tensor out);

using Fn = napi_value (*)(const Args&);
void define(napi_env env, napi_value exports, const char* name, Fn fn);

void registerStore(napi_env env, napi_value exports);
void registerElementwise(napi_env env, napi_value exports);
void registerShape(napi_env env, napi_value exports);
void registerLinalg(napi_env env, napi_value exports);
void registerOptim(napi_env env, napi_value exports);

}  // namespace sadsl
