// SPDX-License-Identifier: BSD-3-Clause
// The kernel tables of a target, and of the active one.
#pragma once

#include "targets/target.hpp"
#include "weightinit/cpu.hpp"

#ifndef WEIGHTINIT_HAVE_AVX2
#define WEIGHTINIT_HAVE_AVX2 0
#endif
#ifndef WEIGHTINIT_HAVE_AVX512
#define WEIGHTINIT_HAVE_AVX512 0
#endif
#ifndef WEIGHTINIT_HAVE_NEON
#define WEIGHTINIT_HAVE_NEON 0
#endif

namespace weightinit::detail {
/// Every kernel table of `target`: the one switch over the targets (a target this build does
/// not compile gives the scalar tables; set_active_target admits only available ones).
const TargetKernels& target_kernels(Target target);

/// The fill kernels of active_target(); read once per fill.
inline const KernelTable& active_kernels() { return target_kernels(active_target()).fill; }

/// The matrix kernels of `target`.
inline const MatrixKernels& matrix_kernels(Target target) { return target_kernels(target).matrix; }
}  // namespace weightinit::detail
