// SPDX-License-Identifier: BSD-3-Clause
// The avx512 matrix kernels: matrix-inl.hpp compiled under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS avx512
#define WEIGHTINIT_MATRIX_ISA 2
#include "linalg/matrix-inl.hpp"

namespace weightinit::detail {
const MatrixKernels& matrix_kernels_avx512() { return avx512::matrix_table(); }
}  // namespace weightinit::detail
