// SPDX-License-Identifier: BSD-3-Clause
// The pool: workers sleep on a condition variable and claim tasks from an atomic counter.

#include "runtime/thread_pool.hpp"

#include <climits>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/float_env.hpp"

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define WEIGHTINIT_HAVE_PTHREAD_ATFORK 1
#else
#define WEIGHTINIT_HAVE_PTHREAD_ATFORK 0
#endif

namespace weightinit::detail {

int usable_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

Interrupt::Interrupt(const std::atomic<bool>* external, std::function<bool()> poll,
                     std::chrono::steady_clock::duration interval)
    : external_(external),
      poll_(std::move(poll)),
      interval_(interval),
      next_poll_(std::chrono::steady_clock::now() + interval),
      owner_(std::this_thread::get_id()) {}

bool Interrupt::should_stop() {
  if (stop_.load(std::memory_order_relaxed)) return true;
  if (external_ != nullptr && external_->load(std::memory_order_relaxed)) {
    stop();
    return true;
  }
  if (poll_ && std::this_thread::get_id() == owner_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_poll_) {
      next_poll_ = now + interval_;
      bool halt;
      try {
        halt = poll_();
      } catch (...) {
        error_ = std::current_exception();
        if (!error_) {
          // Not a C++ exception: the forced unwind of a thread being ended (pthread_exit,
          // cancellation), which must go on (swallowing it aborts the process), or a foreign
          // exception, which cannot be kept. Stop the work and let it pass.
          stop();
          throw;
        }
        halt = true;
      }
      if (halt) {
        stop();
        return true;
      }
    }
  }
  return false;
}

namespace {

// How often a caller that waits for the other threads looks at its interrupt.
constexpr auto kWaitSlice = std::chrono::milliseconds(5);

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  // Called with job_mutex_ held: one job at a time.
  void run(std::size_t ntasks, int threads, const std::function<void(std::size_t)>& task,
           Interrupt* interrupt, bool caller_works) {
    const std::size_t helpers = static_cast<std::size_t>(caller_works ? threads - 1 : threads);
    start_workers(helpers);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      interrupt_ = interrupt;
      ntasks_ = ntasks;
      next_.store(0, std::memory_order_relaxed);
      active_helpers_ = helpers;
      pending_ = helpers;
      ++generation_;
    }
    wake_.notify_all();
    try {
      if (caller_works) drain();
      std::unique_lock<std::mutex> lock(mutex_);
      if (interrupt == nullptr) {
        done_.wait(lock, [this] { return pending_ == 0; });
      } else {
        // The helpers may still be in long tasks: keep polling so that a cancel lands now.
        while (!done_.wait_for(lock, kWaitSlice, [this] { return pending_ == 0; })) {
          lock.unlock();
          interrupt->should_stop();
          lock.lock();
        }
      }
    } catch (...) {
      // Only the poll throws here, and only the forced unwind of a thread being ended
      // (Interrupt::should_stop): the helpers use `task` and `interrupt`, which live on that
      // thread's stack, so they stop and finish before the unwind goes on.
      if (interrupt != nullptr) interrupt->stop();
      finish();
      throw;
    }
    finish();
  }

  // Called with job_mutex_ held and no job running: join the workers from `keep` on.
  void shrink_to(std::size_t keep) {
    if (workers_.size() <= keep) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      keep_ = keep;
    }
    wake_.notify_all();
    for (std::size_t i = keep; i < workers_.size(); ++i) workers_[i].join();
    workers_.resize(keep);
    std::lock_guard<std::mutex> lock(mutex_);
    keep_ = SIZE_MAX;
  }

  std::size_t size() const { return workers_.size(); }

  std::mutex job_mutex_;

 private:
  void start_workers(std::size_t helpers) {
    const std::size_t before = workers_.size();
    try {
      while (workers_.size() < helpers) {
        // A new worker has seen every job so far: it waits for the next one.
        workers_.emplace_back([this, id = workers_.size(), seen = generation_] { work(id, seen); });
      }
    } catch (const std::exception& e) {
      const std::size_t started = workers_.size();
      shrink_to(before);  // release what this call started: nothing leaks
      throw std::runtime_error("threads: cannot start worker thread " + std::to_string(started + 1) +
                               " of " + std::to_string(helpers) + " (" + e.what() +
                               "); nothing was written; use fewer threads (set_num_threads)");
    }
  }

  // Wait for the helpers of the current job, then forget it.
  void finish() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    interrupt_ = nullptr;
    active_helpers_ = 0;
  }

  void drain() {
    for (;;) {
      if (interrupt_ != nullptr && interrupt_->should_stop()) return;
      const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= ntasks_) return;
      (*task_)(i);
    }
  }

  void work(std::size_t id, std::uint64_t seen) {
    // A worker starts with its creator's environment, which may be a host's (FTZ / DAZ).
    const FloatEnvironment ieee;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] {
          return stop_ || id >= keep_ || (generation_ != seen && id < active_helpers_);
        });
        if (stop_ || id >= keep_) return;
        seen = generation_;
      }
      drain();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* task_ = nullptr;
  Interrupt* interrupt_ = nullptr;
  std::size_t ntasks_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t active_helpers_ = 0, pending_ = 0;
  std::size_t keep_ = SIZE_MAX;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

// The pool lives on the heap and is never destroyed at exit (workers may be blocked in a
// fill of a daemon thread). After fork() the child's copy names threads that do not exist
// there, so the child drops it (leaks it) and makes a new one on first use.
std::atomic<Pool*> g_pool{nullptr};
std::mutex g_pool_create;
// Idle workers kept after a job (trim_pool); jobs may start more, the end of a job trims.
std::atomic<int> g_keep{INT_MAX};

Pool& pool() {
  Pool* p = g_pool.load(std::memory_order_acquire);
  if (p != nullptr) return *p;
  std::lock_guard<std::mutex> lock(g_pool_create);
  p = g_pool.load(std::memory_order_relaxed);
  if (p == nullptr) {
    p = new Pool();
    g_pool.store(p, std::memory_order_release);
  }
  return *p;
}

#if WEIGHTINIT_HAVE_PTHREAD_ATFORK
// fork() may come at any moment from any thread, a job running or not: the child leaves the
// parent's pool behind (its threads do not exist there) and starts a new one on first use;
// the parent's pool and its running job are untouched. The prepare handler must not wait for
// a job: the job's caller may be waiting for a lock the forking thread holds (Python's GIL
// during os.fork), and neither would ever go on. It takes only g_pool_create, which no one
// holds for longer than a `new Pool`, so that the child never inherits it locked.
void before_fork() { g_pool_create.lock(); }
void after_fork_parent() { g_pool_create.unlock(); }
void after_fork_child() {
  g_pool.store(nullptr);  // leaked: its mutexes may be held by threads that are not here
  g_pool_create.unlock();
}
const int g_atfork = pthread_atfork(before_fork, after_fork_parent, after_fork_child);
#endif

}  // namespace

void parallel_for(std::size_t ntasks, int threads, const std::function<void(std::size_t)>& task,
                  Interrupt* interrupt, bool caller_works) {
  if (ntasks == 0) return;
  if (static_cast<std::size_t>(threads) > ntasks) threads = static_cast<int>(ntasks);
  if (threads < 1) threads = 1;
  if (interrupt == nullptr) caller_works = true;
  auto serial = [&] {
    for (std::size_t i = 0; i < ntasks; ++i) {
      if (interrupt != nullptr && interrupt->should_stop()) return;
      task(i);
    }
  };
  if (threads == 1 && caller_works) {
    serial();
    return;
  }
  Pool& p = pool();
  std::unique_lock<std::mutex> lock(p.job_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) {  // another job holds the pool: this one works alone
    serial();
    return;
  }
  p.run(ntasks, threads, task, interrupt, caller_works);
  const int keep = g_keep.load(std::memory_order_relaxed);
  if (p.size() > static_cast<std::size_t>(keep)) p.shrink_to(static_cast<std::size_t>(keep));
}

void trim_pool(int workers) {
  const int helpers = workers < 0 ? 0 : workers;
  g_keep.store(helpers, std::memory_order_relaxed);
  Pool* p = g_pool.load(std::memory_order_acquire);
  if (p == nullptr) return;
  // A running job trims when it ends (parallel_for above); never wait for it here.
  std::unique_lock<std::mutex> lock(p->job_mutex_, std::try_to_lock);
  if (lock.owns_lock()) p->shrink_to(static_cast<std::size_t>(helpers));
}

int pool_workers() {
  Pool* p = g_pool.load(std::memory_order_acquire);
  if (p == nullptr) return 0;
  std::lock_guard<std::mutex> lock(p->job_mutex_);
  return static_cast<int>(p->size());
}

}  // namespace weightinit::detail
