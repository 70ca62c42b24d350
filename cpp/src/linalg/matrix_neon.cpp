// SPDX-License-Identifier: BSD-3-Clause
// The neon matrix kernels: matrix-inl.hpp compiled under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS neon
#define WEIGHTINIT_MATRIX_ISA 3
#include "linalg/matrix-inl.hpp"

namespace weightinit::detail {
const MatrixKernels& matrix_kernels_neon() { return neon::matrix_table(); }
}  // namespace weightinit::detail
