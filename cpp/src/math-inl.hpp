// SPDX-License-Identifier: BSD-3-Clause
// Elementary functions for the kernels: our own log and normal quantile, no libm, so every
// target and platform computes the same bits. Include inside a target namespace only.
//
// Each function is a fixed sequence of IEEE-754 +, -, *, / and sqrt (all correctly rounded,
// never contracted: the build passes -ffp-contract=off), so its bits do not depend on the
// vector width, the compiler or the OS.

// Included by kernels-inl.hpp inside a target namespace, after <cstdint>, <cstring>, <cmath>.

#if defined(_MSC_VER) && !defined(__clang__)
#define WEIGHTINIT_INLINE __forceinline
#else
#define WEIGHTINIT_INLINE inline __attribute__((always_inline))
#endif

namespace {

WEIGHTINIT_INLINE float f32_from_bits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
WEIGHTINIT_INLINE std::uint32_t bits_from_f32(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
WEIGHTINIT_INLINE double f64_from_bits(std::uint64_t u) {
  double f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
WEIGHTINIT_INLINE std::uint64_t bits_from_f64(double f) {
  std::uint64_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

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

// Natural log of a positive normal float32. x = 2^e * m with m in [sqrt(1/2), sqrt(2));
// log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716, by its series to s^9 (the next
// term is below 2e-9 relative). ln 2 is split in a 16-bit head and a tail (fdlibm's
// constants) so e * ln2_hi is exact. Error about 1 ulp.
WEIGHTINIT_INLINE float log_f32(float x) {
  std::uint32_t ix = bits_from_f32(x) + (0x3f800000u - 0x3f3504f3u);
  const float e = static_cast<float>(static_cast<std::int32_t>(ix >> 23) - 127);
  ix = (ix & 0x007fffffu) + 0x3f3504f3u;
  const float f = f32_from_bits(ix) - 1.0f;
  const float s = f / (2.0f + f);
  const float z = s * s;
  const float series =
      z * (1.0f / 3 + z * (1.0f / 5 + z * (1.0f / 7 + z * (1.0f / 9))));
  const float two_s = s + s;
  return e * 6.93145751953125e-01f + (e * 1.428606820309417232e-06f + (two_s + two_s * series));
}

// Natural log of a positive normal double; same reduction, series to s^21 (next term below
// 1e-18 relative), fdlibm's split of ln 2. Error about 1 ulp.
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

// The lower-tail normal quantile Φ⁻¹(t) for 0 < t <= 1/2 (so the result is <= 0), given
// t and r = sqrt(-log t) (computed in separate passes, see kernels-inl.hpp), by
// Wichura's algorithm AS 241 (Applied Statistics 37(3), 1988, 477-484): a rational function
// in (t - 1/2)^2 for t >= 0.075, in r = sqrt(-log t) - 1.6 for e^-25 <= t < 0.075, and in
// sqrt(-log t) - 5 below. Each lane picks its coefficients, so the kernel evaluates one
// rational. float32 uses PPND7 (about 1e-7 relative) and only its first two regions: the
// setup sends draws that can reach t < e^-25 to the double kernel (docs/streams.md §5).
// Double uses PPND16 (about 1e-16), all three regions.
WEIGHTINIT_INLINE float ndtri_lower_f32(float t, float r) {
  const float q = t - 0.5f;
  const bool central = q >= -0.425f;
  // Both arms are computed, then selected: nothing is conditional, so it vectorizes.
  const float x_central = 0.180625f - q * q, x_tail = r - 1.6f;
  const float x = central ? x_central : x_tail;
  // PPND7 coefficients (AS 241); the tail denominator has degree 2, padded with a zero.
  const float n3 = central ? 5.9109374720e+01f : 1.7023821103e-01f;
  const float n2 = central ? 1.5929113202e+02f : 1.3067284816e+00f;
  const float n1 = central ? 5.0434271938e+01f : 2.7568153900e+00f;
  const float n0 = central ? 3.3871327179e+00f : 1.4234372777e+00f;
  const float d3 = central ? 6.7187563600e+01f : 0.0f;
  const float d2 = central ? 7.8757757664e+01f : 1.2021132975e-01f;
  const float d1 = central ? 1.7895169469e+01f : 7.3700164250e-01f;
  const float num = ((n3 * x + n2) * x + n1) * x + n0;
  const float den = ((d3 * x + d2) * x + d1) * x + 1.0f;
  return (central ? q : -1.0f) * (num / den);
}

WEIGHTINIT_INLINE double ndtri_lower_f64(double t, double r) {
  const double q = t - 0.5;
  const bool central = q >= -0.425;
  const bool tail1 = r <= 5.0;
  const double x_central = 0.180625 - q * q, x_tail1 = r - 1.6, x_tail2 = r - 5.0;
  const double x = central ? x_central : (tail1 ? x_tail1 : x_tail2);
  // PPND16 coefficients (AS 241).
#define WEIGHTINIT_PICK(a, c, e) (central ? (a) : (tail1 ? (c) : (e)))
  const double n7 = WEIGHTINIT_PICK(2.5090809287301226727e+03, 7.74545014278341407640e-04, 2.01033439929228813265e-07);
  const double n6 = WEIGHTINIT_PICK(3.3430575583588128105e+04, 2.27238449892691845833e-02, 2.71155556874348757815e-05);
  const double n5 = WEIGHTINIT_PICK(6.7265770927008700853e+04, 2.41780725177450611770e-01, 1.24266094738807843860e-03);
  const double n4 = WEIGHTINIT_PICK(4.5921953931549871457e+04, 1.27045825245236838258e+00, 2.65321895265761230930e-02);
  const double n3 = WEIGHTINIT_PICK(1.3731693765509461125e+04, 3.64784832476320460504e+00, 2.96560571828504891230e-01);
  const double n2 = WEIGHTINIT_PICK(1.9715909503065514427e+03, 5.76949722146069140550e+00, 1.78482653991729133580e+00);
  const double n1 = WEIGHTINIT_PICK(1.3314166789178437745e+02, 4.63033784615654529590e+00, 5.46378491116411436990e+00);
  const double n0 = WEIGHTINIT_PICK(3.3871328727963666080e+00, 1.42343711074968357734e+00, 6.65790464350110377720e+00);
  const double d7 = WEIGHTINIT_PICK(5.2264952788528545610e+03, 1.05075007164441684324e-09, 2.04426310338993978564e-15);
  const double d6 = WEIGHTINIT_PICK(2.8729085735721942674e+04, 5.47593808499534494600e-04, 1.42151175831644588870e-07);
  const double d5 = WEIGHTINIT_PICK(3.9307895800092710610e+04, 1.51986665636164571966e-02, 1.84631831751005468180e-05);
  const double d4 = WEIGHTINIT_PICK(2.1213794301586595867e+04, 1.48103976427480074590e-01, 7.86869131145613259100e-04);
  const double d3 = WEIGHTINIT_PICK(5.3941960214247511077e+03, 6.89767334985100004550e-01, 1.48753612908506148525e-02);
  const double d2 = WEIGHTINIT_PICK(6.8718700749205790830e+02, 1.67638483018380384940e+00, 1.36929880922735805310e-01);
  const double d1 = WEIGHTINIT_PICK(4.2313330701600911252e+01, 2.05319162663775882187e+00, 5.99832206555887937690e-01);
#undef WEIGHTINIT_PICK
  const double num = ((((((n7 * x + n6) * x + n5) * x + n4) * x + n3) * x + n2) * x + n1) * x + n0;
  const double den = ((((((d7 * x + d6) * x + d5) * x + d4) * x + d3) * x + d2) * x + d1) * x + 1.0;
  return (central ? q : -1.0) * (num / den);
}

// float32 -> IEEE binary16, round to nearest even; no NaN ever reaches it.
WEIGHTINIT_INLINE std::uint16_t f16_from_f32(float f) {
  const std::uint32_t x = bits_from_f32(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t ax = x & 0x7fffffffu;
  // Normal range: round the 13 dropped bits to nearest even, rebias the exponent 127 -> 15;
  // anything from 65520 up carries into the infinity pattern or past it, so cap there.
  std::uint32_t normal = (ax + 0x0fffu + ((ax >> 13) & 1u) - 0x38000000u) >> 13;
  normal = normal > 0x7c00u ? 0x7c00u : normal;
  // Below 2^-14: adding 0.5 puts the binary16 subnormal quantum 2^-24 at float32's last
  // mantissa bit, so the FPU's own rounding does round-to-nearest-even.
  const std::uint32_t sub = bits_from_f32(f32_from_bits(ax) + 0.5f) - 0x3f000000u;
  return static_cast<std::uint16_t>((ax < 0x38800000u ? sub : normal) | sign);
}

// float32 -> bfloat16 (the top 16 bits), round to nearest even; no NaN ever reaches it.
WEIGHTINIT_INLINE std::uint16_t bf16_from_f32(float f) {
  const std::uint32_t x = bits_from_f32(f);
  return static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace
