// SPDX-License-Identifier: BSD-3-Clause
// How far stream v2's normal transforms reach (docs/streams.md §5.4). The setup refuses any
// law whose reachable values overflow the output dtype; tests/cpp/test_robust.cpp checks these
// bounds against the kernels' own extreme words.
#pragma once

#include <cmath>

namespace weightinit::detail {

/// The largest z a draw of the window [a, +inf) reaches (a in standard deviations, -inf for
/// the untruncated normal). Every kernel's tail probability is at least 2^-65 of the window's
/// mass (float32 arithmetic: t >= 2^-33; float64: t >= 2^-65 of the window), and beyond
/// m = max(a, 0) the normal's tail falls at least as fast as exp(-(z^2 - m^2) / 2) (its hazard
/// rate exceeds z), so z^2 <= m^2 + 130 ln 2; 132 ln 2 leaves room. The untruncated normal's
/// true reach is 6.3380 (float32 arithmetic) and 9.1553 (float64); this bound gives 9.565.
inline double upper_reach(double a) {
  const double m = a > 0 ? a : 0.0;
  return std::sqrt(m * m + 132.0 * 0.693147180559945309417);
}

/// Relative allowance for the kernels' own error on top of the exact quantile (at most a few
/// ulp of float32, docs/streams.md §5.5), and mean + stddev * z's roundings.
inline constexpr double kReachMargin = 0x1p-20;

}  // namespace weightinit::detail
