// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream's scalar kernels: tf_stream-inl.hpp under this file's instruction-set flags.
#define WEIGHTINIT_TARGET_NS tf_scalar
#include "tf_stream/tf_stream-inl.hpp"

namespace weightinit::detail {
const TfKernelTable& tf_kernels_scalar() { return tf_scalar::tf_table(); }
}  // namespace weightinit::detail
