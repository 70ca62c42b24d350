// SPDX-License-Identifier: BSD-3-Clause
// Every fill kernel, written once as branch-free code over groups of 16 Philox blocks.
// kernels_<target>.cpp defines WEIGHTINIT_TARGET_NS and includes this file; the compiler
// vectorizes the 16-lane loops under that file's instruction-set flags. Everything here has
// internal linkage, so no wide-ISA copy of a helper can be picked up by another target.

#ifndef WEIGHTINIT_KERNEL_INTRINSICS
#define WEIGHTINIT_KERNEL_INTRINSICS 0
#endif
#ifndef WEIGHTINIT_TARGET_NS
#error "define WEIGHTINIT_TARGET_NS before including kernels-inl.hpp"
#endif

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if WEIGHTINIT_KERNEL_INTRINSICS && (defined(__AVX2__) || defined(__AVX512F__))
#include <immintrin.h>
#endif

#include "kernel.hpp"
#include "weightinit/philox.hpp"

namespace weightinit::detail::WEIGHTINIT_TARGET_NS {

#include "math-inl.hpp"

namespace {

constexpr int kLanes = kBlocksPerGroup;

// Output storage: float32, float64, and the 16-bit types as raw bits.
enum OutKind { kOutF32 = 0, kOutF64 = 1, kOutF16 = 2, kOutBF16 = 3, kOutU32 = 4 };

// The 4 x 16 words of group `group`: lane j is block offset + 16 * group + j.
// The generic loop is the reference. The x86 targets keep each 32-bit counter word in the
// low half of a 64-bit slot, so one mul_epu32 gives the whole 32x32->64 product (the upper
// halves carry junk that no later step reads), and pack the slots at the end.
#if WEIGHTINIT_KERNEL_INTRINSICS && defined(__AVX512F__)
WEIGHTINIT_INLINE void philox_group(const KernelArgs& a, std::uint64_t group,
                                    std::uint32_t (&w)[4][kLanes]) {
  const std::uint64_t base = a.offset + group * kLanes;
  const __m512i m0 = _mm512_set1_epi64(kPhiloxM0), m1 = _mm512_set1_epi64(kPhiloxM1);
  // Slots: blocks 0-7 in the A registers, 8-15 in the B registers.
  const __m512i pos_a = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(base)),
                                         _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
  const __m512i pos_b = _mm512_add_epi64(pos_a, _mm512_set1_epi64(8));
  __m512i x0a = pos_a, x1a = _mm512_srli_epi64(pos_a, 32);
  __m512i x0b = pos_b, x1b = _mm512_srli_epi64(pos_b, 32);
  __m512i x2a = _mm512_set1_epi64(a.stream0), x3a = _mm512_set1_epi64(a.stream1);
  __m512i x2b = x2a, x3b = x3a;
  std::uint32_t k0 = a.key0, k1 = a.key1;
  for (int r = 0; r < 10; ++r) {
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(k0));
    const __m512i key1 = _mm512_set1_epi32(static_cast<int>(k1));
    const __m512i p0a = _mm512_mul_epu32(x0a, m0), p1a = _mm512_mul_epu32(x2a, m1);
    const __m512i p0b = _mm512_mul_epu32(x0b, m0), p1b = _mm512_mul_epu32(x2b, m1);
    // 0x96: a ^ b ^ c
    x0a = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p1a, 32), x1a, key0, 0x96);
    x2a = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p0a, 32), x3a, key1, 0x96);
    x0b = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p1b, 32), x1b, key0, 0x96);
    x2b = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p0b, 32), x3b, key1, 0x96);
    x1a = p1a;
    x3a = p0a;
    x1b = p1b;
    x3b = p0b;
    k0 += kPhiloxW0;
    k1 += kPhiloxW1;
  }
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  _mm512_store_si512(w[0], _mm512_permutex2var_epi32(x0a, even, x0b));
  _mm512_store_si512(w[1], _mm512_permutex2var_epi32(x1a, even, x1b));
  _mm512_store_si512(w[2], _mm512_permutex2var_epi32(x2a, even, x2b));
  _mm512_store_si512(w[3], _mm512_permutex2var_epi32(x3a, even, x3b));
}
#elif WEIGHTINIT_KERNEL_INTRINSICS && defined(__AVX2__)
// The low halves of the 64-bit slots of lo (blocks 0-3) and hi (blocks 4-7), in order.
WEIGHTINIT_INLINE __m256i pack_low_halves(__m256i lo, __m256i hi) {
  const __m256 mixed = _mm256_shuffle_ps(_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi), 0x88);
  return _mm256_permute4x64_epi64(_mm256_castps_si256(mixed), 0xD8);
}

WEIGHTINIT_INLINE void philox_group(const KernelArgs& a, std::uint64_t group,
                                    std::uint32_t (&w)[4][kLanes]) {
  const std::uint64_t base = a.offset + group * kLanes;
  const __m256i m0 = _mm256_set1_epi64x(kPhiloxM0), m1 = _mm256_set1_epi64x(kPhiloxM1);
  // Two passes of eight blocks, each as two sets of four slots: 8 state registers plus the
  // constants fit AVX2's 16 registers without spilling.
  for (int half = 0; half < 2; ++half) {
    const __m256i pos_a = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(base)),
                                           _mm256_set_epi64x(8 * half + 3, 8 * half + 2,
                                                             8 * half + 1, 8 * half));
    const __m256i pos_b = _mm256_add_epi64(pos_a, _mm256_set1_epi64x(4));
    __m256i x0a = pos_a, x1a = _mm256_srli_epi64(pos_a, 32);
    __m256i x0b = pos_b, x1b = _mm256_srli_epi64(pos_b, 32);
    __m256i x2a = _mm256_set1_epi64x(a.stream0), x3a = _mm256_set1_epi64x(a.stream1);
    __m256i x2b = x2a, x3b = x3a;
    std::uint32_t k0 = a.key0, k1 = a.key1;
    for (int r = 0; r < 10; ++r) {
      const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0));
      const __m256i key1 = _mm256_set1_epi32(static_cast<int>(k1));
      const __m256i p0a = _mm256_mul_epu32(x0a, m0), p1a = _mm256_mul_epu32(x2a, m1);
      const __m256i p0b = _mm256_mul_epu32(x0b, m0), p1b = _mm256_mul_epu32(x2b, m1);
      x0a = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1a, 32), x1a), key0);
      x2a = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0a, 32), x3a), key1);
      x0b = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1b, 32), x1b), key0);
      x2b = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0b, 32), x3b), key1);
      x1a = p1a;
      x3a = p0a;
      x1b = p1b;
      x3b = p0b;
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[0] + 8 * half), pack_low_halves(x0a, x0b));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[1] + 8 * half), pack_low_halves(x1a, x1b));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[2] + 8 * half), pack_low_halves(x2a, x2b));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[3] + 8 * half), pack_low_halves(x3a, x3b));
  }
}
#else
WEIGHTINIT_INLINE void philox_group(const KernelArgs& a, std::uint64_t group,
                                    std::uint32_t (&w)[4][kLanes]) {
  const std::uint64_t base = a.offset + group * kLanes;
  for (int j = 0; j < kLanes; ++j) {
    const std::uint64_t pos = base + static_cast<std::uint64_t>(j);
    std::uint32_t x0 = static_cast<std::uint32_t>(pos), x1 = static_cast<std::uint32_t>(pos >> 32);
    std::uint32_t x2 = a.stream0, x3 = a.stream1;
    std::uint32_t k0 = a.key0, k1 = a.key1;
    for (int r = 0; r < 10; ++r) {
      const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * x0;
      const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * x2;
      x0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1 ^ k0;
      x2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3 ^ k1;
      x1 = static_cast<std::uint32_t>(p1);
      x3 = static_cast<std::uint32_t>(p0);
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    w[0][j] = x0;
    w[1][j] = x1;
    w[2][j] = x2;
    w[3][j] = x3;
  }
}
#endif

// --- the transforms -----------------------------------------------------------------------
//
// Each transform runs in passes over a whole group (64 or 32 elements), each pass a short
// loop the compiler vectorizes. One element's normal draw is a long dependency chain (log,
// sqrt, two divisions); passes put several independent vectors of it in flight at once
// instead of one, which is what keeps the vector units busy.

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

template <class Real>
WEIGHTINIT_INLINE Real clamp(Real x, Real lo, Real hi) {
  const Real above = x < lo ? lo : x;
  return above > hi ? hi : above;
}

// Uniform on [lo, lo + range), float32: the word's top 24 bits as k * 2^-24.
template <int Out, int N>
WEIGHTINIT_INLINE void uniform_f32(const KernelArgs& a, const std::uint32_t* w, void* out,
                                   std::uint64_t base) {
  for (int e = 0; e < N; ++e) {
    const float u = static_cast<float>(static_cast<std::int32_t>(w[e] >> 8)) * 0x1p-24f;
    store<Out>(out, base + static_cast<std::uint64_t>(e),
               clamp(a.f_lo + u * a.f_range, a.f_clamp_lo, a.f_clamp_hi));
  }
}

// Normal, truncated to [a, b] (std units), by inverse CDF: u = Φ(a) + U (Φ(b) - Φ(a)) with
// U = (k + 1/2) 2^-31 from the word's top 31 bits. Whichever of u and 1 - u is smaller is
// formed directly (1 - u = Φ(-b) + (1 - U) Δ), so both tails keep full relative precision.
template <int Out, int N>
WEIGHTINIT_INLINE void normal_f32(const KernelArgs& a, const std::uint32_t* w, void* out,
                                  std::uint64_t base) {
  alignas(64) float t[N], log_t[N], z[N];  // log_t becomes sqrt(-log t) in place
  alignas(64) std::int32_t lower[N];
  for (int e = 0; e < N; ++e) {
    const float u = static_cast<float>(static_cast<std::int32_t>(w[e] >> 1)) * 0x1p-31f + 0x1p-32f;
    const float uc = static_cast<float>(static_cast<std::int32_t>(~w[e] >> 1)) * 0x1p-31f + 0x1p-32f;
    const float t_lo = a.f_pa + u * a.f_delta;
    const float t_hi = a.f_qb + uc * a.f_delta;
    lower[e] = t_lo <= t_hi ? -1 : 0;
    t[e] = t_lo <= t_hi ? t_lo : t_hi;
  }
  for (int e = 0; e < N; ++e) log_t[e] = log_f32(t[e]);
  for (int e = 0; e < N; ++e) log_t[e] = sqrt_f32(-log_t[e]);
  for (int e = 0; e < N; ++e) z[e] = ndtri_lower_f32(t[e], log_t[e]);
  for (int e = 0; e < N; ++e) {
    const float neg_z = -z[e];
    const float x = a.f_mean + a.f_std * (lower[e] != 0 ? z[e] : neg_z);
    store<Out>(out, base + static_cast<std::uint64_t>(e), clamp(x, a.f_clamp_lo, a.f_clamp_hi));
  }
}

// The same steps in double; `bits` holds the element's 32 or 64 random bits. 64 bits:
// U = (k + 1/2) 2^-52 from the top 52 bits, and 1 - U exact. 32 bits (kNormalWide):
// U = (w + 1/2) 2^-32, exact in double; the result is then rounded to float32.
template <int Bits, int N>
WEIGHTINIT_INLINE void normal_f64(const KernelArgs& a, const std::uint64_t* bits, double* z_out) {
  alignas(64) double t[N], log_t[N], z[N];  // log_t becomes sqrt(-log t) in place
  alignas(64) std::int64_t lower[N];
  for (int e = 0; e < N; ++e) {
    double u, uc;
    if constexpr (Bits == 64) {
      // The top 52 bits as the mantissa of [1, 2), minus 1, plus half a step.
      u = f64_from_bits(0x3ff0000000000000ull | (bits[e] >> 12)) - 1.0 + 0x1p-53;
      uc = f64_from_bits(0x3ff0000000000000ull | (~bits[e] >> 12)) - 1.0 + 0x1p-53;
    } else {
      // w and ~w as doubles through the mantissa of 2^52 (exact, no integer conversion).
      const double wd = f64_from_bits(0x4330000000000000ull | bits[e]) - 0x1p52;
      const double wcd = f64_from_bits(0x4330000000000000ull | (~bits[e] & 0xffffffffull)) - 0x1p52;
      u = (wd + 0.5) * 0x1p-32;
      uc = (wcd + 0.5) * 0x1p-32;
    }
    const double t_lo = a.d_pa + u * a.d_delta;
    const double t_hi = a.d_qb + uc * a.d_delta;
    lower[e] = t_lo <= t_hi ? -1 : 0;
    t[e] = t_lo <= t_hi ? t_lo : t_hi;
  }
  for (int e = 0; e < N; ++e) log_t[e] = log_f64(t[e]);
  for (int e = 0; e < N; ++e) log_t[e] = sqrt_f64(-log_t[e]);
  for (int e = 0; e < N; ++e) z[e] = ndtri_lower_f64(t[e], log_t[e]);
  for (int e = 0; e < N; ++e) {
    const double neg_z = -z[e];
    const double x = a.d_mean + a.d_std * (lower[e] != 0 ? z[e] : neg_z);
    z_out[e] = clamp(x, a.d_clamp_lo, a.d_clamp_hi);
  }
}

// Element 16 k + j of a group of 64 is word k of lane j, which philox_group leaves at flat
// index 16 k + j of w.
template <int Out, int T>
void fill_groups_32(const KernelArgs& args, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const KernelArgs a = args;  // a local copy: stores to `out` cannot alias it
  constexpr int kGroup = 4 * kLanes;
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    alignas(64) std::uint32_t w[4][kLanes];
    philox_group(a, group + g, w);
    const std::uint32_t* words = &w[0][0];
    const std::uint64_t base = g * kGroup;
    if constexpr (T == kBits) {
      std::memcpy(static_cast<std::uint32_t*>(out) + base, words, sizeof w);
    } else if constexpr (T == kUniform) {
      uniform_f32<Out, kGroup>(a, words, out, base);
    } else if constexpr (T == kNormal) {
      normal_f32<Out, kGroup>(a, words, out, base);
    } else {
      alignas(64) std::uint64_t bits[kGroup];
      alignas(64) double x[kGroup];
      for (int e = 0; e < kGroup; ++e) bits[e] = words[e];
      normal_f64<32, kGroup>(a, bits, x);
      for (int e = 0; e < kGroup; ++e) {
        store<Out>(out, base + static_cast<std::uint64_t>(e), static_cast<float>(x[e]));
      }
    }
  }
}

// float64: element 16 k + j of a group of 32 is words (2k, 2k+1) of lane j, low word first.
template <int T>
void fill_groups_64(const KernelArgs& args, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const KernelArgs a = args;  // a local copy: stores to `out` cannot alias it
  constexpr int kGroup = 2 * kLanes;
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    alignas(64) std::uint32_t w[4][kLanes];
    philox_group(a, group + g, w);
    alignas(64) std::uint64_t bits[kGroup];
    for (int j = 0; j < kLanes; ++j) {
      bits[j] = std::uint64_t{w[0][j]} | (std::uint64_t{w[1][j]} << 32);
      bits[kLanes + j] = std::uint64_t{w[2][j]} | (std::uint64_t{w[3][j]} << 32);
    }
    const std::uint64_t base = g * kGroup;
    if constexpr (T == kBits) {
      std::memcpy(static_cast<std::uint64_t*>(out) + base, bits, sizeof bits);
    } else if constexpr (T == kUniform) {
      double* o = static_cast<double*>(out) + base;
      for (int e = 0; e < kGroup; ++e) {
        // U in [0, 1) with 52 bits: the top 52 bits as the mantissa of [1, 2), minus 1.
        const double u = f64_from_bits(0x3ff0000000000000ull | (bits[e] >> 12)) - 1.0;
        o[e] = clamp(a.d_lo + u * a.d_range, a.d_clamp_lo, a.d_clamp_hi);
      }
    } else {
      normal_f64<64, kGroup>(a, bits, static_cast<double*>(out) + base);
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
