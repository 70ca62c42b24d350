// SPDX-License-Identifier: BSD-3-Clause
// Kernel speed into a cache-resident buffer, one thread, every available target: ns per
// element for each distribution and dtype (the floor is the cache, not memory).
//   kernel_bench [n [target [reps]]]   e.g. kernel_bench 65536 avx512 1 under callgrind
//   kernel_bench fresh [n [threads [reps]]]
//       Fresh output (a new mapping per fill, page faults included, as a new tensor) on the
//       active target: GB/s of float32 and bfloat16 for uniform, normal and truncated
//       normal, and each normal's ratio to uniform. Timed by the process's CPU time
//       divided by the threads (so time descheduled on a shared machine does not count)
//       and, beside it, by the wall clock.
// Each cell is the best of `reps` timings of 20 fills of n elements, minus the fixed cost of
// a call (setup and dispatch, timed with 64-element fills and printed per row), per element.
// Timings are the thread's CPU time (where the OS offers it), so that time spent descheduled
// on a shared machine does not count. "bits" is the generator alone (raw words out).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>
#if defined(__unix__)
#include <sys/mman.h>
#endif
#include <cstdio>
#include <string>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace {

using weightinit::DType;
using weightinit::Distribution;

double now_seconds() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
#else
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
#endif
}

double best_seconds(const Distribution& d, DType dtype, std::uint64_t n, int reps, int iters,
                    std::vector<unsigned char>& buf) {
  double best = 1e30;
  for (int rep = 0; rep < reps; ++rep) {
    const double t0 = now_seconds();
    for (int i = 0; i < iters; ++i) weightinit::fill(d, {1, 0, 0}, dtype, 0, n, buf.data());
    best = std::min(best, (now_seconds() - t0) / iters);
  }
  return best;
}

#if defined(__unix__)
double process_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int fresh(int argc, char** argv) {
  const std::uint64_t n = argc > 2 ? std::stoull(argv[2]) : (std::uint64_t{1} << 28);
  const int threads = argc > 3 ? std::stoi(argv[3]) : weightinit::get_num_threads();
  const int reps = argc > 4 ? std::stoi(argv[4]) : 5;
  weightinit::set_num_threads(threads);
  struct Case {
    const char* name;
    Distribution dist;
  };
  const Case cases[] = {{"uniform", Distribution::uniform(-1, 1)},
                        {"normal", Distribution::normal(0, 1)},
                        {"trunc[-2,2]", Distribution::truncated_normal(0, 1, -2, 2)}};
  std::printf("fresh output, %llu elements, %d threads, target %s, best of %d\n",
              static_cast<unsigned long long>(n), threads,
              weightinit::target_name(weightinit::active_target()), reps);
  std::printf("| dtype | law | GB/s (CPU) | / uniform | GB/s (wall) | / uniform |\n|---|---|---:|---:|---:|---:|\n");
  for (DType dtype : {DType::kFloat32, DType::kBFloat16}) {
    const std::size_t bytes = n * static_cast<std::size_t>(weightinit::dtype_size(dtype));
    double cpu_u = 0, wall_u = 0;
    for (const Case& c : cases) {
      double best_cpu = 1e30, best_wall = 1e30;
      for (int rep = 0; rep < reps; ++rep) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return 1;
        const double c0 = process_seconds(), w0 = wall_seconds();
        weightinit::fill(c.dist, {1, 0, 0}, dtype, 0, n, p);
        best_cpu = std::min(best_cpu, (process_seconds() - c0) / threads);
        best_wall = std::min(best_wall, wall_seconds() - w0);
        munmap(p, bytes);
      }
      const double gcpu = static_cast<double>(bytes) / best_cpu * 1e-9;
      const double gwall = static_cast<double>(bytes) / best_wall * 1e-9;
      if (c.dist.kind == Distribution::Kind::kUniform) {
        cpu_u = gcpu;
        wall_u = gwall;
      }
      std::printf("| %s | %s | %.3f | %.2f | %.3f | %.2f |\n",
                  dtype == DType::kFloat32 ? "float32" : "bfloat16", c.name, gcpu, gcpu / cpu_u,
                  gwall, gwall / wall_u);
    }
  }
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  using namespace weightinit;
#if defined(__unix__)
  if (argc > 1 && std::strcmp(argv[1], "fresh") == 0) return fresh(argc, argv);
#endif
  const std::uint64_t n = argc > 1 ? std::stoull(argv[1]) : (1u << 16);
  const std::string only = argc > 2 ? argv[2] : "";
  const int reps = argc > 3 ? std::stoi(argv[3]) : 7;
  set_num_threads(1);
  struct Case {
    const char* name;
    Distribution dist;
  };
  const Case cases[] = {
      {"bits", Distribution::bits()},
      {"uniform", Distribution::uniform(-1, 1)},
      {"normal", Distribution::normal(0, 1)},
      {"trunc[-2,2]", Distribution::truncated_normal(0, 1, -2, 2)},
      {"trunc[-1,3]", Distribution::truncated_normal(0, 1, -1, 3)},
      {"trunc[3,8]", Distribution::truncated_normal(0, 1, 3, 8)},
      {"trunc[100,101]", Distribution::truncated_normal(0, 1, 100, 101)},
  };
  const std::pair<const char*, DType> dtypes[] = {
      {"float32", DType::kFloat32}, {"bfloat16", DType::kBFloat16},
      {"float16", DType::kFloat16}, {"float64", DType::kFloat64}};
  std::vector<unsigned char> buf(n * 8);
  std::printf("ns/element, %llu elements in cache, 1 thread, best of %d (call cost removed)\n\n",
              static_cast<unsigned long long>(n), reps);
  std::printf("| target | dtype |");
  for (const Case& c : cases) std::printf(" %s |", c.name);
  std::printf(" call us |\n|---|---|");
  for (std::size_t i = 0; i <= sizeof cases / sizeof cases[0]; ++i) std::printf("---:|");
  std::printf("\n");
  for (Target t : available_targets()) {
    if (!only.empty() && only != target_name(t)) continue;
    set_active_target(t);
    for (const auto& [dname, dtype] : dtypes) {
      std::printf("| %s | %s |", target_name(t), dname);
      double call_max = 0;
      for (const Case& c : cases) {
        DType dt = dtype;
        if (c.dist.kind == Distribution::Kind::kBits) {
          if (dtype == DType::kBFloat16 || dtype == DType::kFloat16) {
            std::printf(" |");
            continue;
          }
          dt = dtype == DType::kFloat64 ? DType::kUInt64 : DType::kUInt32;
        }
        const int iters = reps == 1 ? 1 : 20;
        double call, full;
        try {
          call = best_seconds(c.dist, dt, 64, reps, reps == 1 ? 1 : 200, buf);
          full = best_seconds(c.dist, dt, n, reps, iters, buf);
        } catch (const std::invalid_argument&) {  // a law this build refuses
          std::printf(" refused |");
          continue;
        }
        call_max = std::max(call_max, call);
        std::printf(" %.3f |", std::max(0.0, full - call) / static_cast<double>(n) * 1e9);
      }
      std::printf(" %.1f |\n", call_max * 1e6);
    }
  }
  return 0;
}
