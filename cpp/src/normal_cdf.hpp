// SPDX-License-Identifier: BSD-3-Clause
// The normal CDF in double, for the once-per-fill setup of truncated normals. Our own
// exp and series, no libm, so the setup gives the same bits on every platform.
#pragma once

namespace weightinit::detail {

/// exp(x) for -745 < x <= 709, about 1 ulp.
double exp_f64(double x);

/// Φ(x), the standard normal CDF, for x <= 0 (about 1e-15 relative; 0 below about -38.5).
double normal_cdf_lower(double x);

}  // namespace weightinit::detail
