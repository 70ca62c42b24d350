// SPDX-License-Identifier: BSD-3-Clause
// The scalar target, the reference (plain C++, vectorizer off): every kernel, under its flags.
#define WEIGHTINIT_TARGET_ISA 0
#define WEIGHTINIT_TARGET_NS scalar
#include "targets/target-inl.hpp"

namespace weightinit::detail {
const TargetKernels& target_scalar() { return scalar::tables(); }
}  // namespace weightinit::detail
