// SPDX-License-Identifier: BSD-3-Clause
// The kernel table of the active target.
#pragma once

#include "kernels/kernel.hpp"

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
/// The kernels of active_target(); read once per fill.
const KernelTable& active_kernels();
}  // namespace weightinit::detail
