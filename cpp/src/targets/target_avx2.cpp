// SPDX-License-Identifier: BSD-3-Clause
// The AVX2 target (with FMA and BMI2): every kernel, compiled under this file's flags.
#define WEIGHTINIT_TARGET_ISA 1
#define WEIGHTINIT_TARGET_NS avx2
#include "targets/target-inl.hpp"

namespace weightinit::detail {
const TargetKernels& target_avx2() { return avx2::tables(); }
}  // namespace weightinit::detail
