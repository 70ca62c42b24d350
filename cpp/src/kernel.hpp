// SPDX-License-Identifier: BSD-3-Clause
// What fill.cpp hands a target's kernels: precomputed parameters and one table per target.
#pragma once

#include <cstdint>

namespace weightinit::detail {

/// Elements a kernel writes per group of 16 Philox blocks: 64 for 16/32-bit outputs
/// (one word each), 32 for float64 (two words each).
inline constexpr int kBlocksPerGroup = 16;

/// How words become values. kNormal also draws truncated normals (Φ bounds in the args).
/// kNormalWide is kNormal in double arithmetic for 16/32-bit outputs whose truncation
/// reaches probabilities below float32's comfortable range (docs/streams.md §5).
enum Transform : int { kUniform = 0, kNormal = 1, kNormalWide = 2, kBits = 3, kNumTransforms = 4 };

/// Everything a kernel needs, computed once per fill by fill.cpp. Every bound is already
/// representable in the output dtype, so clamping before the final rounding keeps it.
struct KernelArgs {
  std::uint32_t key0, key1;        // Philox key = seed
  std::uint32_t stream0, stream1;  // counter words 2-3 = stream id
  std::uint64_t offset;            // block position of element 0
  // float arithmetic (16/32-bit outputs)
  float f_lo, f_range;            // uniform: lo + u * range
  float f_pa, f_qb, f_delta;      // normal: Φ(a), Φ(-b), Φ(b) - Φ(a)
  float f_mean, f_std;
  float f_clamp_lo, f_clamp_hi;
  // double arithmetic (float64 outputs, kNormalWide)
  double d_lo, d_range;
  double d_pa, d_qb, d_delta;
  double d_mean, d_std;
  double d_clamp_lo, d_clamp_hi;
};

/// Writes groups [group, group + ngroups) of the tensor, contiguously, to `out`.
using GroupFn = void (*)(const KernelArgs& args, std::uint64_t group, std::uint64_t ngroups,
                         void* out);

/// Transforms given raw bits instead of drawing them: `bits` holds each element's bits in
/// element order (a uint32 per 16/32-bit element, a uint64 per float64 element), for
/// `ngroups` whole groups. The accuracy tools enumerate words through it; fills never do.
using WordsFn = void (*)(const KernelArgs& args, const void* bits, std::uint64_t ngroups,
                         void* out);

/// One target's kernels, indexed [dtype][transform]; nullptr where a pair does not exist.
struct KernelTable {
  GroupFn fn[6][kNumTransforms];
  WordsFn words[6][kNumTransforms];
};

const KernelTable& kernels_scalar();
const KernelTable& kernels_avx2();
const KernelTable& kernels_avx512();
const KernelTable& kernels_neon();

}  // namespace weightinit::detail
