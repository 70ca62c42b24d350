// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream's kernels, written once as plain lane loops. tf_stream_<target>.cpp
// defines WEIGHTINIT_TARGET_NS and includes this file under its instruction-set flags; the
// compiler vectorizes the Philox and uniform loops. Every value is a fixed sequence of
// IEEE-754 operations (no contraction: -ffp-contract=off), so every target writes the bits
// of the scalar one. Internal linkage throughout, so no wide-ISA copy leaks to another target.

#ifndef WEIGHTINIT_TARGET_NS
#error "define WEIGHTINIT_TARGET_NS before including tf_stream-inl.hpp"
#endif

#include <cmath>
#include <cstdint>
#include <cstring>

#include "tf_kernel.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/float16.hpp"
#include "weightinit/philox.hpp"

#if defined(WEIGHTINIT_TF_INTRINSICS) && (defined(__AVX2__) || defined(__AVX512F__))
#include <immintrin.h>
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#define WEIGHTINIT_INLINE __forceinline
#else
#define WEIGHTINIT_INLINE inline __attribute__((always_inline))
#endif

namespace weightinit::detail::WEIGHTINIT_TARGET_NS {

#include "tf_math-inl.hpp"

namespace {

// Blocks drawn at once: enough lanes for the widest vector unit.
constexpr int kTfLanes = 16;

#if defined(WEIGHTINIT_TF_INTRINSICS)
#define WEIGHTINIT_PHILOX_SIMD 1
#else
#define WEIGHTINIT_PHILOX_SIMD 0
#endif
#include "philox_lanes-inl.hpp"
#undef WEIGHTINIT_PHILOX_SIMD
#include "uniform_int-inl.hpp"

// Blocks c[0] .. c[kTfLanes - 1] of the op's stream (counter (c[j], seed2)): word k of
// block c[j] lands at w[k * kTfLanes + j]. The same rounds as philox4x32 (philox.hpp), in lanes.
// The x86 files run philox_lanes-inl.hpp's rounds on two (AVX-512) or four (AVX2) sets.
#if defined(WEIGHTINIT_TF_INTRINSICS) && defined(__AVX512F__)
WEIGHTINIT_INLINE void tf_blocks_at(const TfArgs& a, const PhiloxRoundKeys& rk, const std::uint64_t* c,
                                    std::uint32_t* w) {
  __m512i x0[2], x1[2], x2[2], x3[2];
  for (int i = 0; i < 2; ++i) {
    x0[i] = _mm512_loadu_si512(c + 8 * i);
    x1[i] = _mm512_srli_epi64(x0[i], 32);
    x2[i] = _mm512_set1_epi64(a.ctr2);
    x3[i] = _mm512_set1_epi64(a.ctr3);
  }
  philox_rounds(x0, x1, x2, x3, rk);
  _mm512_store_si512(w + 0 * kTfLanes, philox_pack_low(x0[0], x0[1]));
  _mm512_store_si512(w + 1 * kTfLanes, philox_pack_low(x1[0], x1[1]));
  _mm512_store_si512(w + 2 * kTfLanes, philox_pack_low(x2[0], x2[1]));
  _mm512_store_si512(w + 3 * kTfLanes, philox_pack_low(x3[0], x3[1]));
}
#elif defined(WEIGHTINIT_TF_INTRINSICS) && defined(__AVX2__)
WEIGHTINIT_INLINE void tf_blocks_at(const TfArgs& a, const PhiloxRoundKeys& rk, const std::uint64_t* c,
                                    std::uint32_t* w) {
  __m256i x0[4], x1[4], x2[4], x3[4];
  for (int i = 0; i < 4; ++i) {
    x0[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c + 4 * i));
    x1[i] = _mm256_srli_epi64(x0[i], 32);
    x2[i] = _mm256_set1_epi64x(a.ctr2);
    x3[i] = _mm256_set1_epi64x(a.ctr3);
  }
  philox_rounds(x0, x1, x2, x3, rk);
  for (int i = 0; i < 4; i += 2) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(w + 0 * kTfLanes + 4 * i), philox_pack_low(x0[i], x0[i + 1]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w + 1 * kTfLanes + 4 * i), philox_pack_low(x1[i], x1[i + 1]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w + 2 * kTfLanes + 4 * i), philox_pack_low(x2[i], x2[i + 1]));
    _mm256_store_si256(reinterpret_cast<__m256i*>(w + 3 * kTfLanes + 4 * i), philox_pack_low(x3[i], x3[i + 1]));
  }
}
#else
WEIGHTINIT_INLINE void tf_blocks_at(const TfArgs& a, const PhiloxRoundKeys&, const std::uint64_t* c,
                                    std::uint32_t* w) {
  for (int j = 0; j < kTfLanes; ++j) {
    const Philox4x32Ctr x = philox4x32({static_cast<std::uint32_t>(c[j]),
                                        static_cast<std::uint32_t>(c[j] >> 32), a.ctr2, a.ctr3},
                                       {a.key0, a.key1});
    for (int k = 0; k < 4; ++k) w[k * kTfLanes + j] = x[static_cast<std::size_t>(k)];
  }
}
#endif

// Blocks first .. first + kTfLanes - 1.
WEIGHTINIT_INLINE void tf_blocks(const TfArgs& a, const PhiloxRoundKeys& rk, std::uint64_t first,
                                 std::uint32_t* w) {
  alignas(64) std::uint64_t c[kTfLanes];
  for (int j = 0; j < kTfLanes; ++j) c[j] = first + static_cast<std::uint64_t>(j);
  tf_blocks_at(a, rk, c, w);
}

// One block, for the truncated normal's sequential reads.
WEIGHTINIT_INLINE Philox4x32Ctr tf_block(const TfArgs& a, std::uint64_t block) {
  return philox4x32({static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                     a.ctr2, a.ctr3},
                    {a.key0, a.key1});
}

// --- words to numbers (TF's random_distributions.h) -----------------------------------------

// Uint32ToFloat: low 23 bits as the mantissa of a float in [1, 2), minus 1.
WEIGHTINIT_INLINE float tf_u32_to_float(std::uint32_t x) {
  return f32_from_bits(0x3f800000u | (x & 0x7fffffu)) - 1.0f;
}
// Uint64ToDouble(x0, x1): 20 low bits of x0 above the 32 of x1, in [1, 2), minus 1.
WEIGHTINIT_INLINE double tf_u64_to_double(std::uint32_t x0, std::uint32_t x1) {
  const std::uint64_t man = (std::uint64_t{x0 & 0xfffffu} << 32) | x1;
  return f64_from_bits((std::uint64_t{1023} << 52) | man) - 1.0;
}
// Uint16ToHalf / Uint16ToGfloat16 of the word's low 16 bits, as the exact float value.
WEIGHTINIT_INLINE float tf_u32_to_half_value(std::uint32_t x) {
  return static_cast<float>(x & 0x3ffu) * 0x1p-10f;  // (1 + m / 2^10) - 1, exact
}
WEIGHTINIT_INLINE float tf_u32_to_bf16_value(std::uint32_t x) {
  return static_cast<float>(x & 0x7fu) * 0x1p-7f;  // (1 + m / 2^7) - 1, exact
}

// BoxMullerFloat(x0, x1): sine output first.
WEIGHTINIT_INLINE void tf_box_muller_f(std::uint32_t x0, std::uint32_t x1, float* f0, float* f1) {
  // u1 < 1e-7f only for u1 == 0 (a zero mantissa); the clamp as a bit select keeps the
  // compiler from splitting the log's table loads by cases (which blocks vectorizing).
  const std::uint32_t zero = 0u - static_cast<std::uint32_t>((x0 & 0x7fffffu) == 0);
  const float u1 = f32_from_bits(bits_from_f32(tf_u32_to_float(x0)) | (zero & bits_from_f32(1.0e-7f)));
  // 2.0f * M_PI * u: a double product (2 pi as a double), rounded to float once.
  const float v1 = static_cast<float>(6.283185307179586 * static_cast<double>(tf_u32_to_float(x1)));
#if defined(__GNUC__)
  const float u2 = __builtin_sqrtf(-2.0f * glibc_logf(u1));
#else
  const float u2 = std::sqrt(-2.0f * glibc_logf(u1));
#endif
  float s, c;
  glibc_sincosf_nonneg(v1, &s, &c);  // v1 in [0, 2 pi)
  *f0 = s * u2;
  *f1 = c * u2;
}

// BoxMullerDouble(x0, x1, x2, x3).
WEIGHTINIT_INLINE void tf_box_muller_d(std::uint32_t x0, std::uint32_t x1, std::uint32_t x2,
                                       std::uint32_t x3, double* d0, double* d1) {
  double u1 = tf_u64_to_double(x0, x1);
  if (u1 < 1.0e-7) u1 = 1.0e-7;
  const double v1 = 6.283185307179586 * tf_u64_to_double(x2, x3);
#if defined(__GNUC__)
  const double u2 = __builtin_sqrt(-2.0 * glibc_log(u1));
#else
  const double u2 = std::sqrt(-2.0 * glibc_log(u1));
#endif
  double s, c;
  glibc_sincos(v1, &s, &c);
  *d0 = s * u2;
  *d1 = c * u2;
}

// --- rounding to the 16-bit types (round to nearest even) ------------------------------------

// x * mul + add in the output type: float32 and float64 directly; the 16-bit types as Eigen
// does, each operation in float and rounded to the type (exact: float has more than twice
// their precision plus two bits, so this equals the type's own correctly rounded operation).
WEIGHTINIT_INLINE float tf_affine_f32(const TfArgs& a, float x) {
  const float p = x * a.f_mul;
  return a.has_add ? p + a.f_add : p;
}
WEIGHTINIT_INLINE double tf_affine_f64(const TfArgs& a, double x) {
  const double p = x * a.d_mul;
  return a.has_add ? p + a.d_add : p;
}
WEIGHTINIT_INLINE std::uint16_t tf_affine_half(const TfArgs& a, float x) {
  const std::uint16_t p = float16_bits(x * a.f_mul);
  return a.has_add ? float16_bits(half_bits_to_float(p) + a.f_add) : p;
}
WEIGHTINIT_INLINE std::uint16_t tf_affine_bf16(const TfArgs& a, float x) {
  const std::uint16_t p = bfloat16_bits(x * a.f_mul);
  return a.has_add ? bfloat16_bits(bfloat16_bits_to_float(p) + a.f_add) : p;
}

// --- the group kernels -----------------------------------------------------------------------

// Output kinds.
enum TfOut { kTfF32 = 0, kTfF64 = 1, kTfF16 = 2, kTfBF16 = 3, kTfI32 = 4, kTfI64 = 5 };

// Writes v[k * kTfLanes + j] (word k of block j's transform) to out in element order 4 j + k.
template <class T>
WEIGHTINIT_INLINE void tf_store_transposed(const T* v, int n, void* out) {
  T* o = static_cast<T*>(out);
  for (int j = 0; j < n; ++j) {
    for (int k = 0; k < 4; ++k) o[4 * j + k] = v[k * kTfLanes + j];
  }
}

// The transform of one word into the output's storage (uniform and integer uniform).
template <int Out, bool Add>
WEIGHTINIT_INLINE auto tf_uniform_word(const TfArgs& a, std::uint32_t x) {
  if constexpr (Out == kTfF32) {
    const float p = tf_u32_to_float(x) * a.f_mul;
    return Add ? p + a.f_add : p;
  } else if constexpr (Out == kTfF16) {
    const std::uint16_t p = float16_bits(tf_u32_to_half_value(x) * a.f_mul);
    return Add ? float16_bits(half_bits_to_float(p) + a.f_add) : p;
  } else if constexpr (Out == kTfBF16) {
    const std::uint16_t p = bfloat16_bits(tf_u32_to_bf16_value(x) * a.f_mul);
    return Add ? bfloat16_bits(bfloat16_bits_to_float(p) + a.f_add) : p;
  } else {
    return uniform_int_word(x, a.range32, a.base32);
  }
}

// Uniform and integer uniform, 32/16-bit outputs: group g = block g, one output per word.
// Each pass is a lane loop over one word of 16 blocks (vectorized), then a transposed store.
template <int Out, bool Add>
void tf_uniform_narrow_impl(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  using T = decltype(tf_uniform_word<Out, Add>(a, 0u));
  const PhiloxRoundKeys rk = philox_round_keys(a.key0, a.key1);
  alignas(64) std::uint32_t w[4 * kTfLanes];
  alignas(64) T v[4 * kTfLanes];
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    // One flat loop over the 4 x 16 words (w and v are contiguous): it vectorizes.
    for (int q = 0; q < 4 * kTfLanes; ++q) v[q] = tf_uniform_word<Out, Add>(a, w[q]);
    tf_store_transposed<T>(v, n, out);
    out = static_cast<char*>(out) + static_cast<std::size_t>(n) * 4 * sizeof(T);
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}
template <int Out>
void tf_uniform_narrow(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  if (a.has_add) {
    tf_uniform_narrow_impl<Out, true>(a, group, ngroups, out);
  } else {
    tf_uniform_narrow_impl<Out, false>(a, group, ngroups, out);
  }
}

// Uniform and integer uniform, 64-bit outputs: group g = block g, two words per output.
template <int Out>
void tf_uniform_wide(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const PhiloxRoundKeys rk = philox_round_keys(a.key0, a.key1);
  alignas(64) std::uint32_t w[4 * kTfLanes];
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < 2; ++k) {
        const std::uint32_t lo = w[2 * k * kTfLanes + j], hi = w[(2 * k + 1) * kTfLanes + j];
        const std::size_t i = static_cast<std::size_t>(2 * j + k);
        if constexpr (Out == kTfF64) {
          static_cast<double*>(out)[i] = tf_affine_f64(a, tf_u64_to_double(lo, hi));
        } else {
          const std::uint64_t bits = lo | (std::uint64_t{hi} << 32);
          static_cast<std::uint64_t*>(out)[i] = uniform_int_word(bits, a.range64, a.base64);
        }
      }
    }
    out = static_cast<char*>(out) + static_cast<std::size_t>(n) * 16;
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}

// Normal, 32/16-bit outputs: group g = block g; (w0, w1) give outputs 0, 1 and (w2, w3)
// outputs 2, 3, each pair sine first. The 16-bit types round the float result first.
template <int Out>
WEIGHTINIT_INLINE auto tf_normal_value(const TfArgs& a, float z) {
  if constexpr (Out == kTfF32) {
    return tf_affine_f32(a, z);
  } else if constexpr (Out == kTfF16) {
    return tf_affine_half(a, half_bits_to_float(float16_bits(z)));
  } else {
    return tf_affine_bf16(a, bfloat16_bits_to_float(bfloat16_bits(z)));
  }
}

template <int Out>
void tf_normal_narrow(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  using T = decltype(tf_normal_value<Out>(a, 0.0f));
  const PhiloxRoundKeys rk = philox_round_keys(a.key0, a.key1);
  alignas(64) std::uint32_t w[4 * kTfLanes];
  alignas(64) float z[4 * kTfLanes];
  alignas(64) T v[4 * kTfLanes];
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    for (int k = 0; k < 2; ++k) {
      for (int j = 0; j < kTfLanes; ++j) {
        tf_box_muller_f(w[2 * k * kTfLanes + j], w[(2 * k + 1) * kTfLanes + j],
                        &z[2 * k * kTfLanes + j], &z[(2 * k + 1) * kTfLanes + j]);
      }
    }
    for (int q = 0; q < 4 * kTfLanes; ++q) v[q] = tf_normal_value<Out>(a, z[q]);
    tf_store_transposed<T>(v, n, out);
    out = static_cast<char*>(out) + static_cast<std::size_t>(n) * 4 * sizeof(T);
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}

// Normal, float64: group g = block g, one Box-Muller pair from its four words.
void tf_normal_f64(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const PhiloxRoundKeys rk = philox_round_keys(a.key0, a.key1);
  alignas(64) std::uint32_t w[4 * kTfLanes];
  auto* o = static_cast<double*>(out);
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    for (int j = 0; j < n; ++j) {
      double d0, d1;
      tf_box_muller_d(w[j], w[kTfLanes + j], w[2 * kTfLanes + j], w[3 * kTfLanes + j], &d0, &d1);
      o[2 * j] = tf_affine_f64(a, d0);
      o[2 * j + 1] = tf_affine_f64(a, d1);
    }
    o += 2 * n;
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}

// The words of a truncated-normal group's window, one at a time (SingleSampleAdapter).
struct TfWordReader {
  const TfArgs& a;
  std::uint64_t block;
  Philox4x32Ctr buf{};
  int used = 4;
  std::uint32_t next() {
    if (used == 4) {
      buf = tf_block(a, block++);
      used = 0;
    }
    return buf[static_cast<std::size_t>(used++)];
  }
};

// Truncated normal, 32/16-bit outputs: group g reads the words of its window from block
// 256 g on, two per candidate pair; candidates with |z| < 2 (in float) are kept in order
// until the group has 4 (TF's TruncatedNormalDistribution with 256 reserved words per output).
// The first two blocks of the window (8 candidates) are computed for 16 groups at once in
// lanes; a group with fewer than 4 of them accepted (probability about 1e-5) is redone by the
// sequential reader, which reads the same words in the same order.
template <int Out>
void tf_truncated_group(const TfArgs& a, std::uint64_t g, float* res) {
  TfWordReader rd{a, g * 256};
  int count = 0;
  while (count < 4) {
    const std::uint32_t x0 = rd.next(), x1 = rd.next();
    float f[2];
    tf_box_muller_f(x0, x1, &f[0], &f[1]);
    for (int k = 0; k < 2 && count < 4; ++k) {
      if ((f[k] < 0 ? -f[k] : f[k]) < 2.0f) res[count++] = f[k];
    }
  }
}

#if defined(WEIGHTINIT_TF_INTRINSICS)
template <int Out>
void tf_truncated_narrow(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  using T = decltype(tf_normal_value<Out>(a, 0.0f));
  const PhiloxRoundKeys rk = philox_round_keys(a.key0, a.key1);
  alignas(64) std::uint64_t c[kTfLanes];
  alignas(64) std::uint32_t w[8 * kTfLanes];  // words 0-3 of block 256 g, then of 256 g + 1
  alignas(64) float z[8 * kTfLanes];
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    for (int j = 0; j < kTfLanes; ++j) c[j] = (group + static_cast<std::uint64_t>(j)) * 256;
    tf_blocks_at(a, rk, c, w);
    for (int j = 0; j < kTfLanes; ++j) ++c[j];
    tf_blocks_at(a, rk, c, w + 4 * kTfLanes);
    for (int p = 0; p < 4; ++p) {
      for (int j = 0; j < kTfLanes; ++j) {
        tf_box_muller_f(w[2 * p * kTfLanes + j], w[(2 * p + 1) * kTfLanes + j],
                        &z[2 * p * kTfLanes + j], &z[(2 * p + 1) * kTfLanes + j]);
      }
    }
    for (int j = 0; j < n; ++j) {
      float res[4];
      int count = 0;
      for (int k = 0; k < 8 && count < 4; ++k) {
        const float v = z[k * kTfLanes + j];
        if ((v < 0 ? -v : v) < 2.0f) res[count++] = v;
      }
      if (count < 4) tf_truncated_group<Out>(a, group + static_cast<std::uint64_t>(j), res);
      for (int k = 0; k < 4; ++k) static_cast<T*>(out)[4 * j + k] = tf_normal_value<Out>(a, res[k]);
    }
    out = static_cast<char*>(out) + static_cast<std::size_t>(n) * 4 * sizeof(T);
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}
#else
// The reference: every group by the sequential reader.
template <int Out>
void tf_truncated_narrow(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  using T = decltype(tf_normal_value<Out>(a, 0.0f));
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    float res[4];
    tf_truncated_group<Out>(a, group + g, res);
    for (int k = 0; k < 4; ++k) static_cast<T*>(out)[4 * g + k] = tf_normal_value<Out>(a, res[k]);
  }
}
#endif

// Truncated normal, float64: windows of 128 blocks, four words per candidate pair.
void tf_truncated_f64(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  auto* o = static_cast<double*>(out);
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    TfWordReader rd{a, (group + g) * 128};
    double res[2];
    int count = 0;
    while (count < 2) {
      const std::uint32_t x0 = rd.next(), x1 = rd.next(), x2 = rd.next(), x3 = rd.next();
      double d[2];
      tf_box_muller_d(x0, x1, x2, x3, &d[0], &d[1]);
      for (int k = 0; k < 2 && count < 2; ++k) {
        if ((d[k] < 0 ? -d[k] : d[k]) < 2.0) res[count++] = d[k];
      }
    }
    o[2 * g] = tf_affine_f64(a, res[0]);
    o[2 * g + 1] = tf_affine_f64(a, res[1]);
  }
}

TfKernelTable make_tf_table() {
  TfKernelTable t{};
  const int f32 = static_cast<int>(DType::kFloat32), f64 = static_cast<int>(DType::kFloat64);
  const int f16 = static_cast<int>(DType::kFloat16), bf16 = static_cast<int>(DType::kBFloat16);
  const int u32 = static_cast<int>(DType::kUInt32), u64 = static_cast<int>(DType::kUInt64);
  t.fn[f32][kTfUniform] = tf_uniform_narrow<kTfF32>;
  t.fn[f16][kTfUniform] = tf_uniform_narrow<kTfF16>;
  t.fn[bf16][kTfUniform] = tf_uniform_narrow<kTfBF16>;
  t.fn[f64][kTfUniform] = tf_uniform_wide<kTfF64>;
  t.fn[u32][kTfUniformInt] = tf_uniform_narrow<kTfI32>;
  t.fn[u64][kTfUniformInt] = tf_uniform_wide<kTfI64>;
  t.fn[f32][kTfNormal] = tf_normal_narrow<kTfF32>;
  t.fn[f16][kTfNormal] = tf_normal_narrow<kTfF16>;
  t.fn[bf16][kTfNormal] = tf_normal_narrow<kTfBF16>;
  t.fn[f64][kTfNormal] = tf_normal_f64;
  t.fn[f32][kTfTruncatedNormal] = tf_truncated_narrow<kTfF32>;
  t.fn[f16][kTfTruncatedNormal] = tf_truncated_narrow<kTfF16>;
  t.fn[bf16][kTfTruncatedNormal] = tf_truncated_narrow<kTfBF16>;
  t.fn[f64][kTfTruncatedNormal] = tf_truncated_f64;
  return t;
}

}  // namespace

inline const TfKernelTable& tf_table() {
  static const TfKernelTable t = make_tf_table();
  return t;
}

}  // namespace weightinit::detail::WEIGHTINIT_TARGET_NS
