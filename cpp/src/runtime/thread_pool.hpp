// SPDX-License-Identifier: BSD-3-Clause
// A persistent pool of worker threads for fills, bounded and interruptible.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <thread>

namespace weightinit::detail {

/// The stop state of one parallel_for: a flag every thread reads between pieces of work,
/// set from outside (`external`), by the owner's poll callback, or by an exception.
class Interrupt {
 public:
  /// `poll` runs on the constructing thread only, at most once per `interval`; returning
  /// true (or throwing) stops the work. Both may be empty. If the poll ends its thread
  /// (pthread_exit or cancellation: a forced unwind), the work stops, parallel_for waits for
  /// its helpers, and the unwind goes on.
  Interrupt(const std::atomic<bool>* external, std::function<bool()> poll,
            std::chrono::steady_clock::duration interval);

  /// True once the work should stop. Any thread may call it between pieces of work; on
  /// the owner thread it also runs the poll callback when the interval has passed.
  bool should_stop();
  /// Stop now (any thread).
  void stop() { stop_.store(true, std::memory_order_relaxed); }
  bool stopped() const { return stop_.load(std::memory_order_relaxed); }
  /// What the poll callback threw, if it threw.
  std::exception_ptr error() const { return error_; }

 private:
  std::atomic<bool> stop_{false};
  const std::atomic<bool>* external_;
  std::function<bool()> poll_;
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point next_poll_;
  std::thread::id owner_;
  std::exception_ptr error_;
};

/// Run task(0) .. task(ntasks - 1) on up to `threads` threads (the caller is one of them)
/// and return when all are done. Tasks must not throw. If another call holds the pool,
/// this one runs its tasks on the calling thread: concurrent callers never wait on each
/// other and never deadlock. fork() may come at any moment, from any thread, a job running
/// or not: it never waits for the job, and the child starts a fresh pool.
///
/// With `interrupt`, no task starts once it says stop (tasks may check it too), and the
/// caller keeps polling it while it waits for the others. With `caller_works` false the
/// caller runs no task: `threads` pool workers run them while the caller only polls
/// `interrupt`, so a poll that blocks (on Python's GIL, say) holds up no work. Throws
/// std::runtime_error, with every thread this call started joined again, if the OS refuses
/// a new worker thread.
void parallel_for(std::size_t ntasks, int threads, const std::function<void(std::size_t)>& task,
                  Interrupt* interrupt = nullptr, bool caller_works = true);

/// Keep at most `workers` idle worker threads: the others are joined now, or when the job
/// that holds the pool ends. Later jobs start threads again as they need them.
void trim_pool(int workers);

/// Worker threads the pool holds now (the caller of a job is not one of them).
int pool_workers();

/// The CPUs this process may run on (affinity mask where the OS has one), at least 1.
int usable_cpus();

}  // namespace weightinit::detail
