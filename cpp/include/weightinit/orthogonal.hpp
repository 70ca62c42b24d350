// SPDX-License-Identifier: BSD-3-Clause
// (Semi-)orthogonal matrices: the sign-fixed Q of the Householder QR of a normal matrix.
#pragma once

#include <cstdint>
#include <vector>

#include "weightinit/fill.hpp"

namespace weightinit {

/// Write gain times a Haar-distributed (semi-)orthogonal rows x cols matrix to `out`
/// (row-major, contiguous, rows * cols elements of `dtype`: float32, float64, float16 or
/// bfloat16).
///
/// With n = max(rows, cols), k = min(rows, cols) and the working precision w = double for
/// float64 output, float otherwise: A is the n x k matrix with A[i][j] = element i * k + j
/// of fill(Distribution::normal(0, 1), stream) in w; A = Q R is its Householder QR in w;
/// column j of Q is multiplied by sign(R[j][j]) (+1 where R[j][j] = 0), which makes Q
/// Haar-distributed (Mezzadri 2007); W = Q if rows >= cols, else Q^T; and
/// out = gain * W, the exact product rounded once to `dtype`. So W^T W = I (rows >= cols)
/// or W W^T = I, to a few units of w's rounding error times n.
///
/// The bits depend only on (rows, cols, gain, dtype, stream): never on the thread count
/// (get_num_threads()) or the kernel target. Runs on the fill threads; O(n k^2) work. Works
/// in place in `out` when dtype is w (float32, float64); 16-bit outputs use one n x k
/// working matrix in float. rows == 0 or cols == 0 writes nothing.
/// Throws std::invalid_argument (naming the argument) for negative sizes, rows * cols
/// beyond 2^62 elements, a non-finite gain, or a dtype that is not a float type.
void orthogonal(std::int64_t rows, std::int64_t cols, double gain, DType dtype,
                const Stream& stream, void* out);

/// The spatial centre of a delta-orthogonal kernel (Xiao et al. 2018): for a kernel shape
/// (k1, [k2, [k3,]] in, out), the index ((k1 - 1) / 2, ...) of its spatial axes (all but the
/// last two), rounded down, where TF's ConvolutionDeltaOrthogonal and JAX's delta_orthogonal
/// put the orthogonal in x out matrix; every other element is zero. An extent of 0 gives 0
/// (the kernel has no elements). Throws std::invalid_argument for a rank below 2 or a
/// negative dimension; the frameworks' own rank and in <= out checks stay theirs.
std::vector<std::int64_t> delta_orthogonal_centre(const std::vector<std::int64_t>& shape);

}  // namespace weightinit
