// SPDX-License-Identifier: BSD-3-Clause
// JAX's fans (fans.hpp: jax_fans), in Python's exact integer and float arithmetic.

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "weightinit/fans.hpp"

namespace weightinit {
namespace {

using U64 = std::uint64_t;

// Python's ints do not overflow; 2^62 elements is far beyond any tensor, and keeps every
// shifted remainder of ratio() below 2^63.
constexpr U64 kLimit = U64{1} << 62;

// The product of `factors` (exact; 0 when any factor is 0), else std::invalid_argument.
U64 product(const std::vector<std::int64_t>& factors) {
  for (std::int64_t f : factors) {
    if (f == 0) return 0;
  }
  U64 p = 1;
  for (std::int64_t f : factors) {
    const auto u = static_cast<U64>(f);
    if (p > kLimit / u) throw std::invalid_argument("shape: a product of dimensions beyond 2^62");
    p *= u;
  }
  return p;
}

// n / d correctly rounded to double (n, d > 0), as Python's int / int: 55 or more quotient
// bits and a sticky bit for the rest, so the one conversion to double rounds as the exact
// quotient would. uint64 -> double conversions round to nearest.
double ratio(U64 n, U64 d) {
  U64 q = n / d, r = n % d;
  int e = 0;
  constexpr U64 kTwo54 = U64{1} << 54;
  while (q < kTwo54) {
    r <<= 1;
    q <<= 1;
    if (r >= d) {
      r -= d;
      q |= 1;
    }
    --e;
  }
  if (r != 0) q |= 1;
  return std::ldexp(static_cast<double>(q), e);
}

}  // namespace

RealFans jax_fans(const std::vector<std::int64_t>& shape, const JaxAxes& in_axis,
                  const JaxAxes& out_axis, const JaxAxes& batch_axis) {
  for (std::int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("shape: dimensions must be non-negative");
  }
  const auto rank = static_cast<std::int64_t>(shape.size());
  if (in_axis.single && in_axis.axes.size() == 1 && in_axis.axes[0] == -2 && rank <= 1) {
    throw std::invalid_argument(
        "in_axis: can't compute input and output sizes of a " + std::to_string(rank) +
        "-dimensional weights tensor with the default in_axis; it must be at least 2D or "
        "in_axis given explicitly");
  }
  auto size = [&](const JaxAxes& axes, const char* name) {
    std::vector<std::int64_t> dims;
    for (std::int64_t a : axes.axes) {
      if (a < -rank || a >= rank) {
        throw std::invalid_argument(std::string(name) + ": axis " + std::to_string(a) +
                                    " is out of range for a shape of rank " +
                                    std::to_string(rank));
      }
      dims.push_back(shape[static_cast<std::size_t>(a < 0 ? a + rank : a)]);
    }
    return product(dims);
  };
  const U64 in_size = size(in_axis, "in_axis");
  const U64 out_size = size(out_axis, "out_axis");
  const U64 batch_size = size(batch_axis, "batch_axis");
  const U64 total = product(shape);
  if (total == 0) return {0.0, 0.0};  // JAX divides by zero here; no element needs a law
  // math.prod(shape) / in_size / out_size / batch_size: int / int, then float / int (the int
  // converted to float first), then int * float.
  const double receptive = ratio(total, in_size) / static_cast<double>(out_size) /
                           static_cast<double>(batch_size);
  return {static_cast<double>(in_size) * receptive, static_cast<double>(out_size) * receptive};
}

}  // namespace weightinit
