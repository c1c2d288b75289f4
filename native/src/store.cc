// The tensor table, data in and out, native memory accounting, threads and build information.
#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>
#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "addon.h"

namespace sadsl {

namespace {

std::vector<at::Tensor> slots;      // id → tensor; an empty (undefined) tensor marks a free slot
std::vector<int32_t> freeIds;
int64_t liveIds = 0;
int32_t* shapeBuf = nullptr;        // shared with JS (an Int32Array it keeps alive)
size_t shapeLen = 0;
napi_ref shapeRef = nullptr;

// Counts ATen's CPU allocations (every tensor storage, and oneDNN scratch memory taken through ATen) so tests
// can check that native memory does not grow. Data and context stay the same pointer (raw_allocate needs it);
// sizes are kept in a side table.
std::atomic<int64_t> allocCount{0}, allocBytes{0};
std::mutex sizesMutex;
std::unordered_map<void*, size_t> sizes;
c10::DeleterFnPtr baseDeleter = nullptr;

void releaseCounted(void* ptr) {
  if (ptr != nullptr) {
    std::lock_guard<std::mutex> lock(sizesMutex);
    auto it = sizes.find(ptr);
    if (it != sizes.end()) {
      allocCount--;
      allocBytes -= static_cast<int64_t>(it->second);
      sizes.erase(it);
    }
  }
  baseDeleter(ptr);
}

struct CountingAllocator final : at::Allocator {
  at::Allocator* base;
  explicit CountingAllocator(at::Allocator* b) : base(b) {}
  c10::DataPtr allocate(size_t n) const override {
    c10::DataPtr inner = base->allocate(n);
    void* data = inner.get();
    if (data == nullptr || inner.get_context() != data || inner.get_deleter() != baseDeleter) return inner;
    c10::Device device = inner.device();
    inner.release_context();  // ownership moves to the DataPtr below
    {
      std::lock_guard<std::mutex> lock(sizesMutex);
      sizes[data] = n;
    }
    allocCount++;
    allocBytes += static_cast<int64_t>(n);
    return {data, data, &releaseCounted, device};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &releaseCounted; }
};

void installCountingAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    at::Allocator* base = c10::GetCPUAllocator();
    baseDeleter = base->raw_deleter();
    if (baseDeleter == nullptr) return;  // an allocator without raw pointers: allocations are not counted
    static CountingAllocator counting(base);
    c10::SetCPUAllocator(&counting, /*priority=*/1);
  });
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

void check(napi_status s, const char* what) {
  if (s != napi_ok) throw std::runtime_error(std::string("N-API call failed: ") + what);
}

int32_t store(at::Tensor t) {
  int32_t id;
  if (!freeIds.empty()) {
    id = freeIds.back();
    freeIds.pop_back();
    slots[id] = std::move(t);
  } else {
    id = static_cast<int32_t>(slots.size());
    slots.push_back(std::move(t));
  }
  liveIds++;
  return id;
}

int32_t dtypeCode(at::ScalarType s) {
  switch (s) {
    case at::kFloat: return F32;
    case at::kInt: return I32;
    case at::kBool: return BOOL;
    default: throw std::runtime_error(std::string("unsupported result dtype ") + c10::toString(s));
  }
}

napi_value trampoline(napi_env env, napi_callback_info info) {
  try {
    Args a(env, info);
    return reinterpret_cast<Fn>(a.data)(a);
  } catch (const c10::Error& e) {
    napi_throw_error(env, nullptr, e.what_without_backtrace());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

// write(values: TypedArray, shape: number[], dtype) → id (a copy of the values).
napi_value writeFn(const Args& a) {
  napi_typedarray_type type;
  size_t length, offset;
  void* data;
  napi_value ab;
  check(napi_get_typedarray_info(a.env, a.argv[0], &type, &length, &data, &ab, &offset), "typedarray info");
  auto t = at::empty(a.ints(1), at::TensorOptions().dtype(scalarType(static_cast<int32_t>(a.i64(2)))));
  size_t elem = type == napi_float32_array || type == napi_int32_array || type == napi_uint32_array ? 4 : 1;
  if (length * elem != t.nbytes()) throw std::runtime_error("write: " + std::to_string(length) + " values do not fill the shape");
  if (t.nbytes() > 0) std::memcpy(t.data_ptr(), data, t.nbytes());
  return emit(a.env, t);
}

// read(id, out: TypedArray of the tensor's size and dtype): copies the values out.
napi_value readFn(const Args& a) {
  auto t = a.tensor(0).contiguous();
  napi_typedarray_type type;
  size_t length, offset;
  void* data;
  napi_value ab;
  check(napi_get_typedarray_info(a.env, a.argv[1], &type, &length, &data, &ab, &offset), "typedarray info");
  size_t elem = type == napi_float32_array || type == napi_int32_array || type == napi_uint32_array ? 4 : 1;
  if (length * elem != t.nbytes()) throw std::runtime_error("read: output buffer has the wrong size");
  if (t.nbytes() > 0) std::memcpy(data, t.data_ptr(), t.nbytes());
  return undefinedValue(a.env);
}

napi_value freeFn(const Args& a) {
  int64_t id = a.i64(0);
  if (id < 0 || id >= static_cast<int64_t>(slots.size()) || !slots[id].defined()) throw std::runtime_error("free: unknown tensor id " + std::to_string(id));
  slots[id] = at::Tensor();
  freeIds.push_back(static_cast<int32_t>(id));
  liveIds--;
  return undefinedValue(a.env);
}

// alias(id) → a new id for the same tensor (tensors are never modified in place).
napi_value aliasFn(const Args& a) { return emit(a.env, a.tensor(0)); }

// stats() → [live ids, live ATen allocations, their bytes]
napi_value statsFn(const Args& a) {
  napi_value arr, v;
  napi_create_array_with_length(a.env, 3, &arr);
  double values[3] = {static_cast<double>(liveIds), static_cast<double>(allocCount.load()), static_cast<double>(allocBytes.load())};
  for (uint32_t i = 0; i < 3; i++) {
    napi_create_double(a.env, values[i], &v);
    napi_set_element(a.env, arr, i, v);
  }
  return arr;
}

napi_value setShapeBufferFn(const Args& a) {
  napi_typedarray_type type;
  size_t length, offset;
  void* data;
  napi_value ab;
  check(napi_get_typedarray_info(a.env, a.argv[0], &type, &length, &data, &ab, &offset), "typedarray info");
  if (type != napi_int32_array) throw std::runtime_error("setShapeBuffer: expected an Int32Array");
  if (shapeRef) napi_delete_reference(a.env, shapeRef);
  check(napi_create_reference(a.env, a.argv[0], 1, &shapeRef), "reference");
  shapeBuf = static_cast<int32_t*>(data);
  shapeLen = length;
  return undefinedValue(a.env);
}

napi_value setThreadsFn(const Args& a) {
  at::set_num_threads(static_cast<int>(a.i64(0)));
  return undefinedValue(a.env);
}

// info() → { threads, mkldnn, capability, dnnlSgemm, config }
napi_value infoFn(const Args& a) {
  napi_value obj, v;
  napi_create_object(a.env, &obj);
  napi_create_int32(a.env, at::get_num_threads(), &v);
  napi_set_named_property(a.env, obj, "threads", v);
  napi_get_boolean(a.env, at::hasMKLDNN(), &v);
  napi_set_named_property(a.env, obj, "mkldnn", v);
#ifdef SADSL_DNNL_SGEMM
  napi_get_boolean(a.env, true, &v);
#else
  napi_get_boolean(a.env, false, &v);
#endif
  napi_set_named_property(a.env, obj, "dnnlSgemm", v);
  std::string cfg = at::show_config();
  napi_create_string_utf8(a.env, cfg.c_str(), cfg.size(), &v);
  napi_set_named_property(a.env, obj, "config", v);
  return obj;
}

}  // namespace

at::ScalarType scalarType(int32_t code) {
  switch (code) {
    case F32: return at::kFloat;
    case I32: return at::kInt;
    case BOOL: return at::kBool;
    default: throw std::runtime_error("unknown dtype code " + std::to_string(code));
  }
}

Args::Args(napi_env e, napi_callback_info info) : env(e) {
  check(napi_get_cb_info(env, info, &argc, argv, nullptr, &data), "callback info");
}

bool Args::has(size_t i) const {
  if (i >= argc) return false;
  napi_valuetype t;
  napi_typeof(env, argv[i], &t);
  return t != napi_undefined && t != napi_null;
}

at::Tensor& Args::tensor(size_t i) const {
  int64_t id = i64(i);
  if (id < 0 || id >= static_cast<int64_t>(slots.size()) || !slots[id].defined()) throw std::runtime_error("unknown tensor id " + std::to_string(id));
  return slots[id];
}

std::vector<at::Tensor> Args::tensors(size_t i) const {
  std::vector<at::Tensor> out;
  for (int64_t id : ints(i)) {
    if (id < 0 || id >= static_cast<int64_t>(slots.size()) || !slots[id].defined()) throw std::runtime_error("unknown tensor id " + std::to_string(id));
    out.push_back(slots[id]);
  }
  return out;
}

int64_t Args::i64(size_t i) const {
  if (i >= argc) throw std::runtime_error("missing argument " + std::to_string(i));
  int64_t v;
  check(napi_get_value_int64(env, argv[i], &v), "integer argument");
  return v;
}

double Args::f64(size_t i) const {
  if (i >= argc) throw std::runtime_error("missing argument " + std::to_string(i));
  double v;
  check(napi_get_value_double(env, argv[i], &v), "number argument");
  return v;
}

bool Args::flag(size_t i) const {
  if (i >= argc) return false;
  bool v;
  check(napi_get_value_bool(env, argv[i], &v), "boolean argument");
  return v;
}

std::vector<int64_t> Args::ints(size_t i) const {
  if (i >= argc) throw std::runtime_error("missing argument " + std::to_string(i));
  std::vector<int64_t> out;
  bool isTyped = false;
  napi_is_typedarray(env, argv[i], &isTyped);
  if (isTyped) {
    napi_typedarray_type type;
    size_t length, offset;
    void* data;
    napi_value ab;
    check(napi_get_typedarray_info(env, argv[i], &type, &length, &data, &ab, &offset), "typedarray info");
    if (type != napi_int32_array) throw std::runtime_error("expected an Int32Array");
    auto* p = static_cast<int32_t*>(data);
    out.assign(p, p + length);
    return out;
  }
  uint32_t n;
  check(napi_get_array_length(env, argv[i], &n), "array argument");
  out.resize(n);
  for (uint32_t k = 0; k < n; k++) {
    napi_value v;
    napi_get_element(env, argv[i], k, &v);
    check(napi_get_value_int64(env, v, &out[k]), "integer array element");
  }
  return out;
}

napi_value emit(napi_env env, std::vector<at::Tensor> outs) {
  size_t need = 1;
  for (auto& t : outs) need += 3 + t.dim();
  if (shapeBuf == nullptr || need > shapeLen) throw std::runtime_error("shape buffer missing or too small");
  size_t k = 0;
  shapeBuf[k++] = static_cast<int32_t>(outs.size());
  for (auto& t : outs) {
    if (t.scalar_type() == at::kLong) t = t.to(at::kInt);
    else if (t.scalar_type() == at::kDouble) t = t.to(at::kFloat);
    int32_t code = dtypeCode(t.scalar_type());
    int32_t rank = static_cast<int32_t>(t.dim());
    for (int64_t d = 0; d < rank; d++) shapeBuf[k + 3 + d] = static_cast<int32_t>(t.size(d));
    shapeBuf[k + 1] = code;
    shapeBuf[k + 2] = rank;
    shapeBuf[k] = store(std::move(t));
    k += 3 + rank;
  }
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value emit(napi_env env, at::Tensor out) { return emit(env, std::vector<at::Tensor>{std::move(out)}); }

void define(napi_env env, napi_value exports, const char* name, Fn fn) {
  napi_value f;
  check(napi_create_function(env, name, NAPI_AUTO_LENGTH, trampoline, reinterpret_cast<void*>(fn), &f), "create function");
  check(napi_set_named_property(env, exports, name, f), "export");
}

void registerStore(napi_env env, napi_value exports) {
  installCountingAllocator();
  define(env, exports, "write", writeFn);
  define(env, exports, "read", readFn);
  define(env, exports, "free", freeFn);
  define(env, exports, "alias", aliasFn);
  define(env, exports, "stats", statsFn);
  define(env, exports, "setShapeBuffer", setShapeBufferFn);
  define(env, exports, "setThreads", setThreadsFn);
  define(env, exports, "info", infoFn);
}

}  // namespace sadsl

static napi_value Init(napi_env env, napi_value exports) {
  try {
    sadsl::registerStore(env, exports);
    sadsl::registerElementwise(env, exports);
    sadsl::registerShape(env, exports);
    sadsl::registerLinalg(env, exports);
    sadsl::registerOptim(env, exports);
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
