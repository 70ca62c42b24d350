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

// The round keys of a fill: key k of round r is philox4x32_round_key(seed key, r).
struct RoundKeys {
  std::uint32_t k[10][2];
};

WEIGHTINIT_INLINE RoundKeys round_keys(const KernelArgs& a) {
  RoundKeys rk;
  for (int r = 0; r < 10; ++r) {
    const Philox4x32Key k = philox4x32_round_key({a.key0, a.key1}, r);
    rk.k[r][0] = k[0];
    rk.k[r][1] = k[1];
  }
  return rk;
}

// The 4 x 16 words of each of the groups [group, group + NG): lane j of group g is block
// offset + 16 g + j, and word k of it lands at w[g - group][k][j].
// The generic loop is the reference (Philox from philox.hpp, which the known-answer test
// covers). The x86 targets keep each 32-bit counter word in the low half of a 64-bit slot,
// so one mul_epu32 gives the whole 32x32->64 product (the upper halves carry junk that no
// later step reads), and pack the slots at the end. They run several independent sets of
// blocks at once: one round is a chain of multiply, shift and xor, and a single set would
// leave the vector units waiting on that chain.
#if WEIGHTINIT_KERNEL_INTRINSICS && defined(__AVX512F__)
constexpr int kPhiloxGroups = 2;  // 2 groups = 4 sets of 8 blocks in flight

template <int NG>
WEIGHTINIT_INLINE void philox_groups(const KernelArgs& a, const RoundKeys& rk, std::uint64_t group,
                                     std::uint32_t (*w)[4][kLanes]) {
  constexpr int kSets = 2 * NG;
  const __m512i m0 = _mm512_set1_epi64(kPhiloxM0), m1 = _mm512_set1_epi64(kPhiloxM1);
  __m512i x0[kSets], x1[kSets], x2[kSets], x3[kSets];
  for (int i = 0; i < kSets; ++i) {
    const std::uint64_t first = a.offset + (group + static_cast<std::uint64_t>(i / 2)) * kLanes +
                                static_cast<std::uint64_t>(8 * (i % 2));
    x0[i] = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(first)),
                             _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
    x1[i] = _mm512_srli_epi64(x0[i], 32);
    x2[i] = _mm512_set1_epi64(a.stream0);
    x3[i] = _mm512_set1_epi64(a.stream1);
  }
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(rk.k[r][0]));
    const __m512i key1 = _mm512_set1_epi32(static_cast<int>(rk.k[r][1]));
#pragma GCC unroll 4
    for (int i = 0; i < kSets; ++i) {
      const __m512i p0 = _mm512_mul_epu32(x0[i], m0), p1 = _mm512_mul_epu32(x2[i], m1);
      // 0x96: a ^ b ^ c
      x0[i] = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p1, 32), x1[i], key0, 0x96);
      x2[i] = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p0, 32), x3[i], key1, 0x96);
      x1[i] = p1;
      x3[i] = p0;
    }
  }
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  for (int g = 0; g < NG; ++g) {
    _mm512_store_si512(w[g][0], _mm512_permutex2var_epi32(x0[2 * g], even, x0[2 * g + 1]));
    _mm512_store_si512(w[g][1], _mm512_permutex2var_epi32(x1[2 * g], even, x1[2 * g + 1]));
    _mm512_store_si512(w[g][2], _mm512_permutex2var_epi32(x2[2 * g], even, x2[2 * g + 1]));
    _mm512_store_si512(w[g][3], _mm512_permutex2var_epi32(x3[2 * g], even, x3[2 * g + 1]));
  }
}
#elif WEIGHTINIT_KERNEL_INTRINSICS && defined(__AVX2__)
constexpr int kPhiloxGroups = 1;  // one group = 4 sets of 4 blocks in flight

// The low halves of the 64-bit slots of lo (blocks 0-3) and hi (blocks 4-7), in order.
WEIGHTINIT_INLINE __m256i pack_low_halves(__m256i lo, __m256i hi) {
  const __m256 mixed = _mm256_shuffle_ps(_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi), 0x88);
  return _mm256_permute4x64_epi64(_mm256_castps_si256(mixed), 0xD8);
}

template <int NG>
WEIGHTINIT_INLINE void philox_groups(const KernelArgs& a, const RoundKeys& rk, std::uint64_t group,
                                     std::uint32_t (*w)[4][kLanes]) {
  static_assert(NG == 1, "AVX2 draws one group at a time");
  const std::uint64_t base = a.offset + group * kLanes;
  const __m256i m0 = _mm256_set1_epi64x(kPhiloxM0), m1 = _mm256_set1_epi64x(kPhiloxM1);
  __m256i x0[4], x1[4], x2[4], x3[4];
  for (int i = 0; i < 4; ++i) {
    x0[i] = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(base)),
                             _mm256_set_epi64x(4 * i + 3, 4 * i + 2, 4 * i + 1, 4 * i));
    x1[i] = _mm256_srli_epi64(x0[i], 32);
    x2[i] = _mm256_set1_epi64x(a.stream0);
    x3[i] = _mm256_set1_epi64x(a.stream1);
  }
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const __m256i key0 = _mm256_set1_epi32(static_cast<int>(rk.k[r][0]));
    const __m256i key1 = _mm256_set1_epi32(static_cast<int>(rk.k[r][1]));
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
      const __m256i p0 = _mm256_mul_epu32(x0[i], m0), p1 = _mm256_mul_epu32(x2[i], m1);
      x0[i] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), key0), x1[i]);
      x2[i] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), key1), x3[i]);
      x1[i] = p1;
      x3[i] = p0;
    }
  }
  for (int i = 0; i < 4; i += 2) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[0][0] + 4 * i), pack_low_halves(x0[i], x0[i + 1]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[0][1] + 4 * i), pack_low_halves(x1[i], x1[i + 1]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[0][2] + 4 * i), pack_low_halves(x2[i], x2[i + 1]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[0][3] + 4 * i), pack_low_halves(x3[i], x3[i + 1]));
  }
}
#else
constexpr int kPhiloxGroups = 1;

template <int NG>
WEIGHTINIT_INLINE void philox_groups(const KernelArgs& a, const RoundKeys&, std::uint64_t group,
                                     std::uint32_t (*w)[4][kLanes]) {
  const Philox4x32Key key = {a.key0, a.key1};
  const std::uint64_t stream = std::uint64_t{a.stream0} | (std::uint64_t{a.stream1} << 32);
  for (int g = 0; g < NG; ++g) {
    const std::uint64_t base = a.offset + (group + static_cast<std::uint64_t>(g)) * kLanes;
    for (int j = 0; j < kLanes; ++j) {
      const Philox4x32Ctr x = philox4x32(philox_ctr(base + static_cast<std::uint64_t>(j), stream), key);
      for (int k = 0; k < 4; ++k) w[g][k][j] = x[k];
    }
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

// One group of a 16/32-bit output: element 16 k + j is word k of lane j, which
// philox_groups leaves at flat index 16 k + j of the group's words.
template <int Out, int T>
WEIGHTINIT_INLINE void transform_32(const KernelArgs& a, const std::uint32_t* words, void* out,
                                    std::uint64_t base) {
  constexpr int kGroup = 4 * kLanes;
  if constexpr (T == kBits) {
    std::memcpy(static_cast<std::uint32_t*>(out) + base, words, kGroup * sizeof(std::uint32_t));
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

// One group of float64: element 16 k + j reads words (2k, 2k+1) of lane j, low word first.
template <int T>
WEIGHTINIT_INLINE void transform_64(const KernelArgs& a, const std::uint64_t* bits, void* out,
                                    std::uint64_t base) {
  constexpr int kGroup = 2 * kLanes;
  if constexpr (T == kBits) {
    std::memcpy(static_cast<std::uint64_t*>(out) + base, bits, kGroup * sizeof(std::uint64_t));
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

template <int Out, int T>
void fill_groups_32(const KernelArgs& args, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const KernelArgs a = args;  // a local copy: stores to `out` cannot alias it
  const RoundKeys rk = round_keys(a);
  constexpr int kGroup = 4 * kLanes;
  std::uint64_t g = 0;
  for (; g + kPhiloxGroups <= ngroups; g += kPhiloxGroups) {
    alignas(64) std::uint32_t w[kPhiloxGroups][4][kLanes];
    philox_groups<kPhiloxGroups>(a, rk, group + g, w);
    for (int i = 0; i < kPhiloxGroups; ++i) {
      transform_32<Out, T>(a, &w[i][0][0], out, (g + static_cast<std::uint64_t>(i)) * kGroup);
    }
  }
  for (; g < ngroups; ++g) {
    alignas(64) std::uint32_t w[1][4][kLanes];
    philox_groups<1>(a, rk, group + g, w);
    transform_32<Out, T>(a, &w[0][0][0], out, g * kGroup);
  }
}

WEIGHTINIT_INLINE void words_to_bits_64(const std::uint32_t (&w)[4][kLanes],
                                        std::uint64_t (&bits)[2 * kLanes]) {
  for (int j = 0; j < kLanes; ++j) {
    bits[j] = std::uint64_t{w[0][j]} | (std::uint64_t{w[1][j]} << 32);
    bits[kLanes + j] = std::uint64_t{w[2][j]} | (std::uint64_t{w[3][j]} << 32);
  }
}

template <int T>
void fill_groups_64(const KernelArgs& args, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const KernelArgs a = args;  // a local copy: stores to `out` cannot alias it
  const RoundKeys rk = round_keys(a);
  constexpr int kGroup = 2 * kLanes;
  std::uint64_t g = 0;
  for (; g + kPhiloxGroups <= ngroups; g += kPhiloxGroups) {
    alignas(64) std::uint32_t w[kPhiloxGroups][4][kLanes];
    philox_groups<kPhiloxGroups>(a, rk, group + g, w);
    for (int i = 0; i < kPhiloxGroups; ++i) {
      alignas(64) std::uint64_t bits[kGroup];
      words_to_bits_64(w[i], bits);
      transform_64<T>(a, bits, out, (g + static_cast<std::uint64_t>(i)) * kGroup);
    }
  }
  for (; g < ngroups; ++g) {
    alignas(64) std::uint32_t w[1][4][kLanes];
    philox_groups<1>(a, rk, group + g, w);
    alignas(64) std::uint64_t bits[kGroup];
    words_to_bits_64(w[0], bits);
    transform_64<T>(a, bits, out, g * kGroup);
  }
}

// The same transforms on given bits (kernel.hpp's WordsFn).
template <int Out, int T>
void words_32(const KernelArgs& args, const void* bits, std::uint64_t ngroups, void* out) {
  const KernelArgs a = args;
  constexpr int kGroup = 4 * kLanes;
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    alignas(64) std::uint32_t w[kGroup];
    std::memcpy(w, static_cast<const std::uint32_t*>(bits) + g * kGroup, sizeof w);
    transform_32<Out, T>(a, w, out, g * kGroup);
  }
}

template <int T>
void words_64(const KernelArgs& args, const void* bits, std::uint64_t ngroups, void* out) {
  const KernelArgs a = args;
  constexpr int kGroup = 2 * kLanes;
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    alignas(64) std::uint64_t w[kGroup];
    std::memcpy(w, static_cast<const std::uint64_t*>(bits) + g * kGroup, sizeof w);
    transform_64<T>(a, w, out, g * kGroup);
  }
}

}  // namespace

const KernelTable& table() {
  static const KernelTable t = {
      {
          {fill_groups_32<kOutF32, kUniform>, fill_groups_32<kOutF32, kNormal>,
           fill_groups_32<kOutF32, kNormalWide>, nullptr},
          {fill_groups_64<kUniform>, fill_groups_64<kNormal>, fill_groups_64<kNormal>, nullptr},
          {fill_groups_32<kOutF16, kUniform>, fill_groups_32<kOutF16, kNormal>,
           fill_groups_32<kOutF16, kNormalWide>, nullptr},
          {fill_groups_32<kOutBF16, kUniform>, fill_groups_32<kOutBF16, kNormal>,
           fill_groups_32<kOutBF16, kNormalWide>, nullptr},
          {nullptr, nullptr, nullptr, fill_groups_32<kOutU32, kBits>},
          {nullptr, nullptr, nullptr, fill_groups_64<kBits>},
      },
      {
          {words_32<kOutF32, kUniform>, words_32<kOutF32, kNormal>,
           words_32<kOutF32, kNormalWide>, nullptr},
          {words_64<kUniform>, words_64<kNormal>, words_64<kNormal>, nullptr},
          {words_32<kOutF16, kUniform>, words_32<kOutF16, kNormal>,
           words_32<kOutF16, kNormalWide>, nullptr},
          {words_32<kOutBF16, kUniform>, words_32<kOutBF16, kNormal>,
           words_32<kOutBF16, kNormalWide>, nullptr},
          {nullptr, nullptr, nullptr, nullptr},
          {nullptr, nullptr, nullptr, nullptr},
      }};
  return t;
}

}  // namespace weightinit::detail::WEIGHTINIT_TARGET_NS
