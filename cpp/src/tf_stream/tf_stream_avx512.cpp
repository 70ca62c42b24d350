// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream's avx512 kernels: tf_stream-inl.hpp under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS tf_avx512
#define WEIGHTINIT_TF_INTRINSICS 1
#include "tf_stream/tf_stream-inl.hpp"

namespace weightinit::detail {
const TfKernelTable& tf_kernels_avx512() { return tf_avx512::tf_table(); }
}  // namespace weightinit::detail
