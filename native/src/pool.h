// A small work-sharing pool for the addon's own loops. Unlike an OpenMP parallel region, the
// calling thread never waits for a worker that has not started: it claims chunks itself, and at
// the end waits only for chunks a worker is already running. On a machine where other processes
// hold the cores, an OpenMP barrier waits for a descheduled worker (~6 ms stalls were measured on
// a loaded 2-core machine); this pool then just runs on the calling thread.
#pragma once

#include <cstdint>
#include <functional>

namespace kts {

// Runs body(c) for c in [0, chunks) on the calling thread and up to numThreads() - 1 workers.
void parallelFor(int64_t chunks, const std::function<void(int64_t)>& body);

// Restarts the workers for a new thread count.
void resizePool(int threads);

}  // namespace kts
