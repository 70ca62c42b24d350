// SPDX-License-Identifier: BSD-3-Clause
// The neon kernels: kernels-inl.hpp compiled under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS neon
#define WEIGHTINIT_KERNEL_INTRINSICS 0
#include "kernels/kernels-inl.hpp"

namespace weightinit::detail {
const KernelTable& kernels_neon() { return neon::table(); }
}  // namespace weightinit::detail
