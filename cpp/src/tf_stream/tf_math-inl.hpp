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

#include "kernels/bits-inl.hpp"

namespace {

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

// glibc's logf for a positive normal float (the stream's inputs are in [1e-7, 1)).
WEIGHTINIT_INLINE float glibc_logf(float x) {
  const std::uint32_t ix = bits_from_f32(x);
  const std::uint32_t tmp = ix - kLogfOff;
  const int i = static_cast<int>((tmp >> (23 - 4)) % 16);
  const int k = static_cast<std::int32_t>(tmp) >> 23;  // arithmetic shift
  const std::uint32_t iz = ix - (tmp & (0x1ffu << 23));
  // The table entry by selects rather than a load: lane loops vectorize it without gathers.
  double invc = kLogfInvc[0], logc = kLogfLogc[0];
  for (int t = 1; t < 16; ++t) {
    invc = i == t ? kLogfInvc[t] : invc;
    logc = i == t ? kLogfLogc[t] : logc;
  }
  const double z = static_cast<double>(f32_from_bits(iz));
  const double r = z * invc - 1;
  const double y0 = logc + static_cast<double>(k) * kLogfLn2;
  const double r2 = r * r;
  double y = kLogfA1 * r + kLogfA2;
  y = kLogfA0 * r2 + y;
  y = y * r2 + (y0 + r);
  // glibc returns 0 for x == 1 first (for the sign of zero under downward rounding); in the
  // default rounding the table entry there (invc 1, logc 0) gives the same +0.
  return static_cast<float>(y);
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
WEIGHTINIT_INLINE std::uint32_t tfm_abstop12(float x) { return (bits_from_f32(x) >> 20) & 0x7ff; }

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

// glibc_sincosf for 0 <= y < 120 without branches, for the kernels' lane loops: below pi/4
// the reduction gives n = 0 and the same arithmetic as glibc's second path (x - 0 * pi/2 = x,
// sign +1, table 0), so only the tiny case is a select. The exhaustive check compares it with
// glibc on every angle the stream produces.
WEIGHTINIT_INLINE void glibc_sincosf_nonneg(float y, float* sinp, float* cosp) {
  const double x0 = y;
  const int n = (static_cast<std::int32_t>(x0 * kSincosfHpiInv) + 0x800000) >> 24;
  const double x = x0 - n * kSincosfHpi;
  const double sign = ((n + 1) & 2) ? -1.0 : 1.0;   // __sincosf_table sign[n & 3]
  const double cneg = (n & 2) ? -1.0 : 1.0;         // table entry 1: the cosine negated
  const double xs = x * sign, x2 = x * x;
  const double x4 = x2 * x2, x3 = x2 * xs;
  const double c2 = cneg * kSincosfC[0][3] + x2 * (cneg * kSincosfC[0][4]);
  const double s1 = kSincosfS2 + x2 * kSincosfS3;
  const double c1 = cneg * kSincosfC[0][0] + x2 * (cneg * kSincosfC[0][1]);
  const double x5 = x3 * x2, x6 = x4 * x2;
  const double s = xs + x3 * kSincosfS1;
  const double c = c1 + x4 * (cneg * kSincosfC[0][2]);
  const float sv = static_cast<float>(s + x5 * s1);
  const float cv = static_cast<float>(c + x6 * c2);
  const bool tiny = tfm_abstop12(y) < tfm_abstop12(0x1p-12f);
  *sinp = tiny ? y : ((n & 1) ? cv : sv);
  *cosp = tiny ? 1.0f : ((n & 1) ? sv : cv);
}

// --- double log, sin and cos: glibc's, with its fused multiply-adds ---------------------------
//
// The float64 Box-Muller calls glibc's double log (Arm optimized-routines,
// sysdeps/ieee754/dbl-64/e_log.c) and sincos (IBM Accurate Mathematical Library,
// sysdeps/ieee754/dbl-64/s_sin.c, s_sincos.c, usncs.h). glibc's x86-64 build runs copies of
// both compiled with -mfma on FMA hardware (every CPU TensorFlow's wheels target since 2.x
// has it), where GCC contracts a * b + c into one fused multiply-add wherever the product has
// no other use. The functions below follow those sources step by step and spell each such
// contraction out as fma_exact (exact: one rounding), so they return what glibc returns there.
// bench/tf_libm_check.cpp compares them with the host's log and sincos.

#include "tf_stream/tf_libm_tables-inl.hpp"

// a * b + c with one rounding: the library's one definition (fma-inl.hpp: the instruction
// where the target has one, else an exact emulation from + - *).
#include "kernels/fma-inl.hpp"

// log(x) for the stream's u1 in [1e-7, 1): e_log.c's two paths. Ln2hi / Ln2lo: the same file.
constexpr double kLogLn2Hi = 0x1.62e42fefa3800p-1, kLogLn2Lo = 0x1.ef35793c76730p-45;
WEIGHTINIT_INLINE double glibc_log(double x) {
  const std::uint64_t ix = bits_from_f64(x);
  constexpr std::uint64_t kLo = 0x3fee000000000000ull;  // asuint64(1.0 - 0x1p-4)
  constexpr std::uint64_t kHi = 0x3ff1090000000000ull;  // asuint64(1.0 + 0x1.09p-4)
  if (ix - kLo < kHi - kLo) {
    // Close to 1: log1p(r) by the 11-term polynomial, its leading terms in double-double.
    const double r = x - 1.0;
    const double r2 = r * r, r3 = r * r2;
    const double in = fma_exact(r3, kLogB[10], fma_exact(r2, kLogB[9], fma_exact(r, kLogB[8], kLogB[7])));
    const double mid = fma_exact(r3, in, fma_exact(r2, kLogB[6], fma_exact(r, kLogB[5], kLogB[4])));
    const double out = fma_exact(r3, mid, fma_exact(r2, kLogB[3], fma_exact(r, kLogB[2], kLogB[1])));
    double w = r * 0x1p27;  // exact, so its contractions change nothing
    const double rhi = r + w - w;
    const double rlo = r - rhi;
    w = rhi * rhi * kLogB[0];  // exact (B[0] = -1/2)
    const double hi = r + w;
    double lo = r - hi + w;
    lo = fma_exact(kLogB[0] * rlo, rhi + r, lo);
    const double y = fma_exact(r3, out, lo);  // y = r3 * out; y += lo (contracted)
    return y + hi;
  }
  constexpr std::uint64_t kOff = 0x3fe6000000000000ull;
  const std::uint64_t tmp = ix - kOff;
  const int i = static_cast<int>((tmp >> (52 - 7)) % 128);
  const std::int64_t k = static_cast<std::int64_t>(tmp) >> 52;  // arithmetic shift
  const std::uint64_t iz = ix - (tmp & (0xfffull << 52));
  const double invc = kLogTab[i][0], logc = kLogTab[i][1];
  const double z = f64_from_bits(iz);
  const double r = fma_exact(z, invc, -1.0);
  const double kd = static_cast<double>(k);
  const double w = fma_exact(kd, kLogLn2Hi, logc);
  const double hi = w + r;
  const double lo = fma_exact(kd, kLogLn2Lo, w - hi + r);
  const double r2 = r * r;
  const double p = fma_exact(r2, fma_exact(r, kLogA[4], kLogA[3]), fma_exact(r, kLogA[2], kLogA[1]));
  const double y = fma_exact(r * r2, p, fma_exact(r2, kLogA[0], lo));
  return y + hi;
}

// usncs.h and s_sin.c constants.
constexpr double kSinS1 = -0x1.5555555555555p-3, kSinS2 = 0x1.1111111110ECEp-7,
                 kSinS3 = -0x1.A01A019DB08B8p-13, kSinS4 = 0x1.71DE27B9A7ED9p-19,
                 kSinS5 = -0x1.ADDFFC2FCDF59p-26;
constexpr double kSinBig = 0x1.8000000000000p45, kSinHp0 = 0x1.921FB54442D18p0,
                 kSinHp1 = 0x1.1A62633145C07p-54, kSinMp1 = 0x1.921FB58000000p0,
                 kSinMp2 = -0x1.DDE973C000000p-27, kSinPp3 = -0x1.CB3B398000000p-55,
                 kSinPp4 = -0x1.d747f23e32ed7p-83, kSinHpInv = 0x1.45F306DC9C883p-1,
                 kSinToInt = 0x1.8000000000000p52;
constexpr double kSinSn3 = -1.66666666666664880952546298448555E-01,
                 kSinSn5 = 8.33333214285722277379541354343671E-03,
                 kSinCs2 = 4.99999999999999999999950396842453E-01,
                 kSinCs4 = -4.16666666666664434524222570944589E-02,
                 kSinCs6 = 1.38888874007937613028114285595617E-03;

WEIGHTINIT_INLINE double tfm_fabs(double x) { return f64_from_bits(bits_from_f64(x) & 0x7fffffffffffffffull); }
WEIGHTINIT_INLINE double tfm_copysign(double x, double s) {
  return f64_from_bits((bits_from_f64(x) & 0x7fffffffffffffffull) | (bits_from_f64(s) & 0x8000000000000000ull));
}
// The table row of |x| rounded to a multiple of 1/128 (big + |x| has ulp 2^-7).
WEIGHTINIT_INLINE const std::uint64_t* tfm_sincos_row(double u) {
  return kSinCosTab + 4 * (static_cast<std::uint32_t>(bits_from_f64(u)) & 0xffffffffu);
}

// s_sin.c's do_sin: sin(x + dx).
WEIGHTINIT_INLINE double ibm_do_sin(double x, double dx) {
  const double xold = x;
  if (tfm_fabs(x) < 0.126) {  // TAYLOR_SIN (x * x, x, dx)
    const double xx = x * x;
    double p = fma_exact(kSinS5, xx, kSinS4);
    p = fma_exact(p, xx, kSinS3);
    p = fma_exact(p, xx, kSinS2);
    p = fma_exact(p, xx, kSinS1);
    const double t = fma_exact(fma_exact(p, x, -(0.5 * dx)), xx, dx);
    return x + t;
  }
  if (x <= 0) dx = -dx;
  const double u = kSinBig + tfm_fabs(x);
  x = tfm_fabs(x) - (u - kSinBig);
  const double xx = x * x;
  const double s = x + fma_exact(x * xx, fma_exact(xx, kSinSn5, kSinSn3), dx);
  const double c = fma_exact(x, dx, xx * fma_exact(xx, fma_exact(xx, kSinCs6, kSinCs4), kSinCs2));
  const std::uint64_t* row = tfm_sincos_row(u);
  const double sn = f64_from_bits(row[0]), ssn = f64_from_bits(row[1]);
  const double cs = f64_from_bits(row[2]), ccs = f64_from_bits(row[3]);
  const double cor = fma_exact(cs, s, fma_exact(-sn, c, fma_exact(s, ccs, ssn)));
  return tfm_copysign(sn + cor, xold);
}

// s_sin.c's do_cos: cos(x + dx).
WEIGHTINIT_INLINE double ibm_do_cos(double x, double dx) {
  if (x < 0) dx = -dx;
  const double u = kSinBig + tfm_fabs(x);
  x = tfm_fabs(x) - (u - kSinBig) + dx;
  const double xx = x * x;
  const double s = fma_exact(x * xx, fma_exact(xx, kSinSn5, kSinSn3), x);
  const double c = xx * fma_exact(xx, fma_exact(xx, kSinCs6, kSinCs4), kSinCs2);
  const std::uint64_t* row = tfm_sincos_row(u);
  const double sn = f64_from_bits(row[0]), ssn = f64_from_bits(row[1]);
  const double cs = f64_from_bits(row[2]), ccs = f64_from_bits(row[3]);
  const double cor = fma_exact(-sn, s, fma_exact(-cs, c, fma_exact(-s, ssn, ccs)));
  return cs + cor;
}

// s_sincos.c's __sincos for 0 <= x < 2^-27 or up to 105414350 (the stream's angles are in
// [0, 2 pi)).
WEIGHTINIT_INLINE void glibc_sincos(double x, double* sinp, double* cosp) {
  const std::uint32_t k = static_cast<std::uint32_t>(bits_from_f64(x) >> 32) & 0x7fffffffu;
  if (k < 0x400368fdu) {
    if (k < 0x3e400000u) {
      *sinp = x;
      *cosp = 1.0;
      return;
    }
    if (k < 0x3feb6000u) {
      *sinp = ibm_do_sin(x, 0);
      *cosp = ibm_do_cos(x, 0);
      return;
    }
    const double y = kSinHp0 - tfm_fabs(x);
    const double a = y + kSinHp1;
    const double da = (y - a) + kSinHp1;
    *sinp = tfm_copysign(ibm_do_cos(a, da), x);
    *cosp = ibm_do_sin(a, da);
    return;
  }
  // reduce_sincos: x - n pi/2 as a + da.
  const double t = fma_exact(x, kSinHpInv, kSinToInt);
  const double xn = t - kSinToInt;
  const double y = fma_exact(-xn, kSinMp2, fma_exact(-xn, kSinMp1, x));
  unsigned n = static_cast<std::uint32_t>(bits_from_f64(t)) & 3u;
  const double t2 = fma_exact(-xn, kSinPp3, y);
  double db = fma_exact(-xn, kSinPp3, y - t2);
  double a = fma_exact(-xn, kSinPp4, t2);
  db += fma_exact(-xn, kSinPp4, t2 - a);
  double da = db;
  if (n == 1 || n == 2) {
    a = -a;
    da = -da;
  }
  const double sv = ibm_do_sin(a, da);
  const double cv = ibm_do_cos(a, da);
  const double cc = (n & 2) ? -cv : cv;
  *sinp = (n & 1) ? cc : sv;
  *cosp = (n & 1) ? sv : cc;
}

}  // namespace
