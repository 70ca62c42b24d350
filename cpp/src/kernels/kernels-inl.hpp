// SPDX-License-Identifier: BSD-3-Clause
// Every fill kernel, written once as branch-free code over groups of 16 Philox blocks.
// targets/target-inl.hpp includes this file under its target's instruction-set flags; the
// compiler vectorizes the 16-lane loops, and the x86 targets (WEIGHTINIT_TARGET_ISA 1, 2) run
// the rest in intrinsics. Everything here has internal linkage, so no wide-ISA copy of a
// helper can be picked up by another target.

#if !defined(WEIGHTINIT_TARGET_ISA) || !defined(WEIGHTINIT_TARGET_NS)
#error "include kernels-inl.hpp through targets/target-inl.hpp"
#endif

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if WEIGHTINIT_TARGET_ISA == 1 || WEIGHTINIT_TARGET_ISA == 2
#include <immintrin.h>
#endif

#include "kernels/kernel.hpp"
#include "weightinit/float16.hpp"
#include "weightinit/philox.hpp"

namespace weightinit::detail::WEIGHTINIT_TARGET_NS::kernels {

#include "kernels/math-inl.hpp"

namespace {

constexpr int kLanes = kBlocksPerGroup;

// Output storage: float32, float64, and the 16-bit types as raw bits.
enum OutKind { kOutF32 = 0, kOutF64 = 1, kOutF16 = 2, kOutBF16 = 3, kOutU32 = 4 };

#include "kernels/philox_lanes-inl.hpp"

static_assert(kLanes == kPhiloxLanes, "a group is one set of Philox lanes");

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

// --- normal and truncated normal: the float kernel (docs/streams.md §5.1) -------------
//
// Each word becomes x (t 2^33, or |q| 2^33 when central), a central flag and a sign; then
// quantile_abs_f32. The normal and windows [-c, c] fold at 2^31: v = w (w < 2^31: z < 0)
// or ~w, a = 2v + 1 and b = 2^32 - a are t 2^33 and |q| 2^33 of the normal (exact
// integers), central when b <= f_centre_max; the normal rounds the integer to float, [-c, c]
// forms b Δ or Φ(-c) 2^33 + a Δ in double and rounds that once. Other windows around 0 fold
// at their median word K: k = distance from the median, v = w or ~w, and
// x = k 2Δ + F (central) or v 2Δ + Φ(a) 2^33 + Δ (tail), in double, rounded once.
enum FastLaw { kFastNormal = 0, kFastSym = 1, kFastAsym = 2 };

// The reference formation of one word.
template <int L>
WEIGHTINIT_INLINE void form_f32(const KernelArgs& a, std::uint32_t w, float& x, bool& centre,
                                bool& negative) {
  if constexpr (L == kFastAsym) {
    const bool lower = w < a.f_split;
    const std::uint32_t k = lower ? a.f_split - 1u - w : w - a.f_split;
    const std::uint32_t v = lower ? w : ~w;
    centre = k <= (lower ? a.f_kc_lo : a.f_kc_hi);
    const double off = centre ? (lower ? a.f_off[0] : a.f_off[1]) : (lower ? a.f_off[2] : a.f_off[3]);
    x = static_cast<float>(static_cast<double>(centre ? k : v) * a.f_delta2 + off);
    negative = lower;
  } else {
    const std::uint32_t sgn = static_cast<std::uint32_t>(static_cast<std::int32_t>(w) >> 31);
    const std::uint32_t v = w ^ sgn;
    const std::uint32_t ta = 2u * v + 1u;
    const std::uint32_t qb = 0u - ta;
    centre = qb <= a.f_centre_max;
    const std::uint32_t c = centre ? qb : ta;
    if constexpr (L == kFastSym) {
      const double cd = static_cast<double>(c) * a.f_delta;
      x = static_cast<float>(centre ? cd : a.f_pa33 + cd);
    } else {
      x = static_cast<float>(c);
    }
    negative = sgn == 0;
  }
  x = x < kBelow2To31 ? x : kBelow2To31;
}

template <int L>
WEIGHTINIT_INLINE float normal_z_f32(const KernelArgs& a, std::uint32_t w) {
  float x;
  bool centre, negative;
  form_f32<L>(a, w, x, centre, negative);
  const float z_abs = quantile_abs_f32(x, centre);
  return negative ? -z_abs : z_abs;
}

#if WEIGHTINIT_TARGET_ISA == 1 || WEIGHTINIT_TARGET_ISA == 2
// The float vector operations scale_lanes needs, for one register width: `Prefix` is the
// intrinsics' prefix (_mm512, _mm256).
#define WEIGHTINIT_FLOAT_LANES(Name, Vec, Width, Prefix)                              \
  struct Name {                                                                       \
    using F = Vec;                                                                    \
    static constexpr int kWidth = Width;                                              \
    static F set1(float v) { return Prefix##_set1_ps(v); }                            \
    static F fmadd(F a, F b, F c) { return Prefix##_fmadd_ps(a, b, c); }              \
    static F min(F a, F b) { return Prefix##_min_ps(a, b); }                          \
    static F max(F a, F b) { return Prefix##_max_ps(a, b); }                          \
    static void storeu(float* p, F x) { Prefix##_storeu_ps(p, x); }                   \
    static void store(float* p, F x) { Prefix##_store_ps(p, x); }                     \
  }
#endif

#if WEIGHTINIT_TARGET_ISA == 1 || WEIGHTINIT_TARGET_ISA == 2
// The upper W slots of the quantile table (31 - W .. 30: the deepest tail octaves they hold
// and the centre), slot s at position s mod W: a one-source permute of W entries, indexed by
// a lane's exponent field (whose low bits are the slot's), fetches a coefficient.
template <int W>
struct NearTable {
  alignas(4 * W) float c[kQuantileDegree + 1][W];
};

template <int W>
constexpr NearTable<W> make_near_table() {
  NearTable<W> t{};
  for (int k = 0; k <= kQuantileDegree; ++k) {
    for (int s = 31 - W; s <= 30; ++s) t.c[k][s % W] = kQuantileCoef[k][s];
  }
  return t;
}
#endif

#if WEIGHTINIT_TARGET_ISA == 2
// The table's slots 15..30 (tail octaves j = 16..30 and the centre; a tail lane's exponent
// field e + 127 names slot (e + 127) mod 32) at position slot mod 16, so that the low 4 bits
// of the field index them directly.
constexpr NearTable<16> kNearTable = make_near_table<16>();
constexpr int kNearCentre = kQuantileCentreSlot % 16;

// 16 V words on their way through the float kernel, in registers: x (already min'ed), the
// central lanes, the word or -1 where negative (`sign`, read by the sign step) and whether a
// tail lane lies deeper than t = 2^-17 (2^-16 of the normal's words).
template <int V>
struct Formed16 {
  __m512 x[V];
  __mmask16 centre[V];
  __m512i sign[V];
  bool deep;
};

// quantile_abs_f32 with the sign, for 16 V lanes: z into z[]. The coefficients come by
// one-source permutes of the rotated upper 16 slots; a call with a deep lane takes
// two-source permutes over all 32 slots. V vectors go in lockstep so that their Horner
// chains overlap. `SignIsWord`: sign[] holds the words (z < 0 below 2^31), else -1 where
// z < 0 and 0 elsewhere; either way one ternary-logic step sets the sign bit.
template <bool SignIsWord, int V>
WEIGHTINIT_INLINE void quantile_x16(const Formed16<V>& f, __m512 (&z)[V]) {
  __m512i idx[V];
  __m512 var[V], qs[V], p[V];
#pragma GCC unroll 8
  for (int i = 0; i < V; ++i) {
    const __m512i bits = _mm512_castps_si512(f.x[i]);
    idx[i] = _mm512_mask_mov_epi32(_mm512_srli_epi32(bits, 23), f.centre[i],
                                   _mm512_set1_epi32(kNearCentre));
    // 0xEA: (bits & 0x007fffff) | 0x3f800000, the mantissa m in [1, 2)
    const __m512 m = _mm512_castsi512_ps(_mm512_ternarylogic_epi32(
        bits, _mm512_set1_epi32(0x007fffff), _mm512_set1_epi32(0x3f800000), 0xEA));
    qs[i] = _mm512_mul_ps(f.x[i], _mm512_set1_ps(0x1p-33f));
    var[i] = _mm512_mask_mul_ps(_mm512_sub_ps(_mm512_set1_ps(2.0f), m), f.centre[i], qs[i], qs[i]);
  }
  if (!f.deep) {
#pragma GCC unroll 8
    for (int i = 0; i < V; ++i) {
      p[i] = _mm512_permutexvar_ps(idx[i], _mm512_load_ps(kNearTable.c[kQuantileDegree]));
    }
#pragma GCC unroll 8
    for (int k = kQuantileDegree - 1; k >= 0; --k) {
#pragma GCC unroll 8
      for (int i = 0; i < V; ++i) {
        // Keeps each permute next to its Horner step, its table a memory operand: hoisted,
        // the 9 V results spill.
        asm("" : "+v"(idx[i]));
        p[i] = _mm512_fmadd_ps(p[i], var[i], _mm512_permutexvar_ps(idx[i], _mm512_load_ps(kNearTable.c[k])));
      }
    }
  } else {
#pragma GCC unroll 8
    for (int i = 0; i < V; ++i) {
      idx[i] = _mm512_mask_mov_epi32(_mm512_srli_epi32(_mm512_castps_si512(f.x[i]), 23), f.centre[i],
                                     _mm512_set1_epi32(kQuantileCentreSlot));
    }
    const __m512 t0 = _mm512_load_ps(kQuantileCoef[kQuantileDegree]);
    const __m512 t1 = _mm512_load_ps(kQuantileCoef[kQuantileDegree] + 16);
#pragma GCC unroll 8
    for (int i = 0; i < V; ++i) p[i] = _mm512_permutex2var_ps(t0, idx[i], t1);
#pragma GCC unroll 8
    for (int k = kQuantileDegree - 1; k >= 0; --k) {
      const __m512 u0 = _mm512_load_ps(kQuantileCoef[k]), u1 = _mm512_load_ps(kQuantileCoef[k] + 16);
#pragma GCC unroll 8
      for (int i = 0; i < V; ++i) {
        p[i] = _mm512_fmadd_ps(p[i], var[i], _mm512_permutex2var_ps(u0, idx[i], u1));
      }
    }
  }
  // 0xD2: a ^ (~b & c), the sign bit where the word is below 2^31; 0x78: a ^ (b & c).
  constexpr int kSignOp = SignIsWord ? 0xD2 : 0x78;
#pragma GCC unroll 8
  for (int i = 0; i < V; ++i) {
    const __m512 z_abs = _mm512_mask_mul_ps(p[i], f.centre[i], p[i], qs[i]);
    z[i] = _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(z_abs), f.sign[i],
                                                         _mm512_set1_epi32(INT32_MIN), kSignOp));
  }
}

// The formation of 16 V words in registers (the normal and [-c, c]).
template <int L, int V>
WEIGHTINIT_INLINE void form_x16(const KernelArgs& a, const std::uint32_t* wp, Formed16<V>& f) {
  __m512i low = _mm512_set1_epi32(-1);
  __mmask16 deep = 0;
#pragma GCC unroll 8
  for (int i = 0; i < V; ++i) {
    const __m512i w = _mm512_load_si512(wp + 16 * i);
    f.sign[i] = w;
    // ta = 2 v + 1 (v = w or ~w) = ((w << 1) ^ sgn) | 1; 0xBE: (a ^ b) | c.
    const __m512i ta = _mm512_ternarylogic_epi32(_mm512_slli_epi32(w, 1), _mm512_srai_epi32(w, 31),
                                                 _mm512_set1_epi32(1), 0xBE);
    if constexpr (L == kFastNormal) {
      // centre_max = 2^31 - 1: central iff qb = 2^32 - ta < 2^31, i.e. ta's top bit is set,
      // and then qb = |ta| as a signed integer (ta is odd, never INT32_MIN); c < 2^31.
      f.centre[i] = _mm512_movepi32_mask(ta);
      f.x[i] = _mm512_cvtepi32_ps(_mm512_abs_epi32(ta));
      low = _mm512_min_epu32(low, ta);  // a tail lane is deep iff ta < 2^16
    } else {
      const __m512i qb = _mm512_sub_epi32(_mm512_setzero_si512(), ta);
      f.centre[i] = _mm512_cmple_epu32_mask(qb, _mm512_set1_epi32(static_cast<int>(a.f_centre_max)));
      const __m512i c = _mm512_mask_blend_epi32(f.centre[i], ta, qb);
      const __m512d delta = _mm512_set1_pd(a.f_delta), pa33 = _mm512_set1_pd(a.f_pa33);
      const __m512d lo = _mm512_mul_pd(_mm512_cvtepu32_pd(_mm512_castsi512_si256(c)), delta);
      const __m512d hi = _mm512_mul_pd(_mm512_cvtepu32_pd(_mm512_extracti64x4_epi64(c, 1)), delta);
      const __m512d lo_x = _mm512_mask_add_pd(lo, static_cast<__mmask8>(~f.centre[i]), lo, pa33);
      const __m512d hi_x = _mm512_mask_add_pd(hi, static_cast<__mmask8>(~f.centre[i] >> 8), hi, pa33);
      f.x[i] = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo_x)), _mm512_cvtpd_ps(hi_x), 1);
      deep |= _mm512_mask_cmp_ps_mask(static_cast<__mmask16>(~f.centre[i]), f.x[i],
                                      _mm512_set1_ps(0x1p16f), _CMP_LT_OQ);
    }
    f.x[i] = _mm512_min_ps(f.x[i], _mm512_set1_ps(kBelow2To31));
  }
  if constexpr (L == kFastNormal) deep = _mm512_cmplt_epu32_mask(low, _mm512_set1_epi32(0x10000));
  f.deep = deep != 0;
}

// The same from formed arrays (other windows: their formation is the reference loop).
template <int V>
WEIGHTINIT_INLINE void load_formed_x16(const float* xp, const std::int32_t* cp, const std::int32_t* np,
                                       Formed16<V>& f) {
  __mmask16 deep = 0;
#pragma GCC unroll 8
  for (int i = 0; i < V; ++i) {
    f.x[i] = _mm512_load_ps(xp + 16 * i);
    f.centre[i] = _mm512_movepi32_mask(_mm512_load_si512(cp + 16 * i));
    f.sign[i] = _mm512_load_si512(np + 16 * i);
    deep |= _mm512_mask_cmp_ps_mask(static_cast<__mmask16>(~f.centre[i]), f.x[i],
                                    _mm512_set1_ps(0x1p16f), _CMP_LT_OQ);
  }
  f.deep = deep != 0;
}

WEIGHTINIT_FLOAT_LANES(Lanes512, __m512, 16, _mm512);  // for scale_lanes
#elif WEIGHTINIT_TARGET_ISA == 1
// AVX2's permute picks among 8 entries by the low 3 bits of the index: the main path holds
// slots 23..30 (the tail octaves j = 24..30 and the centre) at position slot mod 8, so a
// lane's exponent field (slot + 128 k) indexes them directly. A call with a lane deeper in
// the tail (t < 2^-9: 2^-8 of the normal's words) takes the full 32-entry lookup instead.
constexpr NearTable<8> kNearTable8 = make_near_table<8>();

WEIGHTINIT_INLINE __m256 lookup32_avx2(const float* table, __m256i slot) {
  const __m256 b3 = _mm256_castsi256_ps(_mm256_slli_epi32(slot, 28));
  const __m256 b4 = _mm256_castsi256_ps(_mm256_slli_epi32(slot, 27));
  const __m256 lo = _mm256_blendv_ps(_mm256_permutevar8x32_ps(_mm256_load_ps(table), slot),
                                     _mm256_permutevar8x32_ps(_mm256_load_ps(table + 8), slot), b3);
  const __m256 hi = _mm256_blendv_ps(_mm256_permutevar8x32_ps(_mm256_load_ps(table + 16), slot),
                                     _mm256_permutevar8x32_ps(_mm256_load_ps(table + 24), slot), b3);
  return _mm256_blendv_ps(lo, hi, b4);
}

// 8 V words on their way through the float kernel, in registers: x (already min'ed), the
// central lanes (top bit set), the sign bits (0x80000000 where z < 0) and whether a tail
// lane lies deeper than the main path's table.
template <int V>
struct Formed8 {
  __m256 x[V];
  __m256 centre[V];
  __m256i sign[V];
  bool deep;
};

// quantile_abs_f32 with the sign for 8 V lanes, into z[]; V vectors in lockstep so that
// their Horner chains overlap.
template <int V>
WEIGHTINIT_INLINE void quantile_x8(const Formed8<V>& f, __m256 (&z)[V]) {
  __m256i idx[V];
  __m256 var[V], qs[V], p[V];
  for (int i = 0; i < V; ++i) {
    const __m256i bits = _mm256_castps_si256(f.x[i]);
    idx[i] = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(_mm256_srli_epi32(bits, 23)),
                                                  _mm256_castsi256_ps(_mm256_set1_epi32(kQuantileCentreSlot)),
                                                  f.centre[i]));
    const __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
    qs[i] = _mm256_mul_ps(f.x[i], _mm256_set1_ps(0x1p-33f));
    var[i] = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(2.0f), m), _mm256_mul_ps(qs[i], qs[i]), f.centre[i]);
  }
  if (!f.deep) {
    for (int i = 0; i < V; ++i) {
      p[i] = _mm256_permutevar8x32_ps(_mm256_load_ps(kNearTable8.c[kQuantileDegree]), idx[i]);
    }
    for (int k = kQuantileDegree - 1; k >= 0; --k) {
      for (int i = 0; i < V; ++i) {
        p[i] = _mm256_fmadd_ps(p[i], var[i], _mm256_permutevar8x32_ps(_mm256_load_ps(kNearTable8.c[k]), idx[i]));
      }
    }
  } else {
    for (int i = 0; i < V; ++i) p[i] = lookup32_avx2(kQuantileCoef[kQuantileDegree], idx[i]);
    for (int k = kQuantileDegree - 1; k >= 0; --k) {
      for (int i = 0; i < V; ++i) p[i] = _mm256_fmadd_ps(p[i], var[i], lookup32_avx2(kQuantileCoef[k], idx[i]));
    }
  }
  for (int i = 0; i < V; ++i) {
    const __m256 z_abs = _mm256_mul_ps(p[i], _mm256_blendv_ps(_mm256_set1_ps(1.0f), qs[i], f.centre[i]));
    z[i] = _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(z_abs), f.sign[i]));
  }
}

// The formation of 8 V words in registers (the normal and [-c, c]).
template <int L, int V>
WEIGHTINIT_INLINE void form_x8(const KernelArgs& a, const std::uint32_t* wp, Formed8<V>& f) {
  const __m256i flip = _mm256_set1_epi32(INT32_MIN);
  __m256i low = _mm256_set1_epi32(-1);
  __m256 deep = _mm256_setzero_ps();
  for (int i = 0; i < V; ++i) {
    const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(wp + 8 * i));
    f.sign[i] = _mm256_andnot_si256(w, flip);  // z < 0 below 2^31
    // ta = 2 v + 1 (v = w or ~w) = ((w << 1) ^ sgn) | 1
    const __m256i ta = _mm256_or_si256(_mm256_xor_si256(_mm256_slli_epi32(w, 1), _mm256_srai_epi32(w, 31)),
                                       _mm256_set1_epi32(1));
    if constexpr (L == kFastNormal) {
      // centre_max = 2^31 - 1: central iff qb = 2^32 - ta < 2^31, i.e. ta's top bit is set
      // (the lane mask blendv reads), and then qb = |ta| as a signed integer (ta is odd,
      // never INT32_MIN); c < 2^31.
      f.centre[i] = _mm256_castsi256_ps(ta);
      f.x[i] = _mm256_cvtepi32_ps(_mm256_abs_epi32(ta));
      low = _mm256_min_epu32(low, ta);  // a tail lane is deep iff ta < 2^24
    } else {
      const __m256i qb = _mm256_sub_epi32(_mm256_setzero_si256(), ta);
      // Unsigned qb > centre_max as a signed comparison of both with the top bit flipped.
      const __m256i tail = _mm256_cmpgt_epi32(
          _mm256_xor_si256(qb, flip), _mm256_xor_si256(_mm256_set1_epi32(static_cast<int>(a.f_centre_max)), flip));
      f.centre[i] = _mm256_castsi256_ps(_mm256_xor_si256(tail, _mm256_set1_epi32(-1)));
      const __m256i c = _mm256_blendv_epi8(qb, ta, tail);
      // c as a double: (c - 2^31) converts exactly as a signed value; adding 2^31 is exact.
      const __m256i cs = _mm256_xor_si256(c, flip);
      const __m256d two31 = _mm256_set1_pd(0x1p31), delta = _mm256_set1_pd(a.f_delta);
      const __m256d pa33 = _mm256_set1_pd(a.f_pa33);
      const __m256d lo = _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(cs)), two31), delta);
      const __m256d hi = _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(cs, 1)), two31), delta);
      const __m256d tail_lo = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(tail)));
      const __m256d tail_hi = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(tail, 1)));
      const __m256d lo_x = _mm256_blendv_pd(lo, _mm256_add_pd(lo, pa33), tail_lo);
      const __m256d hi_x = _mm256_blendv_pd(hi, _mm256_add_pd(hi, pa33), tail_hi);
      f.x[i] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo_x)), _mm256_cvtpd_ps(hi_x), 1);
      deep = _mm256_or_ps(deep, _mm256_and_ps(_mm256_castsi256_ps(tail),
                                              _mm256_cmp_ps(f.x[i], _mm256_set1_ps(0x1p24f), _CMP_LT_OQ)));
    }
    f.x[i] = _mm256_min_ps(f.x[i], _mm256_set1_ps(kBelow2To31));
  }
  if constexpr (L == kFastNormal) {
    // min(low, 2^24) == low iff low <= 2^24; ta is odd, so that is low < 2^24.
    const __m256i cap = _mm256_set1_epi32(1 << 24);
    deep = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_min_epu32(low, cap), low));
  }
  f.deep = _mm256_movemask_ps(deep) != 0;
}

// The same from formed arrays (other windows: their formation is the reference loop).
template <int V>
WEIGHTINIT_INLINE void load_formed_x8(const float* xp, const std::int32_t* cp, const std::int32_t* np,
                                      Formed8<V>& f) {
  __m256 deep = _mm256_setzero_ps();
  for (int i = 0; i < V; ++i) {
    f.x[i] = _mm256_load_ps(xp + 8 * i);
    f.centre[i] = _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(cp + 8 * i)));
    f.sign[i] = _mm256_and_si256(_mm256_load_si256(reinterpret_cast<const __m256i*>(np + 8 * i)),
                                 _mm256_set1_epi32(INT32_MIN));
    deep = _mm256_or_ps(deep, _mm256_andnot_ps(f.centre[i], _mm256_cmp_ps(f.x[i], _mm256_set1_ps(0x1p24f),
                                                                        _CMP_LT_OQ)));
  }
  f.deep = _mm256_movemask_ps(deep) != 0;
}

WEIGHTINIT_FLOAT_LANES(Lanes256, __m256, 8, _mm256);  // for scale_lanes
#endif

#if WEIGHTINIT_TARGET_ISA == 1 || WEIGHTINIT_TARGET_ISA == 2
// mean + std z (one fused multiply-add, as fma_exact), clamped for the windows, for
// VT::kWidth V lanes; float32 goes straight to the output, the 16-bit types to y[] (for
// store<Out>).
template <class VT, int Out, int L, int V>
WEIGHTINIT_INLINE void scale_lanes(const KernelArgs& a, const typename VT::F (&z)[V], void* out,
                                   std::uint64_t base, float* y) {
  const typename VT::F std_v = VT::set1(a.f_std), mean = VT::set1(a.f_mean);
#pragma GCC unroll 8
  for (int i = 0; i < V; ++i) {
    typename VT::F x = VT::fmadd(std_v, z[i], mean);
    // clamp(x, lo, hi): max(lo, x) is `x < lo ? lo : x`, min(hi, .) `. > hi ? hi : .`, NaN
    // and signed zeros included. The untruncated normal's bounds are -inf and inf.
    if constexpr (L != kFastNormal) x = VT::min(VT::set1(a.f_clamp_hi), VT::max(VT::set1(a.f_clamp_lo), x));
    if constexpr (Out == kOutF32) {
      VT::storeu(static_cast<float*>(out) + base + VT::kWidth * i, x);
    } else {
      VT::store(y + VT::kWidth * i, x);
    }
  }
}
#endif

// The float kernel over N words: formation, quantile, sign, scale and store in registers,
// W = 16 V (AVX-512) or 8 V (AVX2) lanes at a time; elsewhere the reference, element by element.
template <int Out, int L, int N>
WEIGHTINIT_INLINE void normal_fast_f32(const KernelArgs& a, const std::uint32_t* w, void* out,
                                       std::uint64_t base) {
#if WEIGHTINIT_TARGET_ISA == 1 || WEIGHTINIT_TARGET_ISA == 2
#if WEIGHTINIT_TARGET_ISA == 2
  constexpr int V = 4, W = 16 * V;
  using Formed = Formed16<V>;
  using Vec = __m512;
#else
  constexpr int V = 2, W = 8 * V;
  using Formed = Formed8<V>;
  using Vec = __m256;
#endif
  // The 16-bit types convert the whole group at the end, in one loop the compiler vectorizes.
  alignas(64) float y[Out == kOutF32 ? 1 : N];
  // Other windows: the formation as the reference writes it, for the whole group (the
  // compiler vectorizes it), then the core from the arrays.
  alignas(64) float xf[L == kFastAsym ? N : 1];
  alignas(64) std::int32_t centre[L == kFastAsym ? N : 1], negative[L == kFastAsym ? N : 1];
  if constexpr (L == kFastAsym) {
    for (int e = 0; e < N; ++e) {
      bool c, n;
      form_f32<L>(a, w[e], xf[e], c, n);
      centre[e] = c ? -1 : 0;
      negative[e] = n ? -1 : 0;
    }
  }
  for (int e = 0; e < N; e += W) {
    Formed f;
    Vec z[V];
    if constexpr (L == kFastAsym) {
#if WEIGHTINIT_TARGET_ISA == 2
      load_formed_x16<V>(xf + e, centre + e, negative + e, f);
      quantile_x16<false, V>(f, z);
#else
      load_formed_x8<V>(xf + e, centre + e, negative + e, f);
      quantile_x8<V>(f, z);
#endif
    } else {
#if WEIGHTINIT_TARGET_ISA == 2
      form_x16<L, V>(a, w + e, f);
      quantile_x16<true, V>(f, z);
#else
      form_x8<L, V>(a, w + e, f);
      quantile_x8<V>(f, z);
#endif
    }
#if WEIGHTINIT_TARGET_ISA == 2
    scale_lanes<Lanes512, Out, L, V>(a, z, out, base + static_cast<std::uint64_t>(e), y + (Out == kOutF32 ? 0 : e));
#else
    scale_lanes<Lanes256, Out, L, V>(a, z, out, base + static_cast<std::uint64_t>(e), y + (Out == kOutF32 ? 0 : e));
#endif
  }
  if constexpr (Out != kOutF32) {
    for (int e = 0; e < N; ++e) store<Out>(out, base + static_cast<std::uint64_t>(e), y[e]);
  }
#else
  for (int e = 0; e < N; ++e) {
    const float x = fma_exact(a.f_std, normal_z_f32<L>(a, w[e]), a.f_mean);
    // The untruncated normal's bounds are -inf and inf: clamping would change nothing.
    store<Out>(out, base + static_cast<std::uint64_t>(e),
               L == kFastNormal ? x : clamp(x, a.f_clamp_lo, a.f_clamp_hi));
  }
#endif
}

// --- normal and truncated normal: the double kernels (docs/streams.md §5.2, §5.3) --------

// A B-bit unsigned value as a double, correctly rounded (two exact halves, one addition);
// written out because AVX2 has no 64-bit integer conversion.
WEIGHTINIT_INLINE double u64_to_f64(std::uint64_t x) {
  return static_cast<double>(static_cast<std::uint32_t>(x >> 32)) * 0x1p32 +
         static_cast<double>(static_cast<std::uint32_t>(x));
}

// kNormalWide. `bits` holds each element's B random bits W, U = (W + 1/2) 2^-B its position
// in the law's mass. Words below w_lower lie below the median: |q| = ((w_lower - 1 - W) +
// f_lo) Δ 2^-B and t = Φ(a) + (W + 1/2) Δ 2^-B; the others above it: q = ((W - w_lower) +
// f_hi) Δ 2^-B + c_hi and t = Φ(-b) + (~W + 1/2) Δ 2^-B. Each keeps its relative precision.
template <int B, int N>
WEIGHTINIT_INLINE void normal_wide(const KernelArgs& a, const std::uint64_t* bits, double* x_out) {
  constexpr std::uint64_t kMask = B == 64 ? ~std::uint64_t{0} : 0xffffffffu;
  alignas(64) double q[N], r[N];
  for (int e = 0; e < N; ++e) {
    const std::uint64_t W = (bits[e] ^ a.w_flip) & kMask;
    const bool lower = W < a.w_lower;
    const std::uint64_t k = lower ? a.w_lower - 1 - W : W - a.w_lower;
    const std::uint64_t v = lower ? W : ~W & kMask;
    const double q_abs = (u64_to_f64(k) + (lower ? a.d_f_lo : a.d_f_hi)) * a.d_delta;
    const double q_hi = q_abs + a.d_c_hi;
    q[e] = lower ? -q_abs : q_hi;
    r[e] = (lower ? a.d_pa : a.d_qb) + (u64_to_f64(v) + 0.5) * a.d_delta;
  }
  for (int e = 0; e < N; ++e) r[e] = log_f64(r[e]);
  for (int e = 0; e < N; ++e) r[e] = sqrt_f64(-r[e]);
  const double flip = a.w_flip != 0 ? -1.0 : 1.0;
  for (int e = 0; e < N; ++e) {
    const double q_abs = q[e] < 0 ? -q[e] : q[e];
    const double z_abs = ndtri_abs_f64(q_abs, r[e]);
    r[e] = (q[e] < 0 ? -z_abs : z_abs) * flip;
  }
  for (int e = 0; e < N; ++e) x_out[e] = clamp(a.d_mean + a.d_std * r[e], a.d_clamp_lo, a.d_clamp_hi);
}

// kNormalFar: a window [a, b] with a >= 35 (or its mirror), where S(a) = Φ(-a) may be below
// the doubles. With U measured from a, S(z) = S(a) (1 - U D), D = 1 - S(b)/S(a), so
// ln S(z) = ln S(a) + ln y with y = 1 - U D, formed as hi + lo (or as (1 - U) + U E,
// E = 1 - D, when D > 1/2) so that ln y keeps its precision; far_quantile_f64 inverts it.
template <int B, int N>
WEIGHTINIT_INLINE void normal_far(const KernelArgs& a, const std::uint64_t* bits, double* x_out) {
  constexpr std::uint64_t kMask = B == 64 ? ~std::uint64_t{0} : 0xffffffffu;
  constexpr double kScale = B == 64 ? 0x1p-64 : 0x1p-32;
  alignas(64) double L[N];
  for (int e = 0; e < N; ++e) {
    const std::uint64_t W = (bits[e] ^ a.w_flip) & kMask;
    const double U = (u64_to_f64(W) + 0.5) * kScale;
    const double Uc = (u64_to_f64(~W & kMask) + 0.5) * kScale;
    // y = 1 - U D: Fast2Sum, |1| >= |U D|.
    const double p1 = U * a.d_far_d;
    const double s1 = 1.0 - p1;
    const double lo1 = (1.0 - s1) - p1;
    // y = Uc + U E: 2Sum (either term may be the larger).
    const double p2 = U * a.d_far_e;
    const double s2 = Uc + p2;
    const double bb = s2 - Uc;
    const double lo2 = (Uc - (s2 - bb)) + (p2 - bb);
    const bool small_d = a.d_far_d <= 0.5;
    const double s = small_d ? s1 : s2;
    const double lo = small_d ? lo1 : lo2;
    L[e] = a.d_log_sa + (log_f64(s) + lo / s);
  }
  const double flip = a.w_flip != 0 ? -1.0 : 1.0;
  for (int e = 0; e < N; ++e) {
    // Beyond 2^32 standard deviations the law's spread (about 1/a) is below a's own ulp.
    const double far = far_quantile_f64(L[e]);
    L[e] = (a.d_near >= 0x1p32 ? a.d_near : (far > a.d_near ? far : a.d_near)) * flip;
  }
  for (int e = 0; e < N; ++e) x_out[e] = clamp(a.d_mean + a.d_std * L[e], a.d_clamp_lo, a.d_clamp_hi);
}

// kNormalNarrow (float64): a window [a, a + w] a few thousand float64 values wide (a >= 0,
// or its mirror). With U = (W + 1/2) 2^-64 the element's position in the window's mass, the
// offset d in [0, w] solves H(d) = U H(w) (math-inl.hpp's narrow_mass, nearly linear): two
// Newton steps from d = U w, each clamped to [0, w], leave d exact to about its own ulp, and
// z = a + d rounds once.
template <int N>
WEIGHTINIT_INLINE void normal_narrow(const KernelArgs& a, const std::uint64_t* bits, double* x_out) {
  const double flip = a.w_flip != 0 ? -1.0 : 1.0;
  for (int e = 0; e < N; ++e) {
    const double U = (u64_to_f64(bits[e] ^ a.w_flip) + 0.5) * 0x1p-64;
    const double target = U * a.d_narrow_h;
    double d = U * a.d_narrow_w;
    for (int k = 0; k < 2; ++k) {
      d = d - (narrow_mass(a.d_near, d) - target) / narrow_density(a.d_near, d);
      d = clamp(d, 0.0, a.d_narrow_w);
    }
    x_out[e] = clamp(a.d_mean + a.d_std * ((a.d_near + d) * flip), a.d_clamp_lo, a.d_clamp_hi);
  }
}

// One group of a 16/32-bit output: element 16 k + j is word k of lane j, which
// philox_blocks leaves at flat index 16 k + j of the group's words.
template <int Out, int T>
WEIGHTINIT_INLINE void transform_32(const KernelArgs& a, const std::uint32_t* words, void* out,
                                    std::uint64_t base) {
  constexpr int kGroup = 4 * kLanes;
  if constexpr (T == kBits) {
    std::memcpy(static_cast<std::uint32_t*>(out) + base, words, kGroup * sizeof(std::uint32_t));
  } else if constexpr (T == kUniform) {
    uniform_f32<Out, kGroup>(a, words, out, base);
  } else if constexpr (T == kNormal) {
    normal_fast_f32<Out, kFastNormal, kGroup>(a, words, out, base);
  } else if constexpr (T == kNormalSym) {
    normal_fast_f32<Out, kFastSym, kGroup>(a, words, out, base);
  } else if constexpr (T == kNormalAsym) {
    normal_fast_f32<Out, kFastAsym, kGroup>(a, words, out, base);
  } else {
    alignas(64) std::uint64_t bits[kGroup];
    alignas(64) double x[kGroup];
    for (int e = 0; e < kGroup; ++e) bits[e] = words[e];
    if constexpr (T == kNormalWide) {
      normal_wide<32, kGroup>(a, bits, x);
    } else {
      normal_far<32, kGroup>(a, bits, x);
    }
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
  } else if constexpr (T == kNormalFar) {
    normal_far<64, kGroup>(a, bits, static_cast<double*>(out) + base);
  } else if constexpr (T == kNormalNarrow) {
    normal_narrow<kGroup>(a, bits, static_cast<double*>(out) + base);
  } else {
    normal_wide<64, kGroup>(a, bits, static_cast<double*>(out) + base);
  }
}

template <int Out, int T>
void fill_groups_32(const KernelArgs& args, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const KernelArgs a = args;  // a local copy: stores to `out` cannot alias it
  const PhiloxLanes philox = philox_lanes(a.key0, a.key1, a.stream0, a.stream1);
  constexpr int kGroup = 4 * kLanes;
  std::uint64_t g = 0;
  for (; g + kPhiloxGroups <= ngroups; g += kPhiloxGroups) {
    alignas(64) std::uint32_t w[kPhiloxGroups][4][kLanes];
    philox_blocks<kPhiloxGroups>(philox, a.offset + (group + g) * kLanes, &w[0][0][0]);
    for (int i = 0; i < kPhiloxGroups; ++i) {
      transform_32<Out, T>(a, &w[i][0][0], out, (g + static_cast<std::uint64_t>(i)) * kGroup);
    }
  }
  for (; g < ngroups; ++g) {
    alignas(64) std::uint32_t w[1][4][kLanes];
    philox_blocks<1>(philox, a.offset + (group + g) * kLanes, &w[0][0][0]);
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
  const PhiloxLanes philox = philox_lanes(a.key0, a.key1, a.stream0, a.stream1);
  constexpr int kGroup = 2 * kLanes;
  std::uint64_t g = 0;
  for (; g + kPhiloxGroups <= ngroups; g += kPhiloxGroups) {
    alignas(64) std::uint32_t w[kPhiloxGroups][4][kLanes];
    philox_blocks<kPhiloxGroups>(philox, a.offset + (group + g) * kLanes, &w[0][0][0]);
    for (int i = 0; i < kPhiloxGroups; ++i) {
      alignas(64) std::uint64_t bits[kGroup];
      words_to_bits_64(w[i], bits);
      transform_64<T>(a, bits, out, (g + static_cast<std::uint64_t>(i)) * kGroup);
    }
  }
  for (; g < ngroups; ++g) {
    alignas(64) std::uint32_t w[1][4][kLanes];
    philox_blocks<1>(philox, a.offset + (group + g) * kLanes, &w[0][0][0]);
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

// The table targets/target-inl.hpp gathers into the target's TargetKernels.
KernelTable make_table() {
#define WEIGHTINIT_ROW32(F, Out)                                                       \
  {F<Out, kUniform>, F<Out, kNormal>, F<Out, kNormalSym>, F<Out, kNormalAsym>,          \
   F<Out, kNormalWide>, F<Out, kNormalFar>, nullptr, nullptr}
  return {
      {
          WEIGHTINIT_ROW32(fill_groups_32, kOutF32),
          {fill_groups_64<kUniform>, fill_groups_64<kNormal>, fill_groups_64<kNormalSym>,
           fill_groups_64<kNormalAsym>, fill_groups_64<kNormalWide>, fill_groups_64<kNormalFar>,
           fill_groups_64<kNormalNarrow>, nullptr},
          WEIGHTINIT_ROW32(fill_groups_32, kOutF16),
          WEIGHTINIT_ROW32(fill_groups_32, kOutBF16),
          {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, fill_groups_32<kOutU32, kBits>},
          {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, fill_groups_64<kBits>},
      },
      {
          WEIGHTINIT_ROW32(words_32, kOutF32),
          {words_64<kUniform>, words_64<kNormal>, words_64<kNormalSym>, words_64<kNormalAsym>,
           words_64<kNormalWide>, words_64<kNormalFar>, words_64<kNormalNarrow>, nullptr},
          WEIGHTINIT_ROW32(words_32, kOutF16),
          WEIGHTINIT_ROW32(words_32, kOutBF16),
          {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
          {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
      }};
#undef WEIGHTINIT_ROW32
}

}  // namespace

}  // namespace weightinit::detail::WEIGHTINIT_TARGET_NS::kernels
