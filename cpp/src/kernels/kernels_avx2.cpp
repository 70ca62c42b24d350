// SPDX-License-Identifier: BSD-3-Clause
// The avx2 kernels: kernels-inl.hpp compiled under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS avx2
#define WEIGHTINIT_KERNEL_INTRINSICS 1
#include "kernels/kernels-inl.hpp"

namespace weightinit::detail {
const KernelTable& kernels_avx2() { return avx2::table(); }
}  // namespace weightinit::detail
