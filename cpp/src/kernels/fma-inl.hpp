// SPDX-License-Identifier: BSD-3-Clause
// The IEEE fused multiply-add a * b + c, rounded once, from +, -, * alone (no libm).
//
// The matrix kernels define each product-sum as one fused multiply-add, which the AVX2,
// AVX-512 and NEON targets execute as one instruction. The portable target must give the
// same bits on a CPU without one, so it computes the correctly rounded result here. Where
// the compiler knows the CPU has the instruction (__FMA__, AArch64, __FP_FAST_FMA), the
// builtin is used: it is the same IEEE operation. Include inside a target namespace, after <cmath>,
// <cstdint> and <cstring>.

#if defined(_MSC_VER) && !defined(__clang__)
#define WEIGHTINIT_FMA_INLINE __forceinline
#else
#define WEIGHTINIT_FMA_INLINE inline __attribute__((always_inline))
#endif

#if (defined(__GNUC__) || defined(__clang__)) &&                                 \
    (defined(__FMA__) || defined(__aarch64__) || defined(__ARM_FEATURE_FMA) || \
     (defined(__FP_FAST_FMA) && defined(__FP_FAST_FMAF)))
#define WEIGHTINIT_HARDWARE_FMA 1
#else
#define WEIGHTINIT_HARDWARE_FMA 0
#endif

namespace {

// x rounded to odd instead of to nearest, given s = RN(x) and e = x - s exactly: when x is
// not representable, the neighbour of x whose last significand bit is 1. Rounding that to a
// format at least two bits narrower gives RN(x) in that format (Boldo and Melquiond,
// "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd",
// IEEE Trans. Computers 57(4), 2008), so no double rounding can creep in.
WEIGHTINIT_FMA_INLINE double round_to_odd(double s, double e) {
  std::uint64_t u;
  std::memcpy(&u, &s, sizeof u);
  // Branch-free (the parity of s is a coin toss): fix = 1 when x is inexact and s even; then
  // one step away from zero when e points that way, else one step towards zero.
  const std::uint64_t fix = static_cast<std::uint64_t>(e != 0) & (~u & 1u);
  const std::uint64_t away = static_cast<std::uint64_t>((e > 0) == (s > 0));
  u = u + fix - ((fix & (away ^ 1u)) << 1);
  std::memcpy(&s, &u, sizeof s);
  return s;
}

// Knuth's TwoSum: s = RN(a + b) and e with a + b = s + e exactly.
WEIGHTINIT_FMA_INLINE double two_sum(double a, double b, double& e) {
  const double s = a + b;
  const double bb = s - a;
  e = (a - (s - bb)) + (b - bb);
  return s;
}

// Dekker's product: p = RN(a * b) and e with a * b = p + e exactly (Veltkamp's splitting
// into 26-bit halves, so every partial product is exact). Exact unless a * b overflows or
// its error falls below the smallest normal double (|a * b| < 2^-969), far outside the
// values a QR of normal draws meets.
WEIGHTINIT_FMA_INLINE void split(double a, double& hi, double& lo) {
  const double t = 134217729.0 * a;  // 2^27 + 1
  hi = t - (t - a);
  lo = a - hi;
}
WEIGHTINIT_FMA_INLINE double two_product(double a, double b, double& e) {
  const double p = a * b;
  double ah, al, bh, bl;
  split(a, ah, al);
  split(b, bh, bl);
  e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return p;
}

// fma(a, b, c) in float: the product is exact in double (48 bits), the sum s = RN(a b + c)
// in double. Rounding s to float gives the right float unless s lies exactly halfway
// between two floats: every such midpoint is a double, so none lies strictly between the
// exact sum and s. Only then (and near the ends of float's range, where the midpoints move)
// is the sum's error needed: s rounded to odd in double (53 >= 24 + 2 bits), then to float.
WEIGHTINIT_FMA_INLINE float fma_exact(float a, float b, float c) {
#if WEIGHTINIT_HARDWARE_FMA
  return __builtin_fmaf(a, b, c);
#else
  const double p = static_cast<double>(a) * static_cast<double>(b);
  const double s = p + static_cast<double>(c);
  std::uint64_t u;
  std::memcpy(&u, &s, sizeof u);
  const std::uint64_t exponent = (u >> 52) & 0x7ffu;  // float's normal range: 897 .. 1150
  const bool midpoint = (u & 0x1fffffffu) == 0x10000000u;
  if (!midpoint && exponent > 897 && exponent < 1150) return static_cast<float>(s);
  double e;
  two_sum(p, static_cast<double>(c), e);
  return static_cast<float>(round_to_odd(s, e));
#endif
}

// fma(a, b, c) in double: Boldo and Melquiond's emulation (Algorithm 5.4 of the paper above):
// a * b = uh + ul exactly, c + uh = th + tl exactly, then RN(th + RO(tl + ul)).
WEIGHTINIT_FMA_INLINE double fma_exact(double a, double b, double c) {
#if WEIGHTINIT_HARDWARE_FMA
  return __builtin_fma(a, b, c);
#else
  double ul, tl, e;
  const double uh = two_product(a, b, ul);
  const double th = two_sum(c, uh, tl);
  const double v = two_sum(tl, ul, e);
  const double r = th + round_to_odd(v, e);
  if (r != 0) return r;
  // An exact zero is -0 only when a * b and c are both -0 (IEEE 754, 6.3); the sums above
  // would make it +0.
  const bool negative_zero_product = (a == 0 || b == 0) && (std::signbit(a) != std::signbit(b));
  return negative_zero_product && c == 0 && std::signbit(c) ? -0.0 : 0.0;
#endif
}

}  // namespace
