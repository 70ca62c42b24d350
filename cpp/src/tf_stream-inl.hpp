// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream's kernels, written once as plain lane loops. tf_stream_<target>.cpp
// defines WEIGHTINIT_TARGET_NS and includes this file under its instruction-set flags; the
// compiler vectorizes the Philox and uniform loops. Every value is a fixed sequence of
// IEEE-754 operations (no contraction: -ffp-contract=off), so every target writes the bits
// of the scalar one. Internal linkage throughout, so no wide-ISA copy leaks to another target.

#ifndef WEIGHTINIT_TARGET_NS
#error "define WEIGHTINIT_TARGET_NS before including tf_stream-inl.hpp"
#endif

#include <cstdint>
#include <cstring>

#include "tf_kernel.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/philox.hpp"

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

struct TfRoundKeys {
  std::uint32_t k0[10], k1[10];
};

WEIGHTINIT_INLINE TfRoundKeys tf_round_keys(const TfArgs& a) {
  TfRoundKeys rk;
  for (int r = 0; r < 10; ++r) {
    const Philox4x32Key k = philox4x32_round_key({a.key0, a.key1}, r);
    rk.k0[r] = k[0];
    rk.k1[r] = k[1];
  }
  return rk;
}

// Blocks first .. first + kTfLanes - 1 of the op's stream (counter (first + j, seed2)):
// word k of block j lands at w[k][j]. The same rounds as philox4x32 (philox.hpp), in lanes.
WEIGHTINIT_INLINE void tf_blocks(const TfArgs& a, const TfRoundKeys& rk, std::uint64_t first,
                                 std::uint32_t (*w)[kTfLanes]) {
  std::uint32_t x0[kTfLanes], x1[kTfLanes], x2[kTfLanes], x3[kTfLanes];
  for (int j = 0; j < kTfLanes; ++j) {
    const std::uint64_t c = first + static_cast<std::uint64_t>(j);
    x0[j] = static_cast<std::uint32_t>(c);
    x1[j] = static_cast<std::uint32_t>(c >> 32);
    x2[j] = a.ctr2;
    x3[j] = a.ctr3;
  }
  for (int r = 0; r < 10; ++r) {
    const std::uint32_t k0 = rk.k0[r], k1 = rk.k1[r];
    for (int j = 0; j < kTfLanes; ++j) {
      const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * x0[j];
      const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * x2[j];
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1[j] ^ k0;
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3[j] ^ k1;
      x1[j] = static_cast<std::uint32_t>(p1);
      x3[j] = static_cast<std::uint32_t>(p0);
      x0[j] = n0;
      x2[j] = n2;
    }
  }
  for (int j = 0; j < kTfLanes; ++j) {
    w[0][j] = x0[j];
    w[1][j] = x1[j];
    w[2][j] = x2[j];
    w[3][j] = x3[j];
  }
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
  return tfm_float(0x3f800000u | (x & 0x7fffffu)) - 1.0f;
}
// Uint64ToDouble(x0, x1): 20 low bits of x0 above the 32 of x1, in [1, 2), minus 1.
WEIGHTINIT_INLINE double tf_u64_to_double(std::uint32_t x0, std::uint32_t x1) {
  const std::uint64_t man = (std::uint64_t{x0 & 0xfffffu} << 32) | x1;
  return tfm_double((std::uint64_t{1023} << 52) | man) - 1.0;
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
  float u1 = tf_u32_to_float(x0);
  if (u1 < 1.0e-7f) u1 = 1.0e-7f;
  // 2.0f * M_PI * u: a double product (2 pi as a double), rounded to float once.
  const float v1 = static_cast<float>(6.283185307179586 * static_cast<double>(tf_u32_to_float(x1)));
#if defined(__GNUC__)
  const float u2 = __builtin_sqrtf(-2.0f * glibc_logf(u1));
#else
  const float u2 = std::sqrt(-2.0f * glibc_logf(u1));
#endif
  float s, c;
  glibc_sincosf(v1, &s, &c);
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

WEIGHTINIT_INLINE std::uint16_t tf_to_half(float f) {
  const std::uint32_t x = tfm_bits32(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) return static_cast<std::uint16_t>(sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (ax >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // rounds to inf
  if (ax < 0x38800000u) {
    // Subnormal half (or zero): add 0.5 so the float's own rounding lands on 2^-24 steps.
    const float shifted = tfm_float(ax) + 0.5f;
    return static_cast<std::uint16_t>(sign | (tfm_bits32(shifted) - 0x3f000000u));
  }
  const std::uint32_t r = (ax + 0x0fffu + ((ax >> 13) & 1u) - 0x38000000u) >> 13;
  return static_cast<std::uint16_t>(sign | r);
}
WEIGHTINIT_INLINE float tf_half_value(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t{h & 0x8000u} << 16;
  const std::uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0) return tfm_float(sign) + (sign ? -1.0f : 1.0f) * static_cast<float>(m) * 0x1p-24f;
  if (e == 31) return tfm_float(sign | 0x7f800000u | (m << 13));
  return tfm_float(sign | ((e + 112) << 23) | (m << 13));
}
WEIGHTINIT_INLINE std::uint16_t tf_to_bf16(float f) {
  const std::uint32_t x = tfm_bits32(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
  return static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}
WEIGHTINIT_INLINE float tf_bf16_value(std::uint16_t b) { return tfm_float(std::uint32_t{b} << 16); }

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
  const std::uint16_t p = tf_to_half(x * a.f_mul);
  return a.has_add ? tf_to_half(tf_half_value(p) + a.f_add) : p;
}
WEIGHTINIT_INLINE std::uint16_t tf_affine_bf16(const TfArgs& a, float x) {
  const std::uint16_t p = tf_to_bf16(x * a.f_mul);
  return a.has_add ? tf_to_bf16(tf_bf16_value(p) + a.f_add) : p;
}

// --- the group kernels -----------------------------------------------------------------------

// Output kinds.
enum TfOut { kTfF32 = 0, kTfF64 = 1, kTfF16 = 2, kTfBF16 = 3, kTfI32 = 4, kTfI64 = 5 };

// Uniform and integer uniform, 32/16-bit outputs: group g = block g, one output per word.
template <int Out>
void tf_uniform_narrow(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const TfRoundKeys rk = tf_round_keys(a);
  alignas(64) std::uint32_t w[4][kTfLanes];
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < 4; ++k) {
        const std::uint32_t x = w[k][j];
        const std::size_t i = static_cast<std::size_t>(4 * j + k);
        if constexpr (Out == kTfF32) {
          static_cast<float*>(out)[i] = tf_affine_f32(a, tf_u32_to_float(x));
        } else if constexpr (Out == kTfF16) {
          static_cast<std::uint16_t*>(out)[i] = tf_affine_half(a, tf_u32_to_half_value(x));
        } else if constexpr (Out == kTfBF16) {
          static_cast<std::uint16_t*>(out)[i] = tf_affine_bf16(a, tf_u32_to_bf16_value(x));
        } else {
          static_cast<std::uint32_t*>(out)[i] = x % a.range32 + a.base32;
        }
      }
    }
    out = static_cast<char*>(out) + static_cast<std::size_t>(n) * 4 * (Out == kTfF32 || Out == kTfI32 ? 4 : 2);
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}

// Uniform and integer uniform, 64-bit outputs: group g = block g, two words per output.
template <int Out>
void tf_uniform_wide(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const TfRoundKeys rk = tf_round_keys(a);
  alignas(64) std::uint32_t w[4][kTfLanes];
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < 2; ++k) {
        const std::uint32_t lo = w[2 * k][j], hi = w[2 * k + 1][j];
        const std::size_t i = static_cast<std::size_t>(2 * j + k);
        if constexpr (Out == kTfF64) {
          static_cast<double*>(out)[i] = tf_affine_f64(a, tf_u64_to_double(lo, hi));
        } else {
          const std::uint64_t bits = lo | (std::uint64_t{hi} << 32);
          static_cast<std::uint64_t*>(out)[i] = bits % a.range64 + a.base64;
        }
      }
    }
    out = static_cast<char*>(out) + static_cast<std::size_t>(n) * 16;
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}

template <int Out>
WEIGHTINIT_INLINE void tf_store_normal(const TfArgs& a, float z, void* out, std::size_t i) {
  if constexpr (Out == kTfF32) {
    static_cast<float*>(out)[i] = tf_affine_f32(a, z);
  } else if constexpr (Out == kTfF16) {
    static_cast<std::uint16_t*>(out)[i] = tf_affine_half(a, tf_half_value(tf_to_half(z)));
  } else {
    static_cast<std::uint16_t*>(out)[i] = tf_affine_bf16(a, tf_bf16_value(tf_to_bf16(z)));
  }
}

// Normal, 32/16-bit outputs: group g = block g; (w0, w1) give outputs 0, 1 and (w2, w3)
// outputs 2, 3, each pair sine first. The 16-bit types round the float result first.
template <int Out>
void tf_normal_narrow(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const TfRoundKeys rk = tf_round_keys(a);
  alignas(64) std::uint32_t w[4][kTfLanes];
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < 2; ++k) {
        float f0, f1;
        tf_box_muller_f(w[2 * k][j], w[2 * k + 1][j], &f0, &f1);
        const std::size_t i = static_cast<std::size_t>(4 * j + 2 * k);
        tf_store_normal<Out>(a, f0, out, i);
        tf_store_normal<Out>(a, f1, out, i + 1);
      }
    }
    out = static_cast<char*>(out) + static_cast<std::size_t>(n) * 4 * (Out == kTfF32 ? 4 : 2);
    group += static_cast<std::uint64_t>(n);
    ngroups -= static_cast<std::uint64_t>(n);
  }
}

// Normal, float64: group g = block g, one Box-Muller pair from its four words.
void tf_normal_f64(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  const TfRoundKeys rk = tf_round_keys(a);
  alignas(64) std::uint32_t w[4][kTfLanes];
  auto* o = static_cast<double*>(out);
  while (ngroups > 0) {
    const int n = ngroups < kTfLanes ? static_cast<int>(ngroups) : kTfLanes;
    tf_blocks(a, rk, group, w);
    for (int j = 0; j < n; ++j) {
      double d0, d1;
      tf_box_muller_d(w[0][j], w[1][j], w[2][j], w[3][j], &d0, &d1);
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
template <int Out>
void tf_truncated_narrow(const TfArgs& a, std::uint64_t group, std::uint64_t ngroups, void* out) {
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    TfWordReader rd{a, (group + g) * 256};
    float res[4];
    int count = 0;
    while (count < 4) {
      const std::uint32_t x0 = rd.next(), x1 = rd.next();
      float f[2];
      tf_box_muller_f(x0, x1, &f[0], &f[1]);
      for (int k = 0; k < 2 && count < 4; ++k) {
        if ((f[k] < 0 ? -f[k] : f[k]) < 2.0f) res[count++] = f[k];
      }
    }
    for (int k = 0; k < 4; ++k) tf_store_normal<Out>(a, res[k], out, static_cast<std::size_t>(4 * g + k));
  }
}

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
