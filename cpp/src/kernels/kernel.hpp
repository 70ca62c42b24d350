// SPDX-License-Identifier: BSD-3-Clause
// What fill.cpp hands a target's kernels: precomputed parameters and one table per target.
#pragma once

#include <cstdint>

namespace weightinit::detail {

/// Elements a kernel writes per group of 16 Philox blocks: 64 for 16/32-bit outputs
/// (one word each), 32 for float64 (two words each).
inline constexpr int kBlocksPerGroup = 16;

/// How words become values (docs/streams.md §5). For 16/32-bit outputs kNormal, kNormalSym
/// and kNormalAsym run in float arithmetic (the normal; a window [-c, c]; another window
/// around 0 that the float tables cover), kNormalWide in double (any other window the
/// double probabilities resolve) and kNormalFar in double with the tail probability in log
/// space (one-sided windows far out). float64 outputs run kNormalWide's arithmetic for all
/// but kNormalFar and kNormalNarrow (windows only a few thousand float64 values wide,
/// drawn by their offset from the bottom).
enum Transform : int {
  kUniform = 0,
  kNormal = 1,
  kNormalSym = 2,
  kNormalAsym = 3,
  kNormalWide = 4,
  kNormalFar = 5,
  kNormalNarrow = 6,
  kBits = 7,
  kNumTransforms = 8
};

/// Everything a kernel needs, computed once per fill by fill.cpp. Every bound is already
/// representable in the output dtype, so clamping before the final rounding keeps it.
struct KernelArgs {
  std::uint32_t key0, key1;        // Philox key = seed
  std::uint32_t stream0, stream1;  // counter words 2-3 = stream id
  std::uint64_t offset;            // block position of element 0
  // float arithmetic (16/32-bit outputs)
  float f_lo, f_range;            // uniform: lo + u * range
  float f_mean, f_std;
  float f_clamp_lo, f_clamp_hi;
  std::uint32_t f_centre_max;     // kNormal/Sym: centre iff 2^32 - (2v + 1) <= f_centre_max
  double f_delta, f_pa33;         // kNormalSym: Δ and Φ(a) 2^33, in double
  std::uint32_t f_split;          // kNormalAsym: the first word above the median
  std::uint32_t f_kc_lo, f_kc_hi; // kNormalAsym: central iff the distance k <= these
  double f_delta2;                // kNormalAsym: 2Δ
  double f_off[4];                // kNormalAsym: x offsets, central lower/upper, tail lower/upper
  // double arithmetic (float64 outputs, kNormalWide, kNormalFar)
  double d_lo, d_range;
  double d_mean, d_std;
  double d_clamp_lo, d_clamp_hi;
  std::uint64_t w_flip;           // all ones: the law is mirrored (draw -z from ~W)
  std::uint64_t w_lower;          // words W < w_lower lie below the median (lower side)
  double d_delta;                 // kNormalWide: Δ 2^-B (B = 32 or 64 bits per element)
  double d_f_lo, d_f_hi;          // fractions of the median word on each side
  double d_c_hi;                  // |q| at the bottom of a window above 0 (Φ(a) - 1/2), else 0
  double d_pa, d_qb;              // Φ(a), Φ(-b)
  double d_near, d_log_sa;        // kNormalFar: a and ln S(a) (S(x) = Φ(-x))
  double d_far_d, d_far_e;        // kNormalFar: D = 1 - S(b)/S(a) and E = S(b)/S(a)
  double d_narrow_w, d_narrow_h;  // kNormalNarrow: the width w = b - a and H(w) (math-inl.hpp)
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

}  // namespace weightinit::detail
