// SPDX-License-Identifier: BSD-3-Clause
// Initialize a conv kernel and a shard of it with weightinit's C++ API.
#include <cmath>
#include <cstdio>
#include <vector>

#include "weightinit/weightinit.hpp"

int main() {
  using namespace weightinit;
  const std::vector<std::int64_t> shape = {3, 3, 64, 128};  // TF layout (kh, kw, in, out)
  const Fans fans = compute_fans(shape, FanLayout::kTensorFlow);
  // he_normal: truncated at 2 sigma, scaled so the final std is sqrt(2 / fan_in).
  const double stddev = std::sqrt(2.0 / static_cast<double>(fans.fan_in)) / 0.87962566103423978;
  const Distribution dist = Distribution::truncated_normal(0.0, stddev, -2.0, 2.0);
  const StreamSpec stream{/*seed=*/42, /*stream_id=*/0, /*offset=*/0};

  std::vector<float> w(3 * 3 * 64 * 128);
  fill(dist, stream, DType::kFloat32, 0, w.size(), w.data());

  // The kernel's last 16 rows of the first tap, filled alone, equal the same slice.
  std::vector<float> shard(16 * 128);
  fill_box(dist, stream, DType::kFloat32, shape, {0, 0, 48, 0}, {1, 1, 16, 128}, shard.data(),
           {16 * 128 * 4 * 4, 16 * 128 * 4, 128 * 4, 4});
  bool same = true;
  for (std::size_t i = 0; i < shard.size(); ++i) same = same && shard[i] == w[48 * 128 + i];

  double sum = 0, sq = 0;
  for (float v : w) {
    sum += v;
    sq += static_cast<double>(v) * v;
  }
  const double mean = sum / static_cast<double>(w.size());
  std::printf("weightinit %s, target %s, %d threads\n", WEIGHTINIT_VERSION_STRING,
              target_name(active_target()), get_num_threads());
  std::printf("fan_in %lld fan_out %lld\n", static_cast<long long>(fans.fan_in),
              static_cast<long long>(fans.fan_out));
  std::printf("w[0..3] = %.8f %.8f %.8f %.8f\n", w[0], w[1], w[2], w[3]);
  std::printf("mean %+.2e std %.6f (want %.6f)\n", mean,
              std::sqrt(sq / static_cast<double>(w.size()) - mean * mean),
              std::sqrt(2.0 / static_cast<double>(fans.fan_in)));
  std::printf("shard equals slice: %s\n", same ? "yes" : "NO");
  return same ? 0 : 1;
}
