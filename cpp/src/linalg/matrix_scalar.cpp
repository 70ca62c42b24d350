// SPDX-License-Identifier: BSD-3-Clause
// The scalar matrix kernels: matrix-inl.hpp compiled under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS scalar
#define WEIGHTINIT_MATRIX_ISA 0
#include "linalg/matrix-inl.hpp"

namespace weightinit::detail {
const MatrixKernels& matrix_kernels_scalar() { return scalar::matrix_table(); }
}  // namespace weightinit::detail
