// SPDX-License-Identifier: BSD-3-Clause
// Φ(x) = 1/2 + φ(x) Σ x^(2n+1) / (2n+1)!! near 0 (Abramowitz & Stegun 26.2.10), and
// Φ(x) = φ(x) / (|x| + 1/(|x| + 2/(|x| + 3/(...)))) in the tail (Laplace's continued
// fraction, A&S 26.2.14), evaluated backwards from 500/x^2 + 12 terms. A double-precision prototype
// of both agreed with mpmath (40 digits) to 2e-16 relative on [-38, 0]; the truncated-normal
// tests (tests/test_fill_stats.py) check the laws this setup feeds.

#include "fill/normal_cdf.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "weightinit/float16.hpp"

namespace weightinit::detail {
namespace setup_math {
// The kernels' own log (and helpers): the same bits on every platform, no libm.
#include "kernels/math-inl.hpp"
}  // namespace setup_math

namespace {
constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934;
constexpr double kHalfLog2Pi = 0.918938533204672741780329736406;  // ln(2 pi) / 2

using setup_math::log_f64;

// exp(x) - 1, to about 1 ulp: the Taylor series below 1/2 in magnitude, exp_f64 above.
double expm1_f64(double x) {
  if (!(x > -0.5 && x < 0.5)) return x == -std::numeric_limits<double>::infinity() ? -1.0 : exp_f64(x) - 1.0;
  double term = x, sum = x;
  for (int n = 2; n < 30; ++n) {
    term *= x / n;
    sum += term;
  }
  return sum;
}

// Laplace's continued fraction x + 1/(x + 2/(x + 3/(...))) = φ(x) / S(x), for x >= 1.5,
// from 500/x^2 + 12 terms (checked with mpmath: below 1e-18 relative from 1.5 to 40).
double mills_cf(double x) {
  const double terms = x < 1.5 ? 300.0 : std::ceil(500.0 / (x * x) + 12.0);
  double f = x;
  for (int n = static_cast<int>(terms > 300.0 ? 300.0 : terms); n >= 1; --n) f = x + n / f;
  return f;
}
}  // namespace

double exp_f64(double x) {
  // x = k ln2 + r, |r| <= ln2 / 2; ln 2 split in fdlibm's head and tail so k * ln2_hi is
  // exact; exp(r) by its Taylor series to r^14 (remainder below 1e-18 relative).
  const double kInvLn2 = 1.44269504088896338700e+00;
  const double k = static_cast<double>(static_cast<std::int64_t>(
      x * kInvLn2 + (x < 0 ? -0.5 : 0.5)));
  const double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  double p = 1.0;
  for (int n = 14; n >= 1; --n) p = 1.0 + p * r / n;
  // Scale by 2^k in two steps so that results down to the subnormal range stay exact.
  std::int64_t ki = static_cast<std::int64_t>(k);
  const std::int64_t k1 = ki / 2, k2 = ki - k1;
  auto pow2 = [](std::int64_t e) {
    const std::uint64_t bits = static_cast<std::uint64_t>(e + 1023) << 52;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  };
  return p * pow2(k1) * pow2(k2);
}

// φ(x) Σ x^(2n+1) / (2n+1)!! = Φ(x) - 1/2, for |x| < 1.5 (the series' own range).
static double centred_series(double x) {
  const double density = kInvSqrt2Pi * exp_f64(-0.5 * x * x);
  double term = x, sum = x;
  for (int n = 0; n < 60; ++n) {
    term = term * x * x / (2 * n + 3);
    sum += term;
  }
  return density * sum;
}

double normal_cdf_centred(double x) {
  if (x > -1.5 && x < 1.5) return centred_series(x);
  return x < 0 ? normal_cdf_lower(x) - 0.5 : 0.5 - normal_cdf_lower(-x);
}

double log_normal_sf(double x) {
  if (x < 30) return log_f64(normal_cdf_lower(-x));
  return -0.5 * x * x - kHalfLog2Pi - log_f64(mills_cf(x));
}

double normal_mass(double a, double b) {
  if (b - a < 1e-3) {
    // Narrow: 5-point Gauss-Legendre on φ relative to the end c nearer 0, φ(x) = φ(c)
    // exp(-(x - c)(x + c)/2); (b - a)|c| < 0.04 here, so the rule is exact to rounding.
    const double c = std::fabs(a) < std::fabs(b) ? a : b;
    const double mid = 0.5 * (a + b), half = 0.5 * (b - a);
    double sum = 0;
    for (int i = 0; i < 5; ++i) {
      const double x = mid + half * setup_math::kGaussNode[i];
      sum += setup_math::kGaussWeight[i] * exp_f64(-0.5 * (x - c) * (x + c));
    }
    return kInvSqrt2Pi * exp_f64(-0.5 * c * c) * half * sum;
  }
  if (a < 0 && b > 0) return normal_cdf_centred(b) - normal_cdf_centred(a);
  if (a >= 0) return normal_cdf_lower(-a) - (b == std::numeric_limits<double>::infinity() ? 0.0 : normal_cdf_lower(-b));
  return normal_cdf_lower(b) - (a == -std::numeric_limits<double>::infinity() ? 0.0 : normal_cdf_lower(a));
}

static double compute_normal_cdf_lower(double x) {
  if (x < -38.5) return 0.0;
  // exp(-x^2 / 2) with x^2 split: xh has at most 10 significant bits, so xh^2 / 2 is exact.
  const double xh = static_cast<double>(static_cast<std::int64_t>(x * 16.0)) / 16.0;
  const double density =
      kInvSqrt2Pi * exp_f64(-0.5 * xh * xh) * exp_f64(-0.5 * (x - xh) * (x + xh));
  if (x > -1.5) {
    double term = x, sum = x;
    for (int n = 0; n < 60; ++n) {
      term = term * x * x / (2 * n + 3);
      sum += term;
    }
    return 0.5 + density * sum;
  }
  return density / mills_cf(-x);
}

Transform normal_law_setup(double a, double b, bool f64, KernelArgs& k) {
  const double inf = std::numeric_limits<double>::infinity();
  // The float kernel: the normal, and windows [-c, c] (whose median is word 2^31).
  if (!f64 && a == -inf && b == inf) {
    k.f_centre_max = 0x7fffffffu;
    k.f_delta = 1.0;
    k.f_pa33 = 0.0;
    return kNormal;
  }
  if (!f64 && a == -b) {
    const double pa = normal_cdf_lower(a);
    const double delta = normal_mass(a, b);
    if (delta >= 0x1p-60) {
      k.f_delta = delta;
      k.f_pa33 = pa * 0x1p33;
      // Central iff the law's |q| = b Δ 2^-33 is below 1/4, i.e. b < 2^31 / Δ.
      const double limit = std::ceil(0x1p31 / delta) - 1.0;
      k.f_centre_max = limit >= 0x1p32 - 1 ? 0xffffffffu : static_cast<std::uint32_t>(limit);
      return kNormalSym;
    }
  }
  // Other windows around 0 whose tails the float tables cover (t 2^33 >= 1 on both sides)
  // and whose median lies well inside: the float kernel, folded at the median word.
  if (!f64 && a < 0 && b > 0) {
    const double delta = normal_mass(a, b);
    const double pa = normal_cdf_lower(a);
    const double qb = b == inf ? 0.0 : normal_cdf_lower(-b);
    const double U0 = -normal_cdf_centred(a) / delta;
    if (delta >= 0x1p-60 && U0 >= 0x1p-20 && U0 <= 1.0 - 0x1p-20 && pa * 0x1p33 + delta >= 1.0 &&
        qb * 0x1p33 + delta >= 1.0) {
      const double W0 = U0 * 0x1p32;
      const double split = std::ceil(W0 - 0.5);  // the first word W with W + 1/2 > W0
      const double f_lo = (W0 - 0.5) - (split - 1.0), f_hi = 1.0 - f_lo;
      k.f_split = static_cast<std::uint32_t>(split);
      k.f_delta2 = 2.0 * delta;
      k.f_off[0] = f_lo * k.f_delta2;
      k.f_off[1] = f_hi * k.f_delta2;
      k.f_off[2] = pa * 0x1p33 + delta;
      k.f_off[3] = qb * 0x1p33 + delta;
      // Central iff the law's |q| = (k + f) 2Δ 2^-33 < 1/4, i.e. k < 2^30 / Δ - f.
      auto central_max = [&](double f) {
        const double m = std::ceil(0x1p30 / delta - f) - 1.0;
        return m >= 0x1p32 - 1 ? 0xffffffffu : m <= 0 ? 0u : static_cast<std::uint32_t>(m);
      };
      k.f_kc_lo = central_max(f_lo);
      k.f_kc_hi = central_max(f_hi);
      return kNormalAsym;
    }
  }
  // The double kernels. Orient the window so that most of its mass lies above 0: mirrored
  // laws draw -z from ~W.
  const bool flip = b <= 0 || (a < 0 && -normal_cdf_centred(a) > normal_cdf_centred(b));
  if (flip) {
    const double t = a;
    a = -b;
    b = -t;
  }
  const double mass = normal_mass(a, b);
  const double scale = f64 ? 0x1p-64 : 0x1p-32;
  k.w_flip = flip ? ~std::uint64_t{0} : 0;
  k.d_delta = mass * scale;
  k.d_pa = normal_cdf_lower(a);
  k.d_qb = b == inf ? 0.0 : normal_cdf_lower(-b);
  k.d_near = a;
  // A float64 window a few thousand values wide: the other kernels' few-ulp error in z would
  // be a visible part of it, so z = a + d with the offset d solved to its own precision.
  const double w = b - a;
  if (f64 && a >= 0 && w <= 0x1p-32 * (a > 1.0 ? a : 1.0) && w * (a + 0.5 * w) <= 0x1p-12) {
    k.d_narrow_w = w;
    k.d_narrow_h = setup_math::narrow_mass(a, w);
    return kNormalNarrow;
  }
  // Far out (ln S(a) < -620, a > 35.3), the probabilities leave the doubles: log space.
  const double log_sa = a > 0 ? log_normal_sf(a) : 0.0;
  if (a > 0 && log_sa < -620) {
    // K = ln S(b) - ln S(a) = -(b - a)(b + a)/2 - ln(f(b) / f(a)), f = Laplace's fraction.
    const double K = b == inf ? -inf
                              : -0.5 * (b - a) * (b + a) - log_f64(mills_cf(b) / mills_cf(a));
    k.d_log_sa = log_sa;
    k.d_far_d = -expm1_f64(K);
    k.d_far_e = b == inf ? 0.0 : exp_f64(K);
    return kNormalFar;
  }
  // Where the median lies: U0 = (1/2 - Φ(a)) / Δ of the mass, W0 = U0 2^bits of the words.
  // A window that holds the median well inside (U0 >= 2^-20) centres on it exactly; one above
  // 0, or all but 2^-20 of it above, measures q from its bottom: q = Φ(a) - 1/2 + U Δ.
  const double U0 = a < 0 ? -normal_cdf_centred(a) / mass : 0.0;
  if (U0 >= 0x1p-20) {
    // U0 <= 1/2 after the orientation, so W0 <= 2^(bits - 1). From 2^52 up W0 is an integer.
    const double W0 = U0 * (f64 ? 0x1p64 : 0x1p32);
    const double first_upper = W0 >= 0x1p52 ? W0 : std::ceil(W0 - 0.5);  // W + 1/2 > W0
    k.w_lower = static_cast<std::uint64_t>(first_upper);
    k.d_f_lo = W0 >= 0x1p52 ? 0.5 : (W0 - 0.5) - (first_upper - 1.0);
    k.d_f_hi = 1.0 - k.d_f_lo;
    k.d_c_hi = 0.0;
  } else {
    k.w_lower = 0;
    k.d_f_lo = 0.0;
    k.d_f_hi = 0.5;
    k.d_c_hi = normal_cdf_centred(a);
  }
  return kNormalWide;
}

double normal_cdf_lower(double x) {
  // The continued fraction costs microseconds, and a truncated normal's setup asks for the
  // same x again and again (TF's are all cut at -2 and 2, each tail asking for Phi(-2)):
  // each thread remembers its last answer. The function is pure, so the bits are the same.
  thread_local double last_x = std::numeric_limits<double>::quiet_NaN();  // equals nothing
  thread_local double last_p = 0.0;
  if (x != last_x) {
    last_p = compute_normal_cdf_lower(x);
    last_x = x;
  }
  return last_p;
}

}  // namespace weightinit::detail
