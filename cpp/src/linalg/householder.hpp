// SPDX-License-Identifier: BSD-3-Clause
// Blocked Householder QR: the orthonormal factor Q of a tall matrix, in its own precision.
#pragma once

#include <cstdint>

#include "linalg/matrix.hpp"

namespace weightinit::detail {

enum class Layout { kRowMajor, kColumnMajor };

/// A strided matrix: element (i, j) at p[i * rs + j * cs].
template <class T>
struct MatrixView {
  T* p;
  Index rs, cs;
  T* at(Index i, Index j) const { return p + i * rs + j * cs; }
  MatrixView sub(Index i, Index j) const { return {at(i, j), rs, cs}; }
  MatrixView t() const { return {p, cs, rs}; }
  operator MatrixView<const T>() const { return {p, rs, cs}; }
};

/// C (m x n) = A B, C + A B or C - A B with the per-element fused multiply-add chain of
/// GemmArgs, split over up to `threads` threads by tiles of C (so the bits do not depend on
/// `threads`). C must have rs == 1 or cs == 1; A and B any strides; none may overlap C.
template <class T>
void product(Index m, Index n, Index k, MatrixView<const T> a, MatrixView<const T> b,
             MatrixView<T> c, bool accumulate, bool subtract, const MatrixKernels& kernels,
             int threads);

/// Replace the n x k matrix `a` (n >= k >= 1; row-major with leading dimension k, or
/// column-major with leading dimension n) by the Q of its Householder QR A = Q R, Q n x k
/// with orthonormal columns, and set negative[j] = 1 where R[j, j] < 0, else 0.
///
/// LAPACK's scheme (geqrf, then orgqr): panels of 128 columns, each factored recursively
/// (Elmroth and Gustavson 2000) into a compact WY block reflector I - V T V^T (Schreiber and
/// Van Loan 1989) that updates the rest of the matrix as matrix products; Q is then formed
/// block by block, last block first. All arithmetic is in T (float or double): the products
/// are MatrixKernels's fused multiply-add chains, the rest plain IEEE operations in a fixed
/// order. Products are split over up to `threads` threads by whole tiles of their output,
/// so the bits depend neither on `threads` nor on the target of `kernels`.
///
/// Workspace: O((n + k) * 128) elements and per-thread packing buffers of a few MiB; the
/// matrix itself is transformed in place. Row-major and column-major input give the same
/// bits, transposed (every element takes the same operations).
template <class T>
void householder_q(T* a, Index n, Index k, Layout layout, unsigned char* negative,
                   const MatrixKernels& kernels, int threads);

extern template void product<float>(Index, Index, Index, MatrixView<const float>,
                                    MatrixView<const float>, MatrixView<float>, bool, bool,
                                    const MatrixKernels&, int);
extern template void product<double>(Index, Index, Index, MatrixView<const double>,
                                     MatrixView<const double>, MatrixView<double>, bool, bool,
                                     const MatrixKernels&, int);
extern template void householder_q<float>(float*, Index, Index, Layout, unsigned char*,
                                          const MatrixKernels&, int);
extern template void householder_q<double>(double*, Index, Index, Layout, unsigned char*,
                                           const MatrixKernels&, int);

}  // namespace weightinit::detail
