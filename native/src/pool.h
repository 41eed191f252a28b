// A small work-sharing pool for the addon's own loops. Unlike an OpenMP parallel region, the
// calling thread never waits for a worker that has not started: it claims chunks itself, and at
// the end waits only for chunks a worker is already running. On a machine where other processes
// hold the cores, an OpenMP barrier waits for a descheduled worker (~6 ms stalls were measured on
// a loaded 2-core machine); this pool then just runs on the calling thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

namespace kts {

int numThreads();

// Runs body(c) for c in [0, chunks) on the calling thread and up to numThreads() - 1 workers.
void parallelFor(int64_t chunks, const std::function<void(int64_t)>& body);

// Runs parallelFor on OpenMP's team instead of the pool's own workers (experiment switch).
void setPoolRuntime(bool openmp);
bool poolRuntimeIsOpenMP();

// Restarts the workers for a new thread count.
void resizePool(int threads);

// Below this much work (elements x cost weight) splitting costs more than it saves.
constexpr int64_t PAR_MIN = 1 << 15;

// Number of chunks to cut n elements of the given cost weight into: 1 when small; else a few per
// thread, so that a thread the OS holds back leaves its share to the others.
inline int64_t chunksFor(int64_t n, int64_t weight = 1) {
  if (n * weight < PAR_MIN || numThreads() <= 1) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(4 * numThreads(), n * weight / (PAR_MIN / 4)));
}

// Calls f(lo, hi) over `chunks` consecutive ranges covering [0, n).
template <class F>
void forRanges(int64_t n, int64_t chunks, const F& f) {
  if (chunks <= 1) {
    f(int64_t(0), n);
    return;
  }
  parallelFor(chunks, [&](int64_t c) { f(n * c / chunks, n * (c + 1) / chunks); });
}

}  // namespace kts
