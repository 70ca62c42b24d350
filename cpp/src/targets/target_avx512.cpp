// SPDX-License-Identifier: BSD-3-Clause
// The AVX-512 target (F, DQ, BW, VL): every kernel, compiled under this file's flags.
#define WEIGHTINIT_TARGET_ISA 2
#define WEIGHTINIT_TARGET_NS avx512
#include "targets/target-inl.hpp"

namespace weightinit::detail {
const TargetKernels& target_avx512() { return avx512::tables(); }
}  // namespace weightinit::detail
