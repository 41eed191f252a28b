// Entry point of the keras-ts native addon: engine, threads, info, and the kernel families.
#include <omp.h>

#include <cstdlib>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "common.h"
#include "pool.h"

namespace kts {

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

static int threads = 0;
static bool mallocTuned = false;
static uint64_t epoch = 0;

int numThreads() {
  if (threads <= 0) threads = omp_get_num_procs();
  return threads;
}

void setNumThreads(int n) {
  int procs = omp_get_num_procs();
  threads = n <= 0 ? procs : n;
  omp_set_num_threads(threads);
  resizePool(threads);
  epoch++;
}

uint64_t threadEpoch() { return epoch; }

static const char* isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const dnnl_version_t* v = dnnl_version();
  o.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("threadingRuntime", "openmp");
  o.Set("isa", isaName(dnnl::get_effective_cpu_isa()));
  o.Set("threads", numThreads());
  o.Set("cores", omp_get_num_procs());
  o.Set("mallocTuned", mallocTuned);
  return o;
}

static Napi::Value SetPoolRuntime(const Napi::CallbackInfo& info) {
  setPoolRuntime(info[0].As<Napi::String>().Utf8Value() == "openmp");
  return Napi::String::New(info.Env(), poolRuntimeIsOpenMP() ? "openmp" : "pool");
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  setNumThreads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), numThreads());
}

// Every op allocates its output (a zero-filled ArrayBuffer, from malloc). With glibc's defaults,
// buffers of more than 128 KiB are fresh mmaps, or heap that was trimmed back to the system, so the
// kernel that writes them takes a page fault per 4 KiB page: 53 faults and ~3x the time of a
// 128x512x10 matmul were measured. Keeping freed memory in the heap removes the faults; the cost is
// that the process keeps its peak heap (training reaches a steady state). KERAS_TS_MALLOC_TUNING=0
// leaves malloc alone.
static bool tuneMalloc() {
#ifdef __GLIBC__
  const char* env = std::getenv("KERAS_TS_MALLOC_TUNING");
  if (env && env[0] == '0') return false;
  return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
#else
  return false;
#endif
}


static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mallocTuned = tuneMalloc();
  setNumThreads(0);
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("setPoolRuntime", Napi::Function::New(env, SetPoolRuntime));
  initMatmul(env, exports);
  initElementwise(env, exports);
  initConv(env, exports);
  initPooling(env, exports);
  initActivations(env, exports);
  initOptimizers(env, exports);
  initNormalization(env, exports);
  return exports;
}

}  // namespace kts

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return kts::Init(env, exports); }

NODE_API_MODULE(keras_ts_native, InitAddon)
