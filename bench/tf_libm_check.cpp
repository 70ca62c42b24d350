// SPDX-License-Identifier: BSD-3-Clause
// Exhaustive comparison of the TensorFlow stream's float log, sin and cos
// (cpp/src/tf_stream/tf_math-inl.hpp) with the host C library's logf and sincosf, and a sampled one of
// its double log, sin and cos with log and sincos. glibc hosts only (TensorFlow's normals are
// defined by glibc's functions). Build it both ways: without -mfma the double functions use
// the exact software fused multiply-add, with it the hardware one.
//
//   g++ -O2 -std=c++17 -ffp-contract=off -fno-math-errno -Icpp/src bench/tf_libm_check.cpp -o /tmp/tf_libm_check
//   g++ -O2 -std=c++17 -mfma -ffp-contract=off -fno-math-errno -Icpp/src bench/tf_libm_check.cpp -o /tmp/tf_libm_check_fma
//   /tmp/tf_libm_check            # the inputs the stream can produce (seconds)
//   /tmp/tf_libm_check all        # every float: log on all positive floats, sin/cos on |x| < 120
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#define WEIGHTINIT_INLINE inline __attribute__((always_inline))
namespace check {
#include "tf_stream/tf_math-inl.hpp"
}

static std::uint32_t bits(float f) { return check::bits_from_f32(f); }
static std::uint64_t bits(double f) { return check::bits_from_f64(f); }

struct Count {
  std::uint64_t n = 0, bad = 0;
  void add(bool ok, double x) {
    ++n;
    if (!ok && ++bad <= 5) std::printf("  mismatch at %a\n", x);
  }
};

int main(int argc, char** argv) {
  const bool all = argc > 1 && std::string(argv[1]) == "all";
  Count lg, sn, cs, nn;
  if (!all) {
    // log: u1 = m 2^-23 for m = 1 .. 2^23 - 1, and the clamp 1e-7f (m = 0).
    for (std::uint32_t m = 0; m < (1u << 23); ++m) {
      const float u = m == 0 ? 1.0e-7f : static_cast<float>(m) * 0x1p-23f;
      lg.add(bits(check::glibc_logf(u)) == bits(logf(u)), u);
    }
    // sin, cos: v = float(2 pi (m 2^-23)) in double, for m = 0 .. 2^23 - 1.
    for (std::uint32_t m = 0; m < (1u << 23); ++m) {
      const float v = static_cast<float>(2 * M_PI * static_cast<double>(static_cast<float>(m) * 0x1p-23f));
      float s, c, s0, c0;
      check::glibc_sincosf(v, &s, &c);
      sincosf(v, &s0, &c0);
      sn.add(bits(s) == bits(s0), v);
      cs.add(bits(c) == bits(c0), v);
      check::glibc_sincosf_nonneg(v, &s, &c);  // the kernels' branch-free form
      sn.add(bits(s) == bits(s0), v);
      cs.add(bits(c) == bits(c0), v);
    }
    std::printf("stream inputs: logf %llu/%llu mismatches, sinf %llu/%llu, cosf %llu/%llu\n",
                (unsigned long long)lg.bad, (unsigned long long)lg.n, (unsigned long long)sn.bad,
                (unsigned long long)sn.n, (unsigned long long)cs.bad, (unsigned long long)cs.n);
    // double: a sample of the stream's inputs (52-bit uniforms).
    Count dl, ds, dc;
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 20000000; ++i) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      double u;
      const std::uint64_t b = (x & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
      std::memcpy(&u, &b, 8);
      u -= 1.0;
      const double u1 = u < 1e-7 ? 1e-7 : u;
      dl.add(bits(check::glibc_log(u1)) == bits(std::log(u1)), u1);
      const double v = 2 * M_PI * u;
      double s, c, s0, c0;
      check::glibc_sincos(v, &s, &c);
      sincos(v, &s0, &c0);
      ds.add(bits(s) == bits(s0), v);
      dc.add(bits(c) == bits(c0), v);
    }
    std::printf("double sample: log %llu/%llu mismatches, sin %llu/%llu, cos %llu/%llu\n",
                (unsigned long long)dl.bad, (unsigned long long)dl.n, (unsigned long long)ds.bad,
                (unsigned long long)ds.n, (unsigned long long)dc.bad, (unsigned long long)dc.n);
    return lg.bad || sn.bad || cs.bad || dl.bad || ds.bad || dc.bad;
  }
  // Every positive normal float for log; every float with |x| < 120 for sin and cos.
  for (std::uint32_t u = 0x00800000u; u < 0x7f800000u; ++u) {
    float x;
    std::memcpy(&x, &u, 4);
    lg.add(bits(check::glibc_logf(x)) == bits(logf(x)), x);
  }
  for (std::uint32_t u = 0; u < 0x42f00000u; ++u) {  // 0x42f00000 = 120.0f
    for (std::uint32_t sgn : {0u, 0x80000000u}) {
      const std::uint32_t w = u | sgn;
      float x;
      std::memcpy(&x, &w, 4);
      float s, c, s0, c0;
      check::glibc_sincosf(x, &s, &c);
      sincosf(x, &s0, &c0);
      sn.add(bits(s) == bits(s0), x);
      cs.add(bits(c) == bits(c0), x);
      if (sgn == 0) {  // the kernels' branch-free form, for 0 <= x < 120
        check::glibc_sincosf_nonneg(x, &s, &c);
        nn.add(bits(s) == bits(s0) && bits(c) == bits(c0), x);
      }
    }
  }
  std::printf("all floats: logf %llu/%llu mismatches (positive normals), sinf %llu/%llu, cosf "
              "%llu/%llu (|x| < 120), branch-free sincosf %llu/%llu (0 <= x < 120)\n",
              (unsigned long long)lg.bad, (unsigned long long)lg.n, (unsigned long long)sn.bad,
              (unsigned long long)sn.n, (unsigned long long)cs.bad, (unsigned long long)cs.n,
              (unsigned long long)nn.bad, (unsigned long long)nn.n);
  return lg.bad || sn.bad || cs.bad;
}
