// SPDX-License-Identifier: BSD-3-Clause
// fan_in / fan_out of a weight shape: TensorFlow's and PyTorch's layouts, Keras's and JAX's axes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
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

/// Keras 3's fans with explicit axes (`compute_fans(shape, input_axes, output_axes)`, used
/// when both axis lists are given, e.g. an attention kernel (d_model, heads, head_dim) with
/// input_axes {0} and output_axes {1, 2}): fan_in is the product of shape[a] over
/// `input_axes`, fan_out over `output_axes`, and the remaining axes count for nothing (no
/// receptive field). An axis may be negative (counted from the end, as a Python index) and
/// may repeat; one outside [-rank, rank), or a negative dimension, throws
/// std::invalid_argument naming the list.
inline Fans compute_fans(const std::vector<std::int64_t>& shape,
                         const std::vector<std::int64_t>& input_axes,
                         const std::vector<std::int64_t>& output_axes) {
  for (std::int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("shape: dimensions must be non-negative");
  }
  const auto rank = static_cast<std::int64_t>(shape.size());
  auto product = [&](const std::vector<std::int64_t>& axes, const char* name) {
    std::int64_t p = 1;
    for (std::int64_t a : axes) {
      if (a < -rank || a >= rank) {
        throw std::invalid_argument(std::string(name) + ": axis " + std::to_string(a) +
                                    " is out of range for a shape of rank " +
                                    std::to_string(rank));
      }
      p *= shape[static_cast<std::size_t>(a < 0 ? a + rank : a)];
    }
    return p;
  };
  return {product(input_axes, "input_axes"), product(output_axes, "output_axes")};
}

/// One of JAX's axis arguments (`in_axis`, `out_axis`, `batch_axis`): a single int
/// (`single`) or a sequence of ints. Only the int -2 as `in_axis` is special (see jax_fans).
struct JaxAxes {
  std::vector<std::int64_t> axes;
  bool single = false;
};

/// Real-valued fans, as JAX computes them (fractional when its axes overlap).
struct RealFans {
  double fan_in;
  double fan_out;
};

/// JAX's `_compute_fans(shape, in_axis, out_axis, batch_axis)` (jax/_src/nn/initializers.py),
/// with its Python arithmetic rounded as Python rounds it:
///   in_size, out_size, batch_size = the products of the dimensions at those axes (exact);
///   receptive = prod(shape) / in_size / out_size / batch_size (the first division int / int,
///     correctly rounded; then float / int);
///   fan_in = in_size * receptive, fan_out = out_size * receptive.
/// Axes may be negative (from the end) and may overlap or repeat, as in JAX (Flax's embedding
/// kernels use in_axis -2 with out_axis 0). A shape with no elements gives (0, 0) after the
/// axis checks (JAX divides by zero there; no element needs a law).
/// Throws std::invalid_argument: `in_axis` the single int -2 with a shape of rank <= 1
/// ("in_axis: can't compute input and output sizes of a 1-dimensional weights tensor with the
/// default in_axis; ..."), an axis outside [-rank, rank) ("out_axis: axis 3 is out of range
/// for a shape of rank 2"), a negative dimension, more elements than 2^62.
RealFans jax_fans(const std::vector<std::int64_t>& shape, const JaxAxes& in_axis,
                  const JaxAxes& out_axis, const JaxAxes& batch_axis);

}  // namespace weightinit
