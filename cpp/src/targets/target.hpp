// SPDX-License-Identifier: BSD-3-Clause
// One target's kernel tables, and the entry point each targets/target_<isa>.cpp exports.
#pragma once

#include "kernels/kernel.hpp"
#include "linalg/matrix.hpp"
#include "tf_stream/tf_kernel.hpp"

namespace weightinit::detail {

/// Every kernel table of one target, all compiled under that target's instruction-set flags
/// (targets/target-inl.hpp). Built once, on the first call of the target's entry point.
struct TargetKernels {
  KernelTable fill;      ///< stream v2's fills (kernels/kernels-inl.hpp)
  TfKernelTable tf;      ///< the TensorFlow stream (tf_stream/tf_stream-inl.hpp)
  MatrixKernels matrix;  ///< the QR's matrix products (linalg/matrix-inl.hpp)
};

// Only the targets this build compiles are defined (WEIGHTINIT_HAVE_*); runtime/dispatch.cpp
// picks among them.
const TargetKernels& target_scalar();
const TargetKernels& target_avx2();
const TargetKernels& target_avx512();
const TargetKernels& target_neon();

}  // namespace weightinit::detail
