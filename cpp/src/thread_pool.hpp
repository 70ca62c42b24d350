// SPDX-License-Identifier: BSD-3-Clause
// A persistent pool of worker threads for fills.
#pragma once

#include <cstddef>
#include <functional>

namespace weightinit::detail {

/// Run task(0) .. task(ntasks - 1) on up to `threads` threads (the caller is one of them)
/// and return when all are done. Tasks must not throw. If another call holds the pool,
/// this one runs its tasks on the calling thread: concurrent callers never wait on each
/// other and never deadlock. Safe after fork(): the child starts a fresh pool.
void parallel_for(std::size_t ntasks, int threads, const std::function<void(std::size_t)>& task);

/// The CPUs this process may run on (affinity mask where the OS has one), at least 1.
int usable_cpus();

}  // namespace weightinit::detail
