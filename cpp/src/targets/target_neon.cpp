// SPDX-License-Identifier: BSD-3-Clause
// The NEON target (AArch64): every kernel, compiled under this file's flags.
#define WEIGHTINIT_TARGET_ISA 3
#define WEIGHTINIT_TARGET_NS neon
#include "targets/target-inl.hpp"

namespace weightinit::detail {
const TargetKernels& target_neon() { return neon::tables(); }
}  // namespace weightinit::detail
