// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream's avx2 kernels: tf_stream-inl.hpp under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS tf_avx2
#define WEIGHTINIT_TF_INTRINSICS 1
#include "tf_stream/tf_stream-inl.hpp"

namespace weightinit::detail {
const TfKernelTable& tf_kernels_avx2() { return tf_avx2::tf_table(); }
}  // namespace weightinit::detail
