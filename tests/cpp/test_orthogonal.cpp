// SPDX-License-Identifier: BSD-3-Clause
// ctest for orthogonal.hpp and the matrix kernels under it:
//
//   * the matrix kernels of every available target against a plain loop that follows their
//     documented operation order (bit for bit), and the portable fused multiply-add against
//     the C library's on cases built to expose double rounding;
//   * orthogonal(): orthogonality, the draw convention (Q R reproduces the normal matrix),
//     the sign fix, the rounding of 16-bit outputs, the same bits for 1, 2, 3 and 7 threads
//     and for every target, wide = transpose of tall, and the errors.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "matrix.hpp"
#include "weightinit/weightinit.hpp"

// The portable fused multiply-add, as the scalar target compiles it (this file is built
// without -mfma, so on x86 it is the emulation; on AArch64 the instruction).
namespace portable {
#include "fma-inl.hpp"
}  // namespace portable

namespace {

namespace wi = weightinit;
using wi::DType;
using wi::detail::GemmArgs;
using wi::detail::Index;
using wi::detail::MatrixKernels;

int g_failures = 0;
int g_checks = 0;

void check(bool ok, const std::string& what) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

template <class T>
std::uint64_t bits_of(T x) {
  std::uint64_t u = 0;
  std::memcpy(&u, &x, sizeof x);
  return u;
}

// --- the portable fused multiply-add ----------------------------------------------------------

template <class T>
void check_fma(T a, T b, T c, const char* what) {
  const T want = std::fma(a, b, c);  // glibc's fma is correctly rounded (IEEE 754)
  const T got = portable::fma_exact(a, b, c);
  char buf[160];
  std::snprintf(buf, sizeof buf, "fma_exact %s (%a, %a, %a): %a, want %a", what,
                static_cast<double>(a), static_cast<double>(b), static_cast<double>(c),
                static_cast<double>(got), static_cast<double>(want));
  check(bits_of(got) == bits_of(want), buf);
}

void test_fma() {
  // Products exactly halfway between two floats (doubles), pushed off the tie by a c far
  // below the format: rounding the sum to the wider format first would land on the tie and
  // then round to even, the wrong way for one of the two signs.
  const float fa = 1.0f + 0x1p-12f, fb = 1.0f + 0x1p-12f;  // a b = 1 + 2^-11 + 2^-24
  for (const float c : {0.0f, 0x1p-80f, -0x1p-80f, 0x1p-60f, -0x1p-60f}) check_fma(fa, fb, c, "float tie");
  check_fma(-fa, fb, 0x1p-90f, "float tie, negative");
  const double da = 1.0 + 0x1p-27, db = 1.0 + 0x1p-26;  // a b = 1 + 2^-26 + 2^-27 + 2^-53
  for (const double c : {0.0, 0x1p-200, -0x1p-200, 0x1p-120, -0x1p-120}) check_fma(da, db, c, "double tie");
  check_fma(-da, db, 0x1p-300, "double tie, negative");
  // Signed zeros: -0 only when the product and c are both -0.
  check_fma(0.0, -1.0, -0.0, "double -0");
  check_fma(0.0, 1.0, -0.0, "double +0");
  check_fma(0.0f, -1.0f, -0.0f, "float -0");
  check_fma(2.0, 3.0, -6.0, "double exact zero");
  // Random operands over wide exponent ranges, and near-cancellations c ~ -a b.
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-40, 40);
  int bad = 0;
  for (int i = 0; i < 200000; ++i) {
    const double a = std::ldexp(unit(rng), exponent(rng)), b = std::ldexp(unit(rng), exponent(rng));
    double c = std::ldexp(unit(rng), exponent(rng));
    if (i % 2) c = -a * b * (1.0 + std::ldexp(unit(rng), -45));
    bad += bits_of(portable::fma_exact(a, b, c)) != bits_of(std::fma(a, b, c));
    const float fa2 = static_cast<float>(a), fb2 = static_cast<float>(b);
    float fc = static_cast<float>(c);
    if (i % 2) fc = -static_cast<float>(static_cast<double>(fa2) * fb2 * (1.0 + std::ldexp(unit(rng), -20)));
    bad += bits_of(portable::fma_exact(fa2, fb2, fc)) != bits_of(std::fma(fa2, fb2, fc));
  }
  check(bad == 0, "fma_exact: " + std::to_string(bad) + " of 400000 random cases differ from fma");
  // Float results near the ends of float's range (subnormal, near overflow), where the
  // emulation's shortcut does not apply, and products a hair off a float tie.
  bad = 0;
  std::uniform_int_distribution<int> tiny(-80, -60), huge(60, 64);
  for (int i = 0; i < 100000; ++i) {
    const auto e = i % 2 ? tiny(rng) : huge(rng);
    const float a = static_cast<float>(std::ldexp(unit(rng), e)), b = static_cast<float>(std::ldexp(unit(rng), e));
    const float c = static_cast<float>(std::ldexp(unit(rng), 2 * e));
    bad += bits_of(portable::fma_exact(a, b, c)) != bits_of(std::fma(a, b, c));
    // 12-bit operands: a b is exact in float's 24 bits plus one, often a tie.
    const float a12 = std::ldexp(static_cast<float>(std::uniform_int_distribution<int>(2048, 4095)(rng)), -11);
    const float b12 = std::ldexp(static_cast<float>(std::uniform_int_distribution<int>(2048, 4095)(rng)), -11);
    const float c12 = static_cast<float>(std::ldexp(unit(rng), -40 - i % 30));
    bad += bits_of(portable::fma_exact(a12, b12, c12)) != bits_of(std::fma(a12, b12, c12));
  }
  check(bad == 0, "fma_exact: " + std::to_string(bad) + " of 200000 edge cases differ from fma");
}

// --- the matrix kernels -------------------------------------------------------------------

template <class T>
void gemm_of(const MatrixKernels& k, const GemmArgs<T>& g);
template <>
void gemm_of<float>(const MatrixKernels& k, const GemmArgs<float>& g) { k.gemm_f32(g); }
template <>
void gemm_of<double>(const MatrixKernels& k, const GemmArgs<double>& g) { k.gemm_f64(g); }

template <class T>
T dot_of(const MatrixKernels& k, const T* x, const T* y, Index n);
template <>
float dot_of<float>(const MatrixKernels& k, const float* x, const float* y, Index n) { return k.dot_f32(x, y, n); }
template <>
double dot_of<double>(const MatrixKernels& k, const double* x, const double* y, Index n) { return k.dot_f64(x, y, n); }

template <class T>
void dots_of(const MatrixKernels& k, Index m, Index n, Index d, const T* a, Index lda, const T* b,
             Index ldb, T* c, Index ldc);
template <>
void dots_of<float>(const MatrixKernels& k, Index m, Index n, Index d, const float* a, Index lda,
                    const float* b, Index ldb, float* c, Index ldc) {
  k.dots_f32(m, n, d, a, lda, b, ldb, c, ldc);
}
template <>
void dots_of<double>(const MatrixKernels& k, Index m, Index n, Index d, const double* a, Index lda,
                     const double* b, Index ldb, double* c, Index ldc) {
  k.dots_f64(m, n, d, a, lda, b, ldb, c, ldc);
}

// matrix.hpp's dot(), written out: sixteen strided partial sums, then the halving tree.
template <class T>
T reference_dot(const T* x, const T* y, Index n) {
  T s[16] = {};
  for (Index i = 0; i < (n + 15) / 16 * 16; ++i) {
    const T xi = i < n ? x[i] : T(0), yi = i < n ? y[i] : T(0);
    s[i % 16] = std::fma(xi, yi, s[i % 16]);
  }
  for (int half = 8; half >= 2; half /= 2) {
    for (int r = 0; r < half; ++r) s[r] += s[r + half];
  }
  return s[0] + s[1];
}

template <class T>
void test_kernels_of(wi::Target target) {
  const MatrixKernels& k = wi::detail::matrix_kernels(target);
  const std::string name = std::string(wi::target_name(target)) + (sizeof(T) == 4 ? " float" : " double");
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  struct Case {
    Index m, n, k;
    bool a_rows, b_rows, accumulate, subtract;
  };
  // Edges in every direction, depths across the 256-deep slices, A blocks over a megabyte.
  const Case cases[] = {{1, 1, 1, false, false, false, false},     {37, 29, 300, false, false, true, true},
                        {70, 45, 513, true, false, false, false},  {33, 17, 7, false, true, true, false},
                        {129, 130, 64, true, true, true, true},    {64, 128, 1100, false, true, false, false},
                        {1300, 9, 260, false, false, true, true},  {5, 1031, 40, true, false, false, true},
                        {40, 40, 0, false, false, false, false}};
  int bad = 0;
  for (const Case& c : cases) {
    std::vector<T> a(static_cast<std::size_t>(c.m * c.k)), b(static_cast<std::size_t>(c.k * c.n));
    std::vector<T> c0(static_cast<std::size_t>(c.m * c.n));
    for (T& x : a) x = static_cast<T>(normal(rng));
    for (T& x : b) x = static_cast<T>(normal(rng));
    for (T& x : c0) x = static_cast<T>(normal(rng));
    GemmArgs<T> g;
    g.m = c.m;
    g.n = c.n;
    g.k = c.k;
    g.a = a.data();
    g.a_rs = c.a_rows ? c.k : 1;
    g.a_cs = c.a_rows ? 1 : c.m;
    g.b = b.data();
    g.b_rs = c.b_rows ? c.n : 1;
    g.b_cs = c.b_rows ? 1 : c.k;
    std::vector<T> got = c0;
    g.c = got.data();
    g.ldc = c.m;
    g.accumulate = c.accumulate;
    g.subtract = c.subtract;
    gemm_of(k, g);
    for (Index j = 0; j < c.n; ++j) {
      for (Index i = 0; i < c.m; ++i) {
        T s = c.accumulate ? c0[static_cast<std::size_t>(i + j * c.m)] : T(0);
        for (Index l = 0; l < c.k; ++l) {
          const T bl = b[static_cast<std::size_t>(l * g.b_rs + j * g.b_cs)];
          s = std::fma(a[static_cast<std::size_t>(i * g.a_rs + l * g.a_cs)], c.subtract ? -bl : bl, s);
        }
        bad += bits_of(s) != bits_of(got[static_cast<std::size_t>(i + j * c.m)]);
      }
    }
  }
  check(bad == 0, "gemm " + name + ": " + std::to_string(bad) + " elements differ from the fma chain");
  // dot and dots: lengths around the 16-lane groups, blocks with edges.
  bad = 0;
  std::vector<T> x(1000), y(1000);
  for (T& v : x) v = static_cast<T>(normal(rng));
  for (T& v : y) v = static_cast<T>(normal(rng));
  for (const Index n : {0, 1, 15, 16, 17, 100, 999}) {
    bad += bits_of(dot_of(k, x.data(), y.data(), n)) != bits_of(reference_dot(x.data(), y.data(), n));
  }
  const Index m = 7, n = 6, d = 133;
  std::vector<T> c(static_cast<std::size_t>(m * n));
  dots_of(k, m, n, d, x.data(), 140, y.data(), 150, c.data(), m);
  for (Index j = 0; j < n; ++j) {
    for (Index i = 0; i < m; ++i) {
      bad += bits_of(c[static_cast<std::size_t>(i + j * m)]) !=
             bits_of(reference_dot(x.data() + i * 140, y.data() + j * 150, d));
    }
  }
  check(bad == 0, "dot/dots " + name + ": " + std::to_string(bad) + " results differ from the definition");
}

void test_kernels() {
  for (const wi::Target t : wi::available_targets()) {
    test_kernels_of<float>(t);
    test_kernels_of<double>(t);
  }
}

// --- orthogonal() -----------------------------------------------------------------------------

struct Matrix {
  std::int64_t rows, cols;
  std::vector<double> v;  // row-major
  double at(std::int64_t i, std::int64_t j) const { return v[static_cast<std::size_t>(i * cols + j)]; }
};

double half_to_double(std::uint16_t h) { return wi::detail::half_bits_to_float(h); }
double bf16_to_double(std::uint16_t h) { return wi::detail::bits_float(static_cast<std::uint32_t>(h) << 16); }

// orthogonal() into a buffer of `dtype`, widened to double.
Matrix make(std::int64_t rows, std::int64_t cols, double gain, DType dtype, wi::Stream s = {5, 0, 0}) {
  const auto n = static_cast<std::size_t>(rows * cols);
  std::vector<unsigned char> buf(n * static_cast<std::size_t>(wi::dtype_size(dtype)));
  wi::orthogonal(rows, cols, gain, dtype, s, buf.data());
  Matrix m{rows, cols, std::vector<double>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    switch (dtype) {
      case DType::kFloat64: m.v[i] = reinterpret_cast<const double*>(buf.data())[i]; break;
      case DType::kFloat32: m.v[i] = reinterpret_cast<const float*>(buf.data())[i]; break;
      case DType::kFloat16: m.v[i] = half_to_double(reinterpret_cast<const std::uint16_t*>(buf.data())[i]); break;
      default: m.v[i] = bf16_to_double(reinterpret_cast<const std::uint16_t*>(buf.data())[i]); break;
    }
  }
  return m;
}

std::vector<unsigned char> raw(std::int64_t rows, std::int64_t cols, double gain, DType dtype,
                               wi::Stream s = {5, 0, 0}) {
  std::vector<unsigned char> buf(static_cast<std::size_t>(rows * cols * wi::dtype_size(dtype)));
  wi::orthogonal(rows, cols, gain, dtype, s, buf.data());
  return buf;
}

// max |W^T W - gain^2 I| (rows >= cols) or |W W^T - gain^2 I|, in double.
double orthogonality_error(const Matrix& w, double gain) {
  const bool tall = w.rows >= w.cols;
  const std::int64_t k = tall ? w.cols : w.rows, n = tall ? w.rows : w.cols;
  double worst = 0;
  for (std::int64_t i = 0; i < k; ++i) {
    for (std::int64_t j = 0; j <= i; ++j) {
      double s = 0;
      for (std::int64_t l = 0; l < n; ++l) s += tall ? w.at(l, i) * w.at(l, j) : w.at(i, l) * w.at(j, l);
      worst = std::max(worst, std::fabs(s - (i == j ? gain * gain : 0.0)));
    }
  }
  return worst;
}

// Unit roundoff of the working precision and of the output format.
double working_eps(DType d) { return d == DType::kFloat64 ? 0x1p-53 : 0x1p-24; }
double output_eps(DType d) {
  switch (d) {
    case DType::kFloat64: return 0x1p-53;
    case DType::kFloat32: return 0x1p-24;
    case DType::kFloat16: return 0x1p-11;
    default: return 0x1p-8;
  }
}

void test_orthogonality() {
  // Householder QR in precision u gives |Q^T Q - I| <= c n u to first order (Higham,
  // "Accuracy and Stability of Numerical Algorithms", 2nd ed., Thm 19.4 and 19.13, with c a
  // small constant; observed: about 10 u at n = 4096). The bound below is 4 n u, plus 2 u'
  // from rounding the output to its format (u' its unit roundoff: each entry of W^T W moves by
  // at most 2 u' gain^2 by Cauchy-Schwarz), all times gain^2.
  const std::int64_t shapes[][2] = {{200, 70}, {70, 200}, {130, 130}, {300, 1}, {1, 300}, {1, 1},
                                    {257, 129}, {5, 3}};
  for (const auto& s : shapes) {
    for (const DType d : {DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kBFloat16}) {
      const double gain = 1.75;
      const Matrix w = make(s[0], s[1], gain, d);
      const double n = static_cast<double>(std::max(s[0], s[1]));
      const double bound = gain * gain * (4 * n * working_eps(d) + 2 * output_eps(d));
      const double err = orthogonality_error(w, gain);
      char buf[160];
      std::snprintf(buf, sizeof buf, "orthogonality %lld x %lld dtype %d: %.3g > bound %.3g",
                    static_cast<long long>(s[0]), static_cast<long long>(s[1]), static_cast<int>(d), err, bound);
      check(err <= bound, buf);
    }
  }
}

// The n x k normal matrix A of the convention, from the fill layer.
template <class W>
std::vector<W> normal_matrix(std::int64_t n, std::int64_t k, wi::Stream s) {
  std::vector<W> a(static_cast<std::size_t>(n * k));
  wi::fill(wi::Distribution::normal(0.0, 1.0), s, sizeof(W) == 8 ? DType::kFloat64 : DType::kFloat32, 0,
           static_cast<std::uint64_t>(n * k), a.data());
  return a;
}

// Q (n x k, from W) times R = Q^T A must give back A, R must be upper triangular with a
// positive diagonal (the sign fix), and Q's first column must be A's first column over its
// norm.
template <class W>
void check_convention(std::int64_t rows, std::int64_t cols, DType d) {
  const wi::Stream s{99, 3, 17};
  const Matrix w = make(rows, cols, 1.0, d, s);
  const std::int64_t n = std::max(rows, cols), k = std::min(rows, cols);
  const std::vector<W> a = normal_matrix<W>(n, k, s);
  auto q = [&](std::int64_t i, std::int64_t j) { return rows >= cols ? w.at(i, j) : w.at(j, i); };
  auto av = [&](std::int64_t i, std::int64_t j) { return static_cast<double>(a[static_cast<std::size_t>(i * k + j)]); };
  std::vector<double> r(static_cast<std::size_t>(k * k));
  double lower = 0, min_diag = std::numeric_limits<double>::infinity(), norm_a = 0;
  for (std::int64_t i = 0; i < k; ++i) {
    for (std::int64_t j = 0; j < k; ++j) {
      double t = 0;
      for (std::int64_t l = 0; l < n; ++l) t += q(l, i) * av(l, j);
      r[static_cast<std::size_t>(i * k + j)] = t;
      if (i > j) lower = std::max(lower, std::fabs(t));
      if (i == j) min_diag = std::min(min_diag, t);
    }
  }
  double resid = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < k; ++j) {
      double t = 0;
      for (std::int64_t l = 0; l <= j; ++l) t += q(i, l) * r[static_cast<std::size_t>(l * k + j)];
      resid = std::max(resid, std::fabs(t - av(i, j)));
      norm_a = std::max(norm_a, std::fabs(av(i, j)));
    }
  }
  double first = 0, norm0 = 0;
  for (std::int64_t i = 0; i < n; ++i) norm0 += av(i, 0) * av(i, 0);
  norm0 = std::sqrt(norm0);
  for (std::int64_t i = 0; i < n; ++i) first = std::max(first, std::fabs(q(i, 0) - av(i, 0) / norm0));
  // Backward error of Householder QR: |A - Q R| <= c n u |A| (Higham Thm 19.4); R's lower
  // part is rounding noise of the same size; Q's first column is A's over its norm to c n u.
  const double tol = 4 * static_cast<double>(n) * working_eps(d) * std::sqrt(static_cast<double>(n)) * norm_a;
  const std::string what = std::to_string(rows) + " x " + std::to_string(cols) + (sizeof(W) == 8 ? " double" : " float");
  check(resid <= tol, "convention " + what + ": |QR - A| = " + std::to_string(resid));
  check(lower <= tol, "convention " + what + ": R below its diagonal " + std::to_string(lower));
  check(min_diag > 0, "convention " + what + ": R has a diagonal entry <= 0 (sign fix)");
  check(first <= 4 * static_cast<double>(n) * working_eps(d), "convention " + what + ": first column " + std::to_string(first));
}

void test_convention() {
  check_convention<float>(150, 40, DType::kFloat32);
  check_convention<float>(40, 150, DType::kFloat32);
  check_convention<double>(140, 140, DType::kFloat64);
  check_convention<double>(9, 1, DType::kFloat64);
  check_convention<float>(1, 9, DType::kFloat32);
}

// The wide matrix is the tall one transposed, bit for bit (the same A, the same operations).
void test_transpose() {
  for (const DType d : {DType::kFloat32, DType::kFloat64}) {
    const Matrix tall = make(300, 140, 1.0, d), wide = make(140, 300, 1.0, d);
    bool same = true;
    for (std::int64_t i = 0; i < 300; ++i) {
      for (std::int64_t j = 0; j < 140; ++j) same = same && bits_of(tall.at(i, j)) == bits_of(wide.at(j, i));
    }
    check(same, std::string("orthogonal(140, 300) is orthogonal(300, 140) transposed, ") + (d == DType::kFloat64 ? "float64" : "float32"));
  }
}

// The nearest value of a 16-bit format (decoded by `decode`) to x, ties to even: the stored
// bits must be at least as close as both neighbours, and even on a tie.
bool nearest(std::uint16_t h, double x, double (*decode)(std::uint16_t)) {
  const double v = decode(h), d = std::fabs(v - x);
  for (const int step : {-1, 1}) {
    const auto other = static_cast<std::uint16_t>(h + step);
    if ((other & 0x7fff) >= 0x7c00 && decode == half_to_double) continue;  // not a finite half
    const double dn = std::fabs(decode(other) - x);
    if (dn < d || (dn == d && (h & 1u))) return false;
  }
  return true;
}

void test_rounding() {
  // gain = 1.5: gain * q is exact in double for float q, so the correctly rounded output is
  // known; 16-bit outputs must round it once (through float first would round twice).
  const std::int64_t rows = 300, cols = 200;
  const double gain = 1.5;
  const std::vector<unsigned char> q32 = raw(rows, cols, 1.0, DType::kFloat32);
  const std::vector<unsigned char> s32 = raw(rows, cols, gain, DType::kFloat32);
  const std::vector<unsigned char> h = raw(rows, cols, gain, DType::kFloat16);
  const std::vector<unsigned char> bf = raw(rows, cols, gain, DType::kBFloat16);
  int bad32 = 0, bad16 = 0, badbf = 0;
  for (std::int64_t i = 0; i < rows * cols; ++i) {
    const double x = gain * reinterpret_cast<const float*>(q32.data())[i];
    bad32 += reinterpret_cast<const float*>(s32.data())[i] != static_cast<float>(x);
    bad16 += !nearest(reinterpret_cast<const std::uint16_t*>(h.data())[i], x, half_to_double);
    badbf += !nearest(reinterpret_cast<const std::uint16_t*>(bf.data())[i], x, bf16_to_double);
  }
  check(bad32 == 0, "float32 output: " + std::to_string(bad32) + " elements not gain * Q rounded once");
  check(bad16 == 0, "float16 output: " + std::to_string(bad16) + " elements not gain * Q rounded once");
  check(badbf == 0, "bfloat16 output: " + std::to_string(badbf) + " elements not gain * Q rounded once");
  // Float64: the product of gain and Q, rounded once.
  const std::vector<unsigned char> q64 = raw(90, 40, 1.0, DType::kFloat64);
  const std::vector<unsigned char> s64 = raw(90, 40, 0.3, DType::kFloat64);
  bool same = true;
  for (std::size_t i = 0; i < 90 * 40; ++i) {
    same = same && reinterpret_cast<const double*>(s64.data())[i] == 0.3 * reinterpret_cast<const double*>(q64.data())[i];
  }
  check(same, "float64 output: gain * Q");
}

// The same bits for 1, 2, 3 and 7 threads and for every target.
void test_invariance() {
  const int threads = wi::get_num_threads();
  const wi::Target target = wi::active_target();
  struct Case {
    std::int64_t rows, cols;
    DType d;
  };
  const Case cases[] = {{700, 300, DType::kFloat32}, {300, 700, DType::kFloat32}, {520, 520, DType::kFloat64},
                        {1000, 3, DType::kFloat16},  {37, 1100, DType::kBFloat16}};
  for (const Case& c : cases) {
    wi::set_num_threads(1);
    const std::vector<unsigned char> one = raw(c.rows, c.cols, 1.25, c.d);
    for (const int t : {2, 3, 7}) {
      wi::set_num_threads(t);
      check(raw(c.rows, c.cols, 1.25, c.d) == one,
            std::to_string(c.rows) + " x " + std::to_string(c.cols) + ": 1 thread == " + std::to_string(t) + " threads");
    }
  }
  wi::set_num_threads(2);
  // Smaller shapes for the portable target (its fused multiply-add is emulated), still over
  // two blocks of 128 columns so the block updates and the blocked Q run.
  const Case small[] = {{200, 130, DType::kFloat32}, {130, 200, DType::kFloat64}, {37, 5, DType::kFloat16}};
  for (const Case& c : small) {
    wi::set_active_target(target);
    const std::vector<unsigned char> want = raw(c.rows, c.cols, 0.75, c.d);
    for (const wi::Target t : wi::available_targets()) {
      wi::set_active_target(t);
      check(raw(c.rows, c.cols, 0.75, c.d) == want,
            std::to_string(c.rows) + " x " + std::to_string(c.cols) + ": target " + wi::target_name(t) +
                " == " + wi::target_name(target));
    }
  }
  wi::set_active_target(target);
  wi::set_num_threads(threads);
}

template <class E>
void expect_error(const std::string& what, const std::function<void()>& fn, const std::string& needle) {
  try {
    fn();
  } catch (const E& e) {
    check(std::string(e.what()).find(needle) != std::string::npos, what + ": message " + e.what());
    return;
  } catch (const std::exception& e) {
    check(false, what + ": wrong exception type, message " + e.what());
    return;
  }
  check(false, what + ": no exception");
}

void test_edges_and_errors() {
  // Nothing is written for an empty matrix.
  float sentinel[4] = {7, 7, 7, 7};
  wi::orthogonal(0, 5, 1.0, DType::kFloat32, {}, sentinel);
  wi::orthogonal(5, 0, 1.0, DType::kFloat32, {}, sentinel);
  check(sentinel[0] == 7 && sentinel[3] == 7, "empty matrices write nothing");
  // One element: gain times the sign of the draw (the fix makes R[0][0] = |a| > 0).
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    float one = 0, a = 0;
    wi::orthogonal(1, 1, 2.5, DType::kFloat32, {seed, 0, 0}, &one);
    wi::fill(wi::Distribution::normal(0.0, 1.0), {seed, 0, 0}, DType::kFloat32, 0, 1, &a);
    check(one == (a > 0 ? 2.5f : -2.5f), "1 x 1 is gain times the sign of the draw");
  }
  // Streams: other seeds, streams and offsets give other matrices; a repeated call the same.
  check(raw(20, 10, 1.0, DType::kFloat32, {1, 0, 0}) == raw(20, 10, 1.0, DType::kFloat32, {1, 0, 0}), "repeatable");
  check(raw(20, 10, 1.0, DType::kFloat32, {1, 0, 0}) != raw(20, 10, 1.0, DType::kFloat32, {2, 0, 0}), "seed matters");
  check(raw(20, 10, 1.0, DType::kFloat32, {1, 0, 0}) != raw(20, 10, 1.0, DType::kFloat32, {1, 1, 0}), "stream matters");
  check(raw(20, 10, 1.0, DType::kFloat32, {1, 0, 0}) != raw(20, 10, 1.0, DType::kFloat32, {1, 0, 16}), "offset matters");
  float out[4];
  using E = std::invalid_argument;
  expect_error<E>("negative rows", [&] { wi::orthogonal(-1, 2, 1.0, DType::kFloat32, {}, out); }, "rows");
  expect_error<E>("negative cols", [&] { wi::orthogonal(2, -3, 1.0, DType::kFloat32, {}, out); }, "cols");
  expect_error<E>("overflow", [&] { wi::orthogonal(std::int64_t{1} << 40, std::int64_t{1} << 30, 1.0, DType::kFloat32, {}, out); },
                  "rows, cols");
  expect_error<E>("nan gain", [&] { wi::orthogonal(2, 2, std::nan(""), DType::kFloat32, {}, out); }, "gain");
  expect_error<E>("inf gain", [&] { wi::orthogonal(2, 2, HUGE_VAL, DType::kFloat32, {}, out); }, "gain");
  expect_error<E>("integer dtype", [&] { wi::orthogonal(2, 2, 1.0, DType::kUInt32, {}, out); }, "dtype");
  expect_error<E>("null out", [&] { wi::orthogonal(2, 2, 1.0, DType::kFloat32, {}, nullptr); }, "out");
  expect_error<wi::ValueError>("ValueError", [&] { wi::orthogonal(-1, 2, 1.0, DType::kFloat32, {}, out); }, "non-negative");
}

}  // namespace

int main() {
  test_fma();
  test_kernels();
  test_orthogonality();
  test_convention();
  test_transpose();
  test_rounding();
  test_invariance();
  test_edges_and_errors();
  std::printf("%d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
