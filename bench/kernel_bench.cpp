// SPDX-License-Identifier: BSD-3-Clause
// Kernel speed into a cache-resident buffer, one thread, every available target:
// ns per element for each distribution and dtype (the floor is the cache, not memory).
//   kernel_bench [n [target [reps]]]   e.g. kernel_bench 65536 avx512 1 under callgrind
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "weightinit/weightinit.hpp"

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
      {"uniform", Distribution::uniform(-1, 1)},
      {"normal", Distribution::normal(0, 1)},
      {"trunc[-2,2]", Distribution::truncated_normal(0, 1, -2, 2)},
      {"trunc[3,8]", Distribution::truncated_normal(0, 1, 3, 8)},
  };
  const std::pair<const char*, DType> dtypes[] = {
      {"float32", DType::kFloat32}, {"bfloat16", DType::kBFloat16},
      {"float16", DType::kFloat16}, {"float64", DType::kFloat64}};
  std::vector<unsigned char> buf(n * 8);
  std::printf("| target | dtype |");
  for (const Case& c : cases) std::printf(" %s |", c.name);
  std::printf("\n|---|---|---|---|---|---|\n");
  for (Target t : available_targets()) {
    if (!only.empty() && only != target_name(t)) continue;
    set_active_target(t);
    for (const auto& [dname, dtype] : dtypes) {
      std::printf("| %s | %s |", target_name(t), dname);
      for (const Case& c : cases) {
        double best = 1e30;
        for (int rep = 0; rep < reps; ++rep) {
          const auto t0 = std::chrono::steady_clock::now();
          const int iters = reps == 1 ? 1 : 20;
          for (int i = 0; i < iters; ++i) fill(c.dist, {1, 0, 0}, dtype, 0, n, buf.data());
          const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
          best = std::min(best, dt.count() / iters / static_cast<double>(n) * 1e9);
        }
        std::printf(" %.3f |", best);
      }
      std::printf("\n");
    }
  }
  return 0;
}
