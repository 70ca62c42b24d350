// SPDX-License-Identifier: BSD-3-Clause
// Every fill kernel, written once as branch-free code over groups of 16 Philox blocks.
// kernels_<target>.cpp defines WEIGHTINIT_TARGET_NS and includes this file; the compiler
// vectorizes the 16-lane loops under that file's instruction-set flags. Everything here has
// internal linkage, so no wide-ISA copy of a helper can be picked up by another target.

#ifndef WEIGHTINIT_TARGET_NS
#error "define WEIGHTINIT_TARGET_NS before including kernels-inl.hpp"
#endif

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernel.hpp"
#include "weightinit/philox.hpp"

namespace weightinit::detail::WEIGHTINIT_TARGET_NS {

#include "math-inl.hpp"

namespace {

constexpr int kLanes = kBlocksPerGroup;

// Output storage: float32, float64, and the 16-bit types as raw bits.
enum OutKind { kOutF32 = 0, kOutF64 = 1, kOutF16 = 2, kOutBF16 = 3, kOutU32 = 4 };

// The 4 x 16 words of group `group`: lane j is block offset + 16 * group + j.
WEIGHTINIT_INLINE void philox_group(const KernelArgs& a, std::uint64_t group,
                                    std::uint32_t (&w)[4][kLanes]) {
  const std::uint64_t base = a.offset + group * kLanes;
  std::uint32_t x0[kLanes], x1[kLanes], x2[kLanes], x3[kLanes];
  for (int j = 0; j < kLanes; ++j) {
    const std::uint64_t pos = base + static_cast<std::uint64_t>(j);
    x0[j] = static_cast<std::uint32_t>(pos);
    x1[j] = static_cast<std::uint32_t>(pos >> 32);
    x2[j] = a.stream0;
    x3[j] = a.stream1;
  }
  std::uint32_t k0 = a.key0, k1 = a.key1;
  for (int r = 0; r < 10; ++r) {
    for (int j = 0; j < kLanes; ++j) {
      const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * x0[j];
      const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * x2[j];
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1[j] ^ k0;
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3[j] ^ k1;
      x1[j] = static_cast<std::uint32_t>(p1);
      x3[j] = static_cast<std::uint32_t>(p0);
      x0[j] = n0;
      x2[j] = n2;
    }
    k0 += kPhiloxW0;
    k1 += kPhiloxW1;
  }
  for (int j = 0; j < kLanes; ++j) {
    w[0][j] = x0[j];
    w[1][j] = x1[j];
    w[2][j] = x2[j];
    w[3][j] = x3[j];
  }
}

// --- float arithmetic, one 32-bit word per element ---------------------------------------

// Uniform on [lo, lo + range): the word's top 24 bits as k * 2^-24.
WEIGHTINIT_INLINE float uniform_f32(const KernelArgs& a, std::uint32_t w) {
  const float u = static_cast<float>(static_cast<std::int32_t>(w >> 8)) * 5.9604644775390625e-08f;
  const float x = a.f_lo + u * a.f_range;
  const float lo = x < a.f_clamp_lo ? a.f_clamp_lo : x;
  return lo > a.f_clamp_hi ? a.f_clamp_hi : lo;
}

// Normal, truncated to [a, b] (std units) by inverse CDF: u = Φ(a) + U (Φ(b) - Φ(a)) with
// U = (k + 1/2) 2^-31 from the word's top 31 bits. Whichever of u and 1 - u is smaller is
// formed directly (1 - u = Φ(-b) + (1 - U) Δ), so both tails keep full relative precision.
WEIGHTINIT_INLINE float normal_f32(const KernelArgs& a, std::uint32_t w) {
  const float scale = 4.656612873077392578125e-10f;  // 2^-31
  const float half_step = 2.3283064365386962890625e-10f;  // 2^-32
  const float u = static_cast<float>(static_cast<std::int32_t>(w >> 1)) * scale + half_step;
  const float uc = static_cast<float>(static_cast<std::int32_t>(~w >> 1)) * scale + half_step;
  const float t_lo = a.f_pa + u * a.f_delta;
  const float t_hi = a.f_qb + uc * a.f_delta;
  const bool lower = t_lo <= t_hi;
  const float z = ndtri_lower_f32(lower ? t_lo : t_hi);
  const float x = a.f_mean + a.f_std * (lower ? z : -z);
  const float lo = x < a.f_clamp_lo ? a.f_clamp_lo : x;
  return lo > a.f_clamp_hi ? a.f_clamp_hi : lo;
}

// --- double arithmetic --------------------------------------------------------------------

// U in [0, 1) with 52 bits: the top 52 bits of `bits` as the mantissa of [1, 2), minus 1.
WEIGHTINIT_INLINE double unit_f64(std::uint64_t bits) {
  return f64_from_bits(0x3ff0000000000000ull | (bits >> 12)) - 1.0;
}

WEIGHTINIT_INLINE double uniform_f64(const KernelArgs& a, std::uint64_t bits) {
  const double x = a.d_lo + unit_f64(bits) * a.d_range;
  const double lo = x < a.d_clamp_lo ? a.d_clamp_lo : x;
  return lo > a.d_clamp_hi ? a.d_clamp_hi : lo;
}

// As normal_f32, in double: U = (k + 1/2) 2^-52 from the top 52 bits, 1 - U exact.
WEIGHTINIT_INLINE double normal_f64(const KernelArgs& a, std::uint64_t bits) {
  const double half_step = 1.1102230246251565404236e-16;  // 2^-53
  const double u = unit_f64(bits) + half_step;
  const double uc = unit_f64(~bits) + half_step;
  const double t_lo = a.d_pa + u * a.d_delta;
  const double t_hi = a.d_qb + uc * a.d_delta;
  const bool lower = t_lo <= t_hi;
  const double z = ndtri_lower_f64(lower ? t_lo : t_hi);
  const double x = a.d_mean + a.d_std * (lower ? z : -z);
  const double lo = x < a.d_clamp_lo ? a.d_clamp_lo : x;
  return lo > a.d_clamp_hi ? a.d_clamp_hi : lo;
}

// kNormalWide for one 32-bit word: U = (w + 1/2) 2^-32, exact in double.
WEIGHTINIT_INLINE double normal_wide(const KernelArgs& a, std::uint32_t w) {
  const double scale = 2.3283064365386962890625e-10;  // 2^-32
  const double u = (static_cast<double>(w) + 0.5) * scale;
  const double uc = (static_cast<double>(~w) + 0.5) * scale;
  const double t_lo = a.d_pa + u * a.d_delta;
  const double t_hi = a.d_qb + uc * a.d_delta;
  const bool lower = t_lo <= t_hi;
  const double z = ndtri_lower_f64(lower ? t_lo : t_hi);
  const double x = a.d_mean + a.d_std * (lower ? z : -z);
  const double lo = x < a.d_clamp_lo ? a.d_clamp_lo : x;
  return lo > a.d_clamp_hi ? a.d_clamp_hi : lo;
}

template <int Out>
WEIGHTINIT_INLINE void store(void* out, std::uint64_t i, float v) {
  if constexpr (Out == kOutF32) {
    static_cast<float*>(out)[i] = v;
  } else if constexpr (Out == kOutF16) {
    static_cast<std::uint16_t*>(out)[i] = f16_from_f32(v);
  } else {
    static_cast<std::uint16_t*>(out)[i] = bf16_from_f32(v);
  }
}

// Element 16 k + j of a group of 64 is word k of lane j.
template <int Out, int T>
void fill_groups_32(const KernelArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    std::uint32_t w[4][kLanes];
    philox_group(a, group + g, w);
    const std::uint64_t base = g * 4 * kLanes;
    for (int k = 0; k < 4; ++k) {
      for (int j = 0; j < kLanes; ++j) {
        if constexpr (T == kBits) {
          static_cast<std::uint32_t*>(out)[base + static_cast<std::uint64_t>(k * kLanes + j)] = w[k][j];
          continue;
        }
        float v;
        if constexpr (T == kUniform) {
          v = uniform_f32(a, w[k][j]);
        } else if constexpr (T == kNormal) {
          v = normal_f32(a, w[k][j]);
        } else {
          v = static_cast<float>(normal_wide(a, w[k][j]));
        }
        store<Out>(out, base + static_cast<std::uint64_t>(k * kLanes + j), v);
      }
    }
  }
}

// float64: element 16 k + j of a group of 32 is words (2k, 2k+1) of lane j, low word first.
template <int T>
void fill_groups_64(const KernelArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  using Word = std::conditional_t<T == kBits, std::uint64_t, double>;
  Word* o = static_cast<Word*>(out);
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    std::uint32_t w[4][kLanes];
    philox_group(a, group + g, w);
    const std::uint64_t base = g * 2 * kLanes;
    for (int k = 0; k < 2; ++k) {
      for (int j = 0; j < kLanes; ++j) {
        const std::uint64_t bits =
            std::uint64_t{w[2 * k][j]} | (std::uint64_t{w[2 * k + 1][j]} << 32);
        Word v;
        if constexpr (T == kBits) {
          v = bits;
        } else if constexpr (T == kUniform) {
          v = uniform_f64(a, bits);
        } else {
          v = normal_f64(a, bits);
        }
        o[base + static_cast<std::uint64_t>(k * kLanes + j)] = v;
      }
    }
  }
}

}  // namespace

const KernelTable& table() {
  static const KernelTable t = {{
      {fill_groups_32<kOutF32, kUniform>, fill_groups_32<kOutF32, kNormal>,
       fill_groups_32<kOutF32, kNormalWide>, nullptr},
      {fill_groups_64<kUniform>, fill_groups_64<kNormal>, fill_groups_64<kNormal>, nullptr},
      {fill_groups_32<kOutF16, kUniform>, fill_groups_32<kOutF16, kNormal>,
       fill_groups_32<kOutF16, kNormalWide>, nullptr},
      {fill_groups_32<kOutBF16, kUniform>, fill_groups_32<kOutBF16, kNormal>,
       fill_groups_32<kOutBF16, kNormalWide>, nullptr},
      {nullptr, nullptr, nullptr, fill_groups_32<kOutU32, kBits>},
      {nullptr, nullptr, nullptr, fill_groups_64<kBits>},
  }};
  return t;
}

}  // namespace weightinit::detail::WEIGHTINIT_TARGET_NS
