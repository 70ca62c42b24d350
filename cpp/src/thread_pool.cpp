// SPDX-License-Identifier: BSD-3-Clause
// The pool: workers sleep on a condition variable and claim tasks from an atomic counter.

#include "thread_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "float_env.hpp"

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

namespace {

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
  void run(std::size_t ntasks, int threads, const std::function<void(std::size_t)>& task) {
    const std::size_t helpers = static_cast<std::size_t>(threads - 1);
    while (workers_.size() < helpers) {
      workers_.emplace_back([this, id = workers_.size()] { work(id); });
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      ntasks_ = ntasks;
      next_.store(0, std::memory_order_relaxed);
      active_helpers_ = helpers;
      pending_ = helpers;
      ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
  }

  std::mutex job_mutex_;

 private:
  void drain() {
    for (;;) {
      const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= ntasks_) return;
      (*task_)(i);
    }
  }

  void work(std::size_t id) {
    // A worker starts with its creator's environment, which may be a host's (FTZ / DAZ).
    const FloatEnvironment ieee;
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || (generation_ != seen && id < active_helpers_); });
        if (stop_) return;
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
  std::size_t ntasks_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t active_helpers_ = 0, pending_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

// The pool lives on the heap and is never destroyed at exit (workers may be blocked in a
// fill of a daemon thread). After fork() the child's copy names threads that do not exist
// there, so the child drops it (leaks it) and makes a new one on first use.
std::atomic<Pool*> g_pool{nullptr};
std::mutex g_pool_create;

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
// Fork while no job runs, so the parent's pool is left consistent.
void before_fork() {
  g_pool_create.lock();
  if (Pool* p = g_pool.load()) p->job_mutex_.lock();
}
void after_fork_parent() {
  if (Pool* p = g_pool.load()) p->job_mutex_.unlock();
  g_pool_create.unlock();
}
void after_fork_child() {
  g_pool.store(nullptr);  // the parent's pool, its locked job mutex included, is left behind
  g_pool_create.unlock();
}
const int g_atfork = pthread_atfork(before_fork, after_fork_parent, after_fork_child);
#endif

}  // namespace

void parallel_for(std::size_t ntasks, int threads, const std::function<void(std::size_t)>& task) {
  if (ntasks == 0) return;
  if (static_cast<std::size_t>(threads) > ntasks) threads = static_cast<int>(ntasks);
  if (threads <= 1) {
    for (std::size_t i = 0; i < ntasks; ++i) task(i);
    return;
  }
  Pool& p = pool();
  std::unique_lock<std::mutex> lock(p.job_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) {
    for (std::size_t i = 0; i < ntasks; ++i) task(i);
    return;
  }
  p.run(ntasks, threads, task);
}

}  // namespace weightinit::detail
