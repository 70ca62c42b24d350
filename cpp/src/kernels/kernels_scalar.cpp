// SPDX-License-Identifier: BSD-3-Clause
// The scalar kernels: kernels-inl.hpp compiled under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS scalar
#define WEIGHTINIT_KERNEL_INTRINSICS 0
#include "kernels/kernels-inl.hpp"

namespace weightinit::detail {
const KernelTable& kernels_scalar() { return scalar::table(); }
}  // namespace weightinit::detail
