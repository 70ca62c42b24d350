// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream's neon kernels: tf_stream-inl.hpp under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS tf_neon
#include "tf_stream/tf_stream-inl.hpp"

namespace weightinit::detail {
const TfKernelTable& tf_kernels_neon() { return tf_neon::tf_table(); }
}  // namespace weightinit::detail
