// SPDX-License-Identifier: BSD-3-Clause
// The normal CDF in double, for the once-per-fill setup of truncated normals. Our own
// exp and series, no libm, so the setup gives the same bits on every platform.
#pragma once

#include "kernels/kernel.hpp"

namespace weightinit::detail {

/// exp(x) for -745 < x <= 709, about 1 ulp.
double exp_f64(double x);

/// Φ(x), the standard normal CDF, for x <= 0 (about 1e-15 relative; 0 below about -38.5).
double normal_cdf_lower(double x);

/// Φ(x) - 1/2, with its relative precision also near 0.
double normal_cdf_centred(double x);

/// ln S(x) = ln Φ(-x) for x >= 0, at any distance (about 1e-15 relative).
double log_normal_sf(double x);

/// Φ(b) - Φ(a) for a < b (either may be infinite), without cancellation: narrow windows by
/// Gauss-Legendre quadrature of the density.
double normal_mass(double a, double b);

/// The kernel constants of N(0, 1) truncated to [a, b] (a < b, either may be infinite) and
/// the transform that draws it (docs/streams.md §5); `f64`: float64 output.
Transform normal_law_setup(double a, double b, bool f64, KernelArgs& args);

}  // namespace weightinit::detail
