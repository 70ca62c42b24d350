// SPDX-License-Identifier: BSD-3-Clause
// Kernel speed into a cache-resident buffer, one thread, every available target: ns per
// element for each distribution and dtype (the floor is the cache, not memory).
//   kernel_bench [n [target [reps]]]   e.g. kernel_bench 65536 avx512 1 under callgrind
// Each cell is the best of `reps` timings of 20 fills of n elements, minus the fixed cost of
// a call (setup and dispatch, timed with 64-element fills and printed per row), per element.
// Timings are the thread's CPU time (where the OS offers it), so that time spent descheduled
// on a shared machine does not count. "bits" is the generator alone (raw words out).
#include <algorithm>
#include <chrono>
#include <ctime>
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

}  // namespace

int main(int argc, char** argv) {
  using namespace weightinit;
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
        const double call = best_seconds(c.dist, dt, 64, reps, reps == 1 ? 1 : 200, buf);
        const double full = best_seconds(c.dist, dt, n, reps, iters, buf);
        call_max = std::max(call_max, call);
        std::printf(" %.3f |", std::max(0.0, full - call) / static_cast<double>(n) * 1e9);
      }
      std::printf(" %.1f |\n", call_max * 1e6);
    }
  }
  return 0;
}
