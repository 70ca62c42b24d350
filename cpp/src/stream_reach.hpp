// SPDX-License-Identifier: BSD-3-Clause
// How far stream v1's normal transform reaches, per working precision (docs/robustness.md).
// The setup refuses any law whose reachable values overflow the output dtype; these numbers
// describe the kernels (kernels-inl.hpp), so a change of the transform updates them here,
// and tests/cpp/test_robust.cpp checks them against the kernels' own quantile function.
#pragma once

namespace weightinit::detail {

/// The smallest uniform U a normal draw uses, per working precision: its CDF value is then
/// Φ(a) + U Δ (or Φ(-b) + U Δ on the upper side), so for an untruncated normal the largest
/// |z| any draw reaches is -Φ⁻¹(kMinU): 6.2303 for float32 arithmetic (16/32-bit
/// outputs), 6.3380 for kNormalWide, 8.2095 for float64.
inline constexpr double kMinUFloat = 0x1p-32;   // U = (k + 1/2) 2^-31, k = w >> 1
inline constexpr double kMinUWide = 0x1p-33;    // U = (w + 1/2) 2^-32
inline constexpr double kMinUDouble = 0x1p-53;  // U = (k + 1/2) 2^-52, k = the top 52 bits

/// Relative allowance for the kernels' own error on top of the exact quantile: PPND7 (float)
/// is within 5.6 ulp (4e-7 relative, docs/streams.md), and mean + stddev * z adds two
/// roundings of the working precision.
inline constexpr double kReachMargin = 0x1p-20;

/// No draw reaches |z| >= kFarTail: the window checks keep every drawn CDF value >= 1e-300,
/// and Φ(-37.5) = 4.6e-308. Windows wholly beyond it are refused before Φ is evaluated.
inline constexpr double kFarTail = 37.5;

}  // namespace weightinit::detail
