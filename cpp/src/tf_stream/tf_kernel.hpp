// SPDX-License-Identifier: BSD-3-Clause
// What tf_stream.cpp hands a target's TensorFlow-stream kernels (tf_stream-inl.hpp).
#pragma once

#include <cstdint>

namespace weightinit::detail {

/// The TensorFlow random ops the stream reproduces.
enum TfOp : int {
  kTfUniform = 0,          ///< RandomUniform, then x * (max - min) + min in the dtype
  kTfNormal = 1,           ///< RandomStandardNormal, then z * stddev + mean
  kTfTruncatedNormal = 2,  ///< TruncatedNormal, then t * stddev + mean
  kTfUniformInt = 3,       ///< RandomUniformInt: min + (w mod (max - min))
  kTfNumOps = 4
};

/// One fill's parameters, in the output dtype's arithmetic, computed once by tf_stream.cpp.
struct TfArgs {
  std::uint32_t key0, key1;  // Philox key: low and high words of TF's `seed`
  std::uint32_t ctr2, ctr3;  // counter words 2 and 3: low and high words of `seed2`
  // x * mul + add (x the op's raw value; the addition skipped when has_add is false: an add of
  // zero, which TF's graph optimizer removes). float32 and the 16-bit types: f_*
  // (the 16-bit types hold their 16-bit values, exactly); float64: d_*.
  float f_mul, f_add;
  double d_mul, d_add;
  bool has_add;
  // RandomUniformInt: base + (bits mod range), in unsigned arithmetic.
  std::uint32_t range32, base32;
  std::uint64_t range64, base64;
};

/// Writes groups [group, group + ngroups) contiguously to `out`. A group is 4 outputs for
/// 32- and 16-bit dtypes and 2 for 64-bit ones (TF's kResultElementCount).
using TfGroupFn = void (*)(const TfArgs& args, std::uint64_t group, std::uint64_t ngroups,
                           void* out);

/// One target's kernels, indexed [fill DType][TfOp]; nullptr where a pair does not exist.
struct TfKernelTable {
  TfGroupFn fn[6][kTfNumOps];
};

}  // namespace weightinit::detail
