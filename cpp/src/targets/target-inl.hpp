// SPDX-License-Identifier: BSD-3-Clause
// One target: every kernel family (fills, the TensorFlow stream, the matrix products), each
// written once, compiled under the including file's instruction-set flags.
//
// targets/target_<isa>.cpp defines two macros and includes this file:
//   WEIGHTINIT_TARGET_ISA  its weightinit::Target value, the one switch of the kernels'
//                          intrinsics: 0 scalar (plain C++), 1 AVX2, 2 AVX-512, 3 NEON;
//   WEIGHTINIT_TARGET_NS   its namespace, weightinit::detail::<ns>.
// Each family opens its own namespace inside the target's (kernels, tf_stream, linalg), so
// their internal helpers of the same name (the bit casts, the fused multiply-add, Philox's
// lanes) never meet. All of it has internal linkage but tables(), which lives in the target's
// namespace: no wide-ISA copy of a helper can reach another target (.ci/check_target_symbols.py).

#if !defined(WEIGHTINIT_TARGET_ISA) || !defined(WEIGHTINIT_TARGET_NS)
#error "define WEIGHTINIT_TARGET_ISA and WEIGHTINIT_TARGET_NS before including target-inl.hpp"
#endif
// The file's flags (CMakeLists.txt) must enable what its ISA's intrinsics use.
#if (WEIGHTINIT_TARGET_ISA == 1 && !defined(__AVX2__)) || \
    (WEIGHTINIT_TARGET_ISA == 2 && !defined(__AVX512F__))
#error "WEIGHTINIT_TARGET_ISA: this file is not compiled with its target's instruction set"
#endif

#include "targets/target.hpp"

#include "kernels/kernels-inl.hpp"
#include "linalg/matrix-inl.hpp"
#include "tf_stream/tf_stream-inl.hpp"

namespace weightinit::detail::WEIGHTINIT_TARGET_NS {

/// The target's tables, built on the first call (thread-safe).
const TargetKernels& tables() {
  static const TargetKernels k{kernels::make_table(), tf_stream::make_tf_table(),
                               linalg::make_matrix_table()};
  return k;
}

}  // namespace weightinit::detail::WEIGHTINIT_TARGET_NS
