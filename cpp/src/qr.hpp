// SPDX-License-Identifier: BSD-3-Clause
// Householder QR of a tall matrix, for Orthogonal: the sign-fixed orthonormal factor.
#pragma once

#include <cstdint>

namespace weightinit::detail {

/// Replace the column-major m x n matrix `a` (m >= n >= 1, leading dimension m) by the Q of
/// its reduced QR factorization A = Q R, with column j of Q multiplied by sign(R[j, j])
/// (sign(0) = 0, a zero column). That Q is unique for a full-rank A, so it does not depend on
/// the algorithm: it equals NumPy's `q * sign(diag(r))` up to rounding.
///
/// Blocked Householder QR (compact WY form, Schreiber & Van Loan 1989) in double, with the
/// trailing updates split over up to `threads` threads by column blocks. Every element is
/// computed by one thread in a fixed order, so the result does not depend on `threads`.
void orthonormal_factor(double* a, std::int64_t m, std::int64_t n, int threads);

}  // namespace weightinit::detail
