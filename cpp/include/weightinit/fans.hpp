// SPDX-License-Identifier: BSD-3-Clause
// fan_in / fan_out of a weight shape, in TensorFlow's and PyTorch's layouts.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace weightinit {

/// Which axes hold the input and output features.
enum class FanLayout {
  kTensorFlow,  ///< (..., in, out): a dense kernel is (in, out), a conv kernel (kh, kw, in, out)
  kTorch,       ///< (out, in, *kernel): Linear is (out, in), ConvNd is (out, in/groups, k...)
};

/// The fans of one shape. Integers: a zero dimension gives zero fans (callers guard).
struct Fans {
  std::int64_t fan_in;
  std::int64_t fan_out;
};

/// fan_in and fan_out of `shape` in `layout`.
///
/// TensorFlow (`_compute_fans`): rank 0 -> (1, 1); rank 1 -> (n, n); rank 2 -> (in, out);
/// rank >= 3 -> (shape[-2] * R, shape[-1] * R) with R the product of shape[:-2].
/// Torch (`_calculate_fan_in_and_fan_out`): rank < 2 throws std::invalid_argument;
/// otherwise (shape[1] * R, shape[0] * R) with R the product of shape[2:].
/// Negative dimensions throw std::invalid_argument.
inline Fans compute_fans(const std::vector<std::int64_t>& shape, FanLayout layout) {
  for (std::int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("shape: dimensions must be non-negative");
  }
  const std::size_t rank = shape.size();
  if (layout == FanLayout::kTorch) {
    if (rank < 2) {
      throw std::invalid_argument(
          "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    }
    std::int64_t receptive = 1;
    for (std::size_t k = 2; k < rank; ++k) receptive *= shape[k];
    return {shape[1] * receptive, shape[0] * receptive};
  }
  if (rank == 0) return {1, 1};
  if (rank == 1) return {shape[0], shape[0]};
  std::int64_t receptive = 1;
  for (std::size_t k = 0; k + 2 < rank; ++k) receptive *= shape[k];
  return {shape[rank - 2] * receptive, shape[rank - 1] * receptive};
}

}  // namespace weightinit
