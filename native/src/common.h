// Shared helpers of the keras-ts addon: the oneDNN engine and stream, thread count, and
// reading Float32Array arguments in place (their data pointer, byte offset included).
#pragma once

#include <napi.h>
#include <omp.h>

#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>

// Compiles a plain loop function for AVX-512, AVX2 and baseline x86-64; the loader picks the
// best the CPU has (no -march flag: the addon runs on any x86-64).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SIMD_CLONES
#endif

namespace kts {

dnnl::engine& engine();
dnnl::stream& stream();

// Threads used by oneDNN and by the addon's own loops (OpenMP); default: every core.
int numThreads();
void setNumThreads(int n);
// Bumped when the thread count changes: cached primitives were planned for the old count.
uint64_t threadEpoch();

// Below this many multiply-adds (tens of µs on one core) a matmul or convolution runs on one
// thread: an OpenMP fork and join, and waking a sleeping worker, cost more than it saves.
constexpr int64_t SERIAL_MACS = 1 << 20;

// Sets OpenMP to one thread for its lifetime when `serial` (a plan is made and run under the same count).
struct SerialScope {
  bool on;
  explicit SerialScope(bool serial) : on(serial && numThreads() > 1) {
    if (on) omp_set_num_threads(1);
  }
  ~SerialScope() {
    if (on) omp_set_num_threads(numThreads());
  }
};

inline float* f32(const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(v.Env(), std::string("keras-ts native: ") + what + " must be a Float32Array");
  }
  return v.As<Napi::Float32Array>().Data();
}

inline uint8_t* u8(const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(v.Env(), std::string("keras-ts native: ") + what + " must be a Uint8Array");
  }
  return v.As<Napi::Uint8Array>().Data();
}

inline size_t f32Length(const Napi::Value& v) { return v.As<Napi::Float32Array>().ElementLength(); }

inline int64_t i64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

// The first n entries of a JS number array.
inline void readDims(const Napi::Value& v, int64_t* out, int n) {
  Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() < uint32_t(n)) throw Napi::RangeError::New(v.Env(), "keras-ts native: too few dims");
  for (int i = 0; i < n; i++) out[i] = arr.Get(uint32_t(i)).As<Napi::Number>().Int64Value();
}

void initMatmul(Napi::Env env, Napi::Object exports);
void initElementwise(Napi::Env env, Napi::Object exports);
void initConv(Napi::Env env, Napi::Object exports);
void initPooling(Napi::Env env, Napi::Object exports);
void initActivations(Napi::Env env, Napi::Object exports);
void initOptimizers(Napi::Env env, Napi::Object exports);
void initNormalization(Napi::Env env, Napi::Object exports);

}  // namespace kts
