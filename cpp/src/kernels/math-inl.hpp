// SPDX-License-Identifier: BSD-3-Clause
// Elementary functions for the kernels: our own log and normal quantiles, no libm, so every
// target and platform computes the same bits. Include inside a target namespace only.
//
// Each function is a fixed sequence of IEEE-754 +, -, *, /, sqrt and fused multiply-add
// (all correctly rounded; fma only where written, never contracted: the build passes
// -ffp-contract=off), so its bits do not depend on the vector width, the compiler or the OS.

// Included by kernels-inl.hpp inside a target namespace, after <cstdint>, <cstring>, <cmath>
// and weightinit/float16.hpp.

#if defined(_MSC_VER) && !defined(__clang__)
#define WEIGHTINIT_INLINE __forceinline
#else
#define WEIGHTINIT_INLINE inline __attribute__((always_inline))
#endif

#include "kernels/bits-inl.hpp"

namespace {

// sqrt is correctly rounded by IEEE 754 on every target; the builtin avoids errno handling.
WEIGHTINIT_INLINE float sqrt_f32(float x) {
#if defined(__GNUC__)
  return __builtin_sqrtf(x);
#else
  return std::sqrt(x);
#endif
}
WEIGHTINIT_INLINE double sqrt_f64(double x) {
#if defined(__GNUC__)
  return __builtin_sqrt(x);
#else
  return std::sqrt(x);
#endif
}

// Natural log of a positive normal double: x = 2^e m with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(s), s = (m - 1)/(m + 1), by its series to s^21 (next term below 1e-18
// relative), ln 2 split in fdlibm's head and tail so e ln2_hi is exact. Error about 1 ulp.
WEIGHTINIT_INLINE double log_f64(double x) {
  std::uint64_t ix = bits_from_f64(x) + (0x3ff0000000000000ull - 0x3fe6a09e667f3bcdull);
  // The biased exponent (< 2^12) as the low mantissa bits of 2^52: exact, and without an
  // int64 -> double conversion, which AVX2 lacks.
  const double e = f64_from_bits(0x4330000000000000ull | (ix >> 52)) - (0x1p52 + 1023.0);
  ix = (ix & 0x000fffffffffffffull) + 0x3fe6a09e667f3bcdull;
  const double f = f64_from_bits(ix) - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double series = 1.0 / 21;
  series = 1.0 / 19 + z * series;
  series = 1.0 / 17 + z * series;
  series = 1.0 / 15 + z * series;
  series = 1.0 / 13 + z * series;
  series = 1.0 / 11 + z * series;
  series = 1.0 / 9 + z * series;
  series = 1.0 / 7 + z * series;
  series = 1.0 / 5 + z * series;
  series = 1.0 / 3 + z * series;
  series = z * series;
  const double two_s = s + s;
  return e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + (two_s + two_s * series));
}

// a * b + c with one rounding (IEEE 754 fusedMultiplyAdd): the instruction where the target
// has it, else the same result from doubles (fma-inl.hpp, shared with the matrix kernels).
#include "kernels/fma-inl.hpp"

// --- the float32 quantile (16/32-bit outputs) --------------------------------------------

#include "kernels/quantile_table.hpp"

// The largest float32 below 2^31: t * 2^33 and |q| * 2^33 stay below it (docs/streams.md §5).
constexpr float kBelow2To31 = 0x1.fffffep30f;

// |z| = |Φ⁻¹(u)| from x = t 2^33 (the tail probability t = min(u, 1 - u) < 1/4) or, when
// `centre`, from x = |q| 2^33 (q = u - 1/2, |q| < 1/4), with x < 2^31. One polynomial of
// quantile_table.hpp by Horner's rule in fused multiply-adds: the tail octave of x picks
// the segment and the variable is 2 - m for x's mantissa m; the centre has its own segment
// in r = q^2 and multiplies by |q|. All coefficients and variables are >= 0, so each step
// is a non-decreasing function of the variable, and so is |z|.
WEIGHTINIT_INLINE float quantile_abs_f32(float x, bool centre) {
  const std::uint32_t bits = bits_from_f32(x);
  const int slot = centre ? kQuantileCentreSlot : static_cast<int>((bits >> 23) & 31u);
  const float m = f32_from_bits((bits & 0x007fffffu) | 0x3f800000u);
  const float qs = x * 0x1p-33f;
  const float v = centre ? qs * qs : 2.0f - m;
  float p = kQuantileCoef[kQuantileDegree][slot];
  for (int k = kQuantileDegree - 1; k >= 0; --k) p = fma_exact(p, v, kQuantileCoef[k][slot]);
  return p * (centre ? qs : 1.0f);
}

// --- the double quantile (float64 outputs; 16/32-bit laws beyond the float kernel) --------

// |Φ⁻¹(u)| from |q| = |u - 1/2| and r = sqrt(-log t), t = 1/2 - |q| the tail probability
// (each formed with its own relative precision; r in a separate pass, see kernels-inl.hpp),
// by Wichura's algorithm AS 241 PPND16 (Applied Statistics 37(3), 1988, 477-484): a
// rational function A(s)/B(s) in s = 0.180625 - q^2 for |q| <= 0.425, C(x)/D(x) in
// x = r - 1.6 for r <= 5 and in x = r - 5 beyond. Each lane picks its coefficients, so the
// kernel evaluates one rational. The central rational is rewritten exactly as
// |z| = |q| sqrt(2 pi) + |q| (q^2 N(s) + R) / B(s), with N = (A - sqrt(2 pi) B) / (0.180625 - s)
// and R its remainder (computed with mpmath from Wichura's coefficients), so that the
// leading term |q| sqrt(2 pi) carries most of |z| with one rounding: 2 ulp instead of 6.
WEIGHTINIT_INLINE double ndtri_abs_f64(double q_abs, double r) {
  constexpr double kSqrt2PiHi = 2.5066282746310007;
  constexpr double kSqrt2PiLo = -1.8328579980459167e-16;
  constexpr double kRemainder = 1.75100037175984828101e-14;
  const bool central = q_abs <= 0.425;
  const bool tail1 = r <= 5.0;
  const double q2 = q_abs * q_abs;
  const double x_central = 0.180625 - q2, x_tail1 = r - 1.6, x_tail2 = r - 5.0;
  const double x = central ? x_central : (tail1 ? x_tail1 : x_tail2);
#define WEIGHTINIT_PICK(a, c, e) (central ? (a) : (tail1 ? (c) : (e)))
  const double n7 = WEIGHTINIT_PICK(0.0, 7.74545014278341407640e-04, 2.01033439929228813265e-07);
  const double n6 = WEIGHTINIT_PICK(1.05917999144678780023e+04, 2.27238449892691845833e-02, 2.71155556874348757815e-05);
  const double n5 = WEIGHTINIT_PICK(4.04957068854214132012e+04, 2.41780725177450611770e-01, 1.24266094738807843860e-03);
  const double n4 = WEIGHTINIT_PICK(3.85790491579320841416e+04, 1.27045825245236838258e+00, 2.65321895265761230930e-02);
  const double n3 = WEIGHTINIT_PICK(1.42214834311645703631e+04, 3.64784832476320460504e+00, 2.96560571828504891230e-01);
  const double n2 = WEIGHTINIT_PICK(2.35830594544997068647e+03, 5.76949722146069140550e+00, 1.78482653991729133580e+00);
  const double n1 = WEIGHTINIT_PICK(1.76900444029007042914e+02, 4.63033784615654529590e+00, 5.46378491116411436990e+00);
  const double n0 = WEIGHTINIT_PICK(4.87476594139985381636e+00, 1.42343711074968357734e+00, 6.65790464350110377720e+00);
  const double d7 = WEIGHTINIT_PICK(5.2264952788528545610e+03, 1.05075007164441684324e-09, 2.04426310338993978564e-15);
  const double d6 = WEIGHTINIT_PICK(2.8729085735721942674e+04, 5.47593808499534494600e-04, 1.42151175831644588870e-07);
  const double d5 = WEIGHTINIT_PICK(3.9307895800092710610e+04, 1.51986665636164571966e-02, 1.84631831751005468180e-05);
  const double d4 = WEIGHTINIT_PICK(2.1213794301586595867e+04, 1.48103976427480074590e-01, 7.86869131145613259100e-04);
  const double d3 = WEIGHTINIT_PICK(5.3941960214247511077e+03, 6.89767334985100004550e-01, 1.48753612908506148525e-02);
  const double d2 = WEIGHTINIT_PICK(6.8718700749205790830e+02, 1.67638483018380384940e+00, 1.36929880922735805310e-01);
  const double d1 = WEIGHTINIT_PICK(4.2313330701600911252e+01, 2.05319162663775882187e+00, 5.99832206555887937690e-01);
#undef WEIGHTINIT_PICK
  const double poly = ((((((n7 * x + n6) * x + n5) * x + n4) * x + n3) * x + n2) * x + n1) * x + n0;
  const double den = ((((((d7 * x + d6) * x + d5) * x + d4) * x + d3) * x + d2) * x + d1) * x + 1.0;
  const double num = central ? q2 * poly + kRemainder : poly;
  const double ratio = num / den;
  return central ? q_abs * kSqrt2PiHi + q_abs * (kSqrt2PiLo + ratio) : ratio;
}

// The upper-tail quantile far out: the z >= 35 with ln S(z) = L, where S(z) = Φ(-z) and
// ln S(z) = -z^2/2 - ln z - ln(2 pi)/2 + ln(z R(z)), z R(z) = 1 - z^-2 + 3 z^-4 - 15 z^-6 ...
// (Mills' ratio R, Abramowitz & Stegun 26.2.12; at z >= 35 the terms kept leave < 1e-18).
// A start from the leading terms, then three Newton steps on ln S (d ln S / dz = -1/R).
WEIGHTINIT_INLINE double far_zr_f64(double z) {
  const double w = 1.0 / (z * z);
  double s = 2027025.0;  // (2k - 1)!! for k = 8 .. 1, alternating
  s = 135135.0 - w * s;
  s = 10395.0 - w * s;
  s = 945.0 - w * s;
  s = 105.0 - w * s;
  s = 15.0 - w * s;
  s = 3.0 - w * s;
  s = 1.0 - w * s;
  return 1.0 - w * s;
}

WEIGHTINIT_INLINE double far_quantile_f64(double L) {
  constexpr double kHalfLog2Pi = 0.918938533204672741780329736406;  // ln(2 pi) / 2
  const double m2l = -2.0 * L;
  double z = sqrt_f64(m2l - log_f64(m2l) - 2.0 * kHalfLog2Pi);
  for (int k = 0; k < 3; ++k) {
    const double zr = far_zr_f64(z);
    const double resid = ((-0.5 * z) * z - L) - log_f64(z) - kHalfLog2Pi + log_f64(zr);
    z = z + resid * (zr / z);
  }
  return z;
}

// 5-point Gauss-Legendre nodes and weights on [-1, 1] (Abramowitz & Stegun 25.4.29).
constexpr double kGaussNode[5] = {0.0, 0.538469310105683091036314420700, -0.538469310105683091036314420700,
                                  0.906179845938663992797626878299, -0.906179845938663992797626878299};
constexpr double kGaussWeight[5] = {0.568888888888888888888888888889, 0.478628670499366468080574788271,
                                    0.478628670499366468080574788271, 0.236926885056189087514264040720,
                                    0.236926885056189087514264040720};

// A narrow window [a, a + w] (a >= 0, w (a + w/2) <= 2^-12): the density relative to the
// bottom, f(s) = φ(a + s) / φ(a) = exp(-y), y = s (a + s/2) in [0, 2^-12], by its Taylor
// polynomial to y^5 (the rest is below 2^-60 / 120 relative).
WEIGHTINIT_INLINE double narrow_density(double a, double s) {
  const double y = s * (a + 0.5 * s);
  return 1.0 - y * (1.0 - y * (0.5 - y * (1.0 / 6 - y * (1.0 / 24 - y * (1.0 / 120)))));
}

// H(d) = the integral of narrow_density(a, s) over [0, d], 0 <= d <= w: the mass from the
// bottom in units of φ(a), by 5-point Gauss-Legendre (exact to rounding: the integrand is
// within 2^-12 of constant).
WEIGHTINIT_INLINE double narrow_mass(double a, double d) {
  const double half = 0.5 * d;
  double sum = 0.0;
  for (int i = 0; i < 5; ++i) sum += kGaussWeight[i] * narrow_density(a, half + half * kGaussNode[i]);
  return half * sum;
}

// The output roundings: weightinit/float16.hpp's, the one definition.
WEIGHTINIT_INLINE std::uint16_t f16_from_f32(float f) { return ::weightinit::float16_bits(f); }
WEIGHTINIT_INLINE std::uint16_t bf16_from_f32(float f) { return ::weightinit::bfloat16_bits(f); }

}  // namespace
