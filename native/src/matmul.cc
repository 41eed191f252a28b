// Batched matmul on the oneDNN matmul primitive, transposes expressed through memory strides.
// Creating a primitive costs far more than a small matmul, so primitives (and their memory
// objects, re-pointed at each call's buffers) are cached by shape and flags.
#include <chrono>
#include <tuple>
#include <map>
#include <vector>

#include "common.h"

namespace kts {

using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

struct MatmulKey {
  int64_t batchA, batchB, batch, M, N, K;
  bool transA, transB;
  bool bias = false;  // a [N] vector added to every row by the primitive
  bool operator<(const MatmulKey& o) const {
    return std::tie(batchA, batchB, batch, M, N, K, transA, transB, bias) <
           std::tie(o.batchA, o.batchB, o.batch, o.M, o.N, o.K, o.transA, o.transB, o.bias);
  }
};

struct MatmulPlan {
  dnnl::matmul prim;
  dnnl::memory src, wei, dst, bia;
  uint64_t epoch;
};

static MatmulPlan makePlan(const MatmulKey& k) {
  // a: [batchA, M, K] row-major, or [batchA, K, M] when transA (same matrix, column strides).
  dims aStrides = k.transA ? dims{k.M * k.K, 1, k.M} : dims{k.M * k.K, k.K, 1};
  dims bStrides = k.transB ? dims{k.K * k.N, 1, k.K} : dims{k.K * k.N, k.N, 1};
  dnnl::memory::desc srcMd({k.batchA, k.M, k.K}, dt::f32, aStrides);
  dnnl::memory::desc weiMd({k.batchB, k.K, k.N}, dt::f32, bStrides);
  dnnl::memory::desc dstMd({k.batch, k.M, k.N}, dt::f32, dims{k.M * k.N, k.N, 1});
  dnnl::memory::desc biaMd({1, 1, k.N}, dt::f32, dims{k.N, k.N, 1});
  dnnl::matmul::primitive_desc pd(
      k.bias ? dnnl::matmul::desc(srcMd, weiMd, biaMd, dstMd) : dnnl::matmul::desc(srcMd, weiMd, dstMd), engine());
  MatmulPlan p{dnnl::matmul(pd),
               dnnl::memory(srcMd, engine(), DNNL_MEMORY_NONE),
               dnnl::memory(weiMd, engine(), DNNL_MEMORY_NONE),
               dnnl::memory(dstMd, engine(), DNNL_MEMORY_NONE),
               dnnl::memory(biaMd, engine(), DNNL_MEMORY_NONE),
               threadEpoch()};
  return p;
}

static std::map<MatmulKey, MatmulPlan> cache;

// Folds the batch into M when b is shared and a is not transposed: one larger 2-D product.
static MatmulKey normalize(MatmulKey k) {
  if (k.batchB == 1 && !k.transA && k.batchA == k.batch && k.batch > 1) {
    k.M *= k.batch;
    k.batchA = k.batch = 1;
  }
  return k;
}

static void run(const MatmulKey& key, const float* A, const float* B, float* O, const float* C) {
  // An MLP step's 128x512x10 products took 100 µs on two threads (a wake-up), 25 on one.
  SerialScope serial(key.batch * key.M * key.N * key.K < SERIAL_MACS);
  auto it = cache.find(key);
  if (it == cache.end() || it->second.epoch != threadEpoch()) {
    if (cache.size() >= 1024) cache.clear();
    it = cache.insert_or_assign(key, makePlan(key)).first;
  }
  MatmulPlan& p = it->second;
  p.src.set_data_handle(const_cast<float*>(A));
  p.wei.set_data_handle(const_cast<float*>(B));
  p.dst.set_data_handle(O);
  if (C) {
    p.bia.set_data_handle(const_cast<float*>(C));
    p.prim.execute(stream(),
                   {{DNNL_ARG_SRC, p.src}, {DNNL_ARG_WEIGHTS, p.wei}, {DNNL_ARG_BIAS, p.bia}, {DNNL_ARG_DST, p.dst}});
  } else {
    p.prim.execute(stream(), {{DNNL_ARG_SRC, p.src}, {DNNL_ARG_WEIGHTS, p.wei}, {DNNL_ARG_DST, p.dst}});
  }
  stream().wait();
}

// matmul(a, b, out, batchA, batchB, batch, M, N, K, transA, transB, bias?): out = op(a) @ op(b)
// (+ bias [N] on every row).
static Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const float* A = f32(info[0], "a");
  const float* B = f32(info[1], "b");
  float* O = f32(info[2], "out");
  MatmulKey k{i64(info[3]), i64(info[4]), i64(info[5]), i64(info[6]), i64(info[7]), i64(info[8]),
              info[9].ToBoolean().Value(), info[10].ToBoolean().Value()};
  if (f32Length(info[0]) != size_t(k.batchA * k.M * k.K) || f32Length(info[1]) != size_t(k.batchB * k.K * k.N) ||
      f32Length(info[2]) != size_t(k.batch * k.M * k.N)) {
    throw Napi::RangeError::New(info.Env(), "keras-ts native matmul: buffer sizes do not match the shapes");
  }
  const float* C = nullptr;
  if (info.Length() > 11 && !info[11].IsUndefined() && !info[11].IsNull()) {
    C = f32(info[11], "bias");
    if (f32Length(info[11]) != size_t(k.N)) {
      throw Napi::RangeError::New(info.Env(), "keras-ts native matmul: the bias must have N elements");
    }
    k.bias = true;
  }
  if (k.batch == 0 || k.M == 0 || k.N == 0) return info.Env().Undefined();
  if (k.K == 0) {
    for (int64_t r = 0; r < k.batch * k.M; r++)
      for (int64_t j = 0; j < k.N; j++) O[r * k.N + j] = C ? C[j] : 0.0f;
    return info.Env().Undefined();
  }
  try {
    run(normalize(k), A, B, O, C);
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("keras-ts native matmul: oneDNN error: ") + e.what());
  }
  return info.Env().Undefined();
}

// benchMatmul(batch, M, N, K, transA, transB, seconds): oneDNN alone, on its own buffers, one
// primitive created up front; returns the mean seconds per product. The yardstick for the
// cost of going through keras-ts.
static Napi::Value BenchMatmul(const Napi::CallbackInfo& info) {
  MatmulKey k{i64(info[0]), i64(info[0]), i64(info[0]), i64(info[1]), i64(info[2]), i64(info[3]),
              info[4].ToBoolean().Value(), info[5].ToBoolean().Value()};
  double seconds = info[6].As<Napi::Number>().DoubleValue();
  std::vector<float> A(k.batch * k.M * k.K), B(k.batch * k.K * k.N), O(k.batch * k.M * k.N);
  for (size_t i = 0; i < A.size(); i++) A[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (size_t i = 0; i < B.size(); i++) B[i] = float((i * 104729) % 1000) / 1000.0f - 0.5f;
  MatmulPlan p = makePlan(k);
  p.src.set_data_handle(A.data());
  p.wei.set_data_handle(B.data());
  p.dst.set_data_handle(O.data());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, p.src}, {DNNL_ARG_WEIGHTS, p.wei}, {DNNL_ARG_DST, p.dst}};
  for (int i = 0; i < 10; i++) p.prim.execute(stream(), args);
  stream().wait();
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  int64_t n = 0;
  double elapsed = 0;
  do {
    for (int i = 0; i < 10; i++) p.prim.execute(stream(), args);
    stream().wait();
    n += 10;
    elapsed = std::chrono::duration<double>(clock::now() - t0).count();
  } while (elapsed < seconds);
  return Napi::Number::New(info.Env(), elapsed / double(n));
}

void initMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("benchMatmul", Napi::Function::New(env, BenchMatmul));
}

}  // namespace kts
