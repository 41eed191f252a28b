#include "pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KTS_PAUSE() _mm_pause()
#else
#define KTS_PAUSE() ((void)0)
#endif

namespace kts {

namespace {

struct Pool {
  std::mutex m;
  std::condition_variable wake;
  std::vector<std::thread> workers;
  bool stop = false;
  // The current job, guarded by m.
  const std::function<void(int64_t)>* body = nullptr;
  int64_t next = 0, total = 0;
  uint64_t generation = 0;
  std::atomic<uint64_t> published{0};  // generation, readable without the lock (for spinning)
  std::atomic<int> inflight{0};        // chunks being run by workers

  // Claims one chunk of generation gen; -1 when none is left.
  int64_t claim(uint64_t gen) {
    std::lock_guard<std::mutex> lock(m);
    if (gen != generation || next >= total) return -1;
    inflight.fetch_add(1, std::memory_order_relaxed);
    return next++;
  }

  void worker() {
    uint64_t seen = 0;
    for (;;) {
      // Spin briefly for the next job (ops come in quick succession), then sleep.
      for (int i = 0; i < 2000 && published.load(std::memory_order_acquire) == seen; i++) KTS_PAUSE();
      uint64_t gen;
      const std::function<void(int64_t)>* f;
      {
        std::unique_lock<std::mutex> lock(m);
        wake.wait(lock, [&] { return stop || generation != seen; });
        if (stop) return;
        gen = seen = generation;
        f = body;
      }
      for (int64_t c; (c = claim(gen)) >= 0;) {
        (*f)(c);
        inflight.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  void resize(int threads) {
    {
      std::lock_guard<std::mutex> lock(m);
      stop = true;
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
    stop = false;
    for (int i = 1; i < threads; i++) workers.emplace_back([this] { worker(); });
  }

  void run(int64_t chunks, const std::function<void(int64_t)>& f) {
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(m);
      body = &f;
      next = 0;
      total = chunks;
      gen = ++generation;
      published.store(gen, std::memory_order_release);
    }
    wake.notify_all();
    for (int64_t c; (c = claim(gen)) >= 0;) {
      f(c);
      inflight.fetch_sub(1, std::memory_order_release);
    }
    // Only chunks already claimed by a worker are waited for.
    while (inflight.load(std::memory_order_acquire) != 0) KTS_PAUSE();
  }

};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers must not be joined during exit
  return *p;
}

}  // namespace

void resizePool(int threads) { pool().resize(threads); }

static bool useOpenMP = false;

void setPoolRuntime(bool openmp) { useOpenMP = openmp; }
bool poolRuntimeIsOpenMP() { return useOpenMP; }

void parallelFor(int64_t chunks, const std::function<void(int64_t)>& body) {
  if (chunks <= 0) return;
  if (chunks == 1 || pool().workers.empty()) {
    for (int64_t c = 0; c < chunks; c++) body(c);
    return;
  }
  if (useOpenMP) {
    // The OpenMP team oneDNN uses: no second set of workers competing for the cores.
    std::atomic<int64_t> next{0};
    const int team = int(std::min<int64_t>(chunks, numThreads()));
#pragma omp parallel num_threads(team)
    for (int64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks;) body(c);
    return;
  }
  pool().run(chunks, body);
}

}  // namespace kts
