// SPDX-License-Identifier: BSD-3-Clause
// The avx2 matrix kernels: matrix-inl.hpp compiled under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS avx2
#define WEIGHTINIT_MATRIX_ISA 1
#include "linalg/matrix-inl.hpp"

namespace weightinit::detail {
const MatrixKernels& matrix_kernels_avx2() { return avx2::matrix_table(); }
}  // namespace weightinit::detail
