// SPDX-License-Identifier: BSD-3-Clause
// The once-per-fill setup of a law, for the tools that enumerate a kernel's input words.
#pragma once

#include "kernels/kernel.hpp"
#include "weightinit/fill.hpp"

namespace weightinit::detail {

/// The kernel constants and transform a fill of `dist` into `dtype` uses.
struct LawSetup {
  KernelArgs args;
  Transform transform;
};

/// What fill() computes once per call for `dist` and `dtype` (stream fields left zero);
/// throws std::invalid_argument where fill() would.
LawSetup law_setup(const Distribution& dist, DType dtype);

}  // namespace weightinit::detail
