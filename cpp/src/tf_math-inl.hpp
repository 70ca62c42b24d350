// SPDX-License-Identifier: BSD-3-Clause
// The elementary functions of the TensorFlow stream (docs/streams.md, "The TensorFlow
// stream"): float log, sin and cos that return glibc's results, and double log, sin and cos.
// Include inside a target namespace only (tf_stream-inl.hpp does), after <cstdint>, <cstring>.
//
// TensorFlow's CPU Box-Muller calls the C library (logf, sincosf; log, sincos for float64).
// On glibc (2.28 and later, through at least 2.36) the float functions are the Arm
// optimized-routines algorithms: a table-driven logf and a polynomial sincosf, evaluated in
// double and rounded to float once at the end, and not correctly rounded (logf is off by up
// to 0.818 ulp). The float functions below follow those published algorithms step by step
// with the published constants (sources named at each table), so they return glibc's float
// for every input the stream can produce: bench/tf_libm_check.cpp compares them with the
// host's glibc exhaustively (results in docs/streams.md), tests/cpp/test_tf_stream.cpp on a
// strided subset.
//
// Every step is an IEEE-754 +, -, *, / on doubles or floats, never contracted into a fused
// multiply-add (-ffp-contract=off). glibc's x86-64 build picks an FMA-compiled copy of these
// functions on FMA hardware; in double arithmetic the two copies differ by a few units in the
// 53rd bit, which changes the float result of no input the stream produces (the exhaustive
// check runs against the copy the host picks).

namespace {

WEIGHTINIT_INLINE std::uint32_t tfm_bits32(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
WEIGHTINIT_INLINE float tfm_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
WEIGHTINIT_INLINE std::uint64_t tfm_bits64(double f) {
  std::uint64_t u;
  std::memcpy(&u, &f, 8);
  return u;
}
WEIGHTINIT_INLINE double tfm_double(std::uint64_t u) {
  double f;
  std::memcpy(&f, &u, 8);
  return f;
}

// --- float log: glibc sysdeps/ieee754/flt-32/e_logf.c (Arm optimized-routines logf) -------
//
// x = 2^k z with z in [OFF, 2 OFF) (OFF = 0x3f330000, about 0.7), the interval cut into 16
// subintervals by the top 4 mantissa bits of x - OFF; subinterval i has a centre c with
// invc = 1/c and logc = log(c). log(x) = k ln2 + logc + log1p(r), r = z invc - 1, and
// log1p(r) ~ r + A0 r^2 + A1 r^3 + A2 r^4 evaluated as glibc does:
// y = (A0 r^2 + (A1 r + A2)) r^2 + ((logc + k ln2) + r).

// {invc, logc} for i = 0..15: glibc sysdeps/ieee754/flt-32/e_logf_data.c (__logf_data.tab).
constexpr double kLogfInvc[16] = {
    0x1.661ec79f8f3bep+0, 0x1.571ed4aaf883dp+0, 0x1.49539f0f010bp+0,  0x1.3c995b0b80385p+0,
    0x1.30d190c8864a5p+0, 0x1.25e227b0b8eap+0,  0x1.1bb4a4a1a343fp+0, 0x1.12358f08ae5bap+0,
    0x1.0953f419900a7p+0, 0x1p+0,               0x1.e608cfd9a47acp-1, 0x1.ca4b31f026aap-1,
    0x1.b2036576afce6p-1, 0x1.9c2d163a1aa2dp-1, 0x1.886e6037841edp-1, 0x1.767dcf5534862p-1};
constexpr double kLogfLogc[16] = {
    -0x1.57bf7808caadep-2, -0x1.2bef0a7c06ddbp-2, -0x1.01eae7f513a67p-2, -0x1.b31d8a68224e9p-3,
    -0x1.6574f0ac07758p-3, -0x1.1aa2bc79c81p-3,   -0x1.a4e76ce8c0e5ep-4, -0x1.1973c5a611cccp-4,
    -0x1.252f438e10c1ep-5, 0x0p+0,                0x1.aa5aa5df25984p-5,  0x1.c5e53aa362eb4p-4,
    0x1.526e57720db08p-3,  0x1.bc2860d22477p-3,   0x1.1058bc8a07ee1p-2,  0x1.4043057b6ee09p-2};
// ln 2 and the polynomial A0, A1, A2: the same file (__logf_data.ln2, __logf_data.poly).
constexpr double kLogfLn2 = 0x1.62e42fefa39efp-1;
constexpr double kLogfA0 = -0x1.00ea348b88334p-2;
constexpr double kLogfA1 = 0x1.5575b0be00b6ap-2;
constexpr double kLogfA2 = -0x1.ffffef20a4123p-2;
constexpr std::uint32_t kLogfOff = 0x3f330000u;

// glibc's logf for a positive normal float (the stream's inputs are in [1e-7, 1)); 1 gives +0.
WEIGHTINIT_INLINE float glibc_logf(float x) {
  const std::uint32_t ix = tfm_bits32(x);
  const std::uint32_t tmp = ix - kLogfOff;
  const int i = static_cast<int>((tmp >> (23 - 4)) % 16);
  const int k = static_cast<std::int32_t>(tmp) >> 23;  // arithmetic shift
  const std::uint32_t iz = ix - (tmp & (0x1ffu << 23));
  const double invc = kLogfInvc[i], logc = kLogfLogc[i];
  const double z = static_cast<double>(tfm_float(iz));
  const double r = z * invc - 1;
  const double y0 = logc + static_cast<double>(k) * kLogfLn2;
  const double r2 = r * r;
  double y = kLogfA1 * r + kLogfA2;
  y = kLogfA0 * r2 + y;
  y = y * r2 + (y0 + r);
  return ix == 0x3f800000u ? 0.0f : static_cast<float>(y);
}

// --- float sin and cos: glibc sysdeps/ieee754/flt-32/s_sincosf.c, s_sincosf.h ---------------
//
// |x| < 2^-12: sin = x, cos = 1. |x| < pi/4: the polynomials on x. |x| < 120: n = the
// nearest multiple of pi/2 (computed as glibc does without a rounding instruction:
// ((int)(x * 2/pi * 2^24) + 2^23) >> 24), r = x - n pi/2 (pi/2 as one double; exact
// product for n <= 4), then the polynomials on +-r with the quadrant's signs. The stream's
// angles lie in [0, 2 pi), so glibc's Payne-Hanek path for |x| >= 120 is never needed.

// glibc sysdeps/ieee754/flt-32/s_sincosf_data.c, __sincosf_table: 2/pi * 2^24 (hpi_inv for
// targets without TOINT_INTRINSICS, x86-64 among them), pi/2 (hpi), the cosine coefficients
// c0..c4 (entry [1] holds them negated) and the sine coefficients s1..s3.
constexpr double kSincosfHpiInv = 0x1.45F306DC9C883p+23;
constexpr double kSincosfHpi = 0x1.921FB54442D18p0;
constexpr double kSincosfC[2][5] = {
    {0x1p0, -0x1.ffffffd0c621cp-2, 0x1.55553e1068f19p-5, -0x1.6c087e89a359dp-10,
     0x1.99343027bf8c3p-16},
    {-0x1p0, 0x1.ffffffd0c621cp-2, -0x1.55553e1068f19p-5, 0x1.6c087e89a359dp-10,
     -0x1.99343027bf8c3p-16}};
constexpr double kSincosfS1 = -0x1.555545995a603p-3;
constexpr double kSincosfS2 = 0x1.1107605230bc4p-7;
constexpr double kSincosfS3 = -0x1.994eb3774cf24p-13;
// sign[n & 3] of the table: the sign of the reduced argument per quadrant.
constexpr double kSincosfSign[4] = {1.0, -1.0, -1.0, 1.0};

// abstop12 of glibc: the top 12 bits of the float with the sign cleared.
WEIGHTINIT_INLINE std::uint32_t tfm_abstop12(float x) { return (tfm_bits32(x) >> 20) & 0x7ff; }

// sincosf_poly: sine and cosine polynomials on x (x2 = x * x), swapped for odd quadrants.
WEIGHTINIT_INLINE void sincosf_poly(double x, double x2, int table, int n, float* sinp,
                                    float* cosp) {
  const double* c = kSincosfC[table];
  const double x4 = x2 * x2;
  const double x3 = x2 * x;
  const double c2 = c[3] + x2 * c[4];
  const double s1 = kSincosfS2 + x2 * kSincosfS3;
  const double c1 = c[0] + x2 * c[1];
  const double x5 = x3 * x2;
  const double x6 = x4 * x2;
  const double s = x + x3 * kSincosfS1;
  const double cc = c1 + x4 * c[2];
  const float sv = static_cast<float>(s + x5 * s1);
  const float cv = static_cast<float>(cc + x6 * c2);
  *sinp = (n & 1) ? cv : sv;
  *cosp = (n & 1) ? sv : cv;
}

// glibc's sincosf for |y| < 120 (the stream's angles are in [0, 2 pi)).
WEIGHTINIT_INLINE void glibc_sincosf(float y, float* sinp, float* cosp) {
  double x = y;
  const std::uint32_t top = tfm_abstop12(y);
  if (top < tfm_abstop12(0x1.921FB6p-1f)) {  // pi/4 as glibc's float compare sees it
    if (top < tfm_abstop12(0x1p-12f)) {
      *sinp = y;
      *cosp = 1.0f;
      return;
    }
    sincosf_poly(x, x * x, 0, 0, sinp, cosp);
    return;
  }
  const double r = x * kSincosfHpiInv;
  const int n = (static_cast<std::int32_t>(r) + 0x800000) >> 24;
  x = x - n * kSincosfHpi;
  const double s = kSincosfSign[n & 3];
  sincosf_poly(x * s, x * x, (n & 2) ? 1 : 0, n, sinp, cosp);
}

// --- double log, sin, cos: double-double arithmetic, rounded once ---------------------------
//
// The float64 Box-Muller calls glibc's double log and sincos. These are computed here to
// about 2^-100 relative and rounded to nearest: the correctly rounded value but in cases
// closer to a rounding boundary than that. glibc's double functions are accurate to about
// half an ulp but not always correctly rounded, so a float64 normal can differ from
// TensorFlow's in the last bit (docs/streams.md gives the measured rate).

struct Dd {
  double hi, lo;
};

WEIGHTINIT_INLINE Dd dd_two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
WEIGHTINIT_INLINE Dd dd_fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}
// Dekker's exact product (no fused multiply-add): 2^27 + 1 splits a double into halves.
WEIGHTINIT_INLINE Dd dd_two_prod(double a, double b) {
  const double p = a * b;
  const double ca = 134217729.0 * a, cb = 134217729.0 * b;
  const double ah = ca - (ca - a), al = a - ah;
  const double bh = cb - (cb - b), bl = b - bh;
  return {p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}
WEIGHTINIT_INLINE Dd dd_add(Dd x, Dd y) {
  Dd s = dd_two_sum(x.hi, y.hi);
  const Dd t = dd_two_sum(x.lo, y.lo);
  s.lo += t.hi;
  s = dd_fast_two_sum(s.hi, s.lo);
  s.lo += t.lo;
  return dd_fast_two_sum(s.hi, s.lo);
}
WEIGHTINIT_INLINE Dd dd_mul(Dd x, Dd y) {
  Dd p = dd_two_prod(x.hi, y.hi);
  p.lo += x.hi * y.lo + x.lo * y.hi;
  return dd_fast_two_sum(p.hi, p.lo);
}
WEIGHTINIT_INLINE Dd dd_div(Dd x, Dd y) {
  const double q1 = x.hi / y.hi;
  Dd r = dd_add(x, dd_mul({-q1, 0.0}, y));
  const double q2 = r.hi / y.hi;
  r = dd_add(r, dd_mul({-q2, 0.0}, y));
  const double q3 = r.hi / y.hi;
  return dd_add(dd_fast_two_sum(q1, q2), {q3, 0.0});
}

// ln 2 and pi/2 split into doubles (each part the nearest double to the rest; computed with
// 300-bit arithmetic).
constexpr double kLn2Hi = 0x1.62e42fefa39efp-1, kLn2Lo = 0x1.abc9e3b39803fp-56;
constexpr double kPio2A = 0x1.921fb54442d18p+0, kPio2B = 0x1.1a62633145c07p-54,
                 kPio2C = -0x1.f1976b7ed8fbcp-110;

// 1 / (2j + 1) for j = 0..23 and 1 / j! for j = 0..29, as double-doubles (built once by
// exact division; function-local statics are thread-safe).
struct DdTables {
  Dd odd_inv[24];
  Dd fact_inv[30];
  DdTables() {
    for (int j = 0; j < 24; ++j) odd_inv[j] = dd_div({1.0, 0.0}, {2.0 * j + 1.0, 0.0});
    Dd f{1.0, 0.0};
    for (int j = 0; j < 30; ++j) {
      if (j > 1) f = dd_div(f, {static_cast<double>(j), 0.0});
      fact_inv[j] = f;
    }
  }
};
inline const DdTables& dd_tables() {
  static const DdTables t;
  return t;
}

// log(x) for a positive normal double: x = 2^k m, m in [sqrt(1/2), sqrt(2)); log m =
// 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172, by its series to s^47.
WEIGHTINIT_INLINE double dd_log(double x) {
  const DdTables& t = dd_tables();
  std::uint64_t ix = tfm_bits64(x);
  int k = static_cast<int>((ix >> 52) & 0x7ff) - 1023;
  ix = (ix & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  double m = tfm_double(ix);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++k;
  }
  const Dd num{m - 1.0, 0.0};  // exact (Sterbenz)
  const Dd den = dd_two_sum(m, 1.0);
  const Dd s = dd_div(num, den);
  const Dd s2 = dd_mul(s, s);
  Dd p = t.odd_inv[23];
  for (int j = 22; j >= 0; --j) p = dd_add(dd_mul(p, s2), t.odd_inv[j]);
  Dd y = dd_mul(dd_mul(p, s), {2.0, 0.0});
  const Dd kl = dd_add(dd_two_prod(static_cast<double>(k), kLn2Hi),
                       dd_two_prod(static_cast<double>(k), kLn2Lo));
  y = dd_add(kl, y);
  return y.hi + y.lo;
}

// sin and cos of x in [0, 8): x - n pi/2 in double-double (pi/2 to 160 bits), then the
// Taylor series of sin and cos to degree 29 / 28 on |r| <= pi/4 + tiny.
WEIGHTINIT_INLINE void dd_sincos(double x, double* sinp, double* cosp) {
  const DdTables& t = dd_tables();
  const int n = static_cast<int>(x * 0.63661977236758134 + 0.5);
  const double nd = static_cast<double>(n);
  // x - n A is exact (n A is exact: A has 3 trailing zero bits and n <= 5; Sterbenz).
  Dd r = {x - nd * kPio2A, 0.0};
  r = dd_add(r, dd_two_prod(-nd, kPio2B));
  r = dd_add(r, dd_two_prod(-nd, kPio2C));
  const Dd r2 = dd_mul(r, r);
  Dd s = {0.0, 0.0}, c = {0.0, 0.0};
  for (int j = 29; j >= 1; j -= 2) {  // sum_{j odd} (-1)^((j-1)/2) r^(j-1) / j!
    const Dd term = ((j - 1) / 2) % 2 ? Dd{-t.fact_inv[j].hi, -t.fact_inv[j].lo} : t.fact_inv[j];
    s = dd_add(dd_mul(s, r2), term);
  }
  for (int j = 28; j >= 0; j -= 2) {  // sum_{j even} (-1)^(j/2) r^j / j!
    const Dd term = (j / 2) % 2 ? Dd{-t.fact_inv[j].hi, -t.fact_inv[j].lo} : t.fact_inv[j];
    c = dd_add(dd_mul(c, r2), term);
  }
  s = dd_mul(s, r);
  const double sv = s.hi + s.lo, cv = c.hi + c.lo;
  switch (n & 3) {
    case 0: *sinp = sv; *cosp = cv; break;
    case 1: *sinp = cv; *cosp = -sv; break;
    case 2: *sinp = -sv; *cosp = -cv; break;
    default: *sinp = -cv; *cosp = sv; break;
  }
}

}  // namespace
