// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream in C++: TF 2.21's known values (docs/streams.md), every target equal
// to scalar, boxes equal to slices, and on glibc hosts a strided subset of the exhaustive
// comparison of the stream's float log / sin / cos with the C library (bench/tf_libm_check.cpp
// runs all of it).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "weightinit/cpu.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/tf_stream.hpp"

#define WEIGHTINIT_INLINE inline __attribute__((always_inline))
namespace tfcheck {
#include "tf_stream/tf_math-inl.hpp"
}

namespace {
int g_failures = 0;
#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) {                                                       \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
      ++g_failures;                                                      \
    }                                                                    \
  } while (0)

std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

using weightinit::DType;
using weightinit::Law;

std::vector<std::uint32_t> f32_words(const Law& law, std::uint64_t seed, std::uint64_t seed2,
                                     std::int64_t n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  weightinit::tensorflow_stream::fill_law(law, seed, seed2, DType::kFloat32, {n}, {0}, {n},
                                          v.data(), {4});
  std::vector<std::uint32_t> out;
  for (float f : v) out.push_back(bits(f));
  return out;
}

void test_known_values() {
  // docs/streams.md, "The TensorFlow stream" (TF 2.21, seeds (1, 2)).
  const std::vector<std::uint32_t> u = {0x3ed0133c, 0x3f5b8ba6, 0x3d62e6c0, 0x3dafddd0,
                                        0x3ed305cc, 0x3d160a40, 0x3f283f22, 0x3db3cf30};
  CHECK(f32_words(Law::uniform(0.0, 1.0), 1, 2, 8) == u);
  const std::vector<std::uint32_t> z = {0xbf85fcdd, 0x3f56f6e1, 0x3f9e2fe3, 0x4004150f,
                                        0x3e9b842a, 0x3fa5edfb, 0x3ef5dbd8, 0x3f47c36a};
  CHECK(f32_words(Law::normal(0.0, 1.0), 1, 2, 8) == z);
  const std::vector<std::uint32_t> t = {0xbf85fcdd, 0x3f56f6e1, 0x3f9e2fe3, 0x3e9b842a,
                                        0x3ec7027f, 0x3f9e4c57, 0x3e762ae7, 0xbe20e9fd};
  CHECK(f32_words(Law::truncated_normal(0.0, 1.0, -2.0, 2.0), 1, 2, 8) == t);
  std::vector<std::int32_t> i(8);
  weightinit::tensorflow_stream::fill_uniform_int(-5, 1000, 1, 2, DType::kUInt32, {8}, {0}, {8},
                                                  i.data(), {4});
  CHECK((i == std::vector<std::int32_t>{759, 765, 457, 234, 816, 401, 488, 293}));
  // Through the TF1 class: the golden glorot value of tf1-initializers.md 6.
  weightinit::set_random_seed(11);
  weightinit::GlorotUniform g(7);
  g.set_stream(weightinit::StreamFamily::kTensorFlow);
  const std::vector<float> gv = g.values<float>({3, 5});
  CHECK(gv[0] == 0.7321767210960388f && gv[1] == -0.8103560209274292f);
}

void test_targets_and_boxes() {
  const std::vector<Law> laws = {Law::uniform(-1.0, 2.0), Law::normal(0.5, 2.0),
                                 Law::truncated_normal(0.0, 0.1, -2.0, 2.0)};
  const weightinit::Target active = weightinit::active_target();
  for (const Law& law : laws) {
    for (DType dt : {DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kBFloat16}) {
      const std::int64_t rows = 41, cols = 29, size = weightinit::dtype_size(dt);
      std::vector<unsigned char> ref(static_cast<std::size_t>(rows * cols * size));
      weightinit::set_active_target(weightinit::Target::kScalar);
      weightinit::tensorflow_stream::fill_law(law, 5, 6, dt, {rows, cols}, {0, 0}, {rows, cols},
                                              ref.data(), {cols * size, size});
      for (weightinit::Target t : weightinit::available_targets()) {
        weightinit::set_active_target(t);
        std::vector<unsigned char> got(ref.size());
        weightinit::tensorflow_stream::fill_law(law, 5, 6, dt, {rows, cols}, {0, 0},
                                                {rows, cols}, got.data(), {cols * size, size});
        CHECK(got == ref);
        // A box at (7, 3) of shape (11, 13), written with a row stride of 16 elements.
        std::vector<unsigned char> box(static_cast<std::size_t>(11 * 16 * size));
        weightinit::tensorflow_stream::fill_law(law, 5, 6, dt, {rows, cols}, {7, 3}, {11, 13},
                                                box.data(), {16 * size, size});
        for (int r = 0; r < 11; ++r) {
          CHECK(std::memcmp(box.data() + r * 16 * size,
                            ref.data() + ((7 + r) * cols + 3) * size,
                            static_cast<std::size_t>(13 * size)) == 0);
        }
      }
    }
  }
  weightinit::set_active_target(active);
}

void test_libm_subset() {
#if defined(__GLIBC__)
  // Every 61st input of the exhaustive check (bench/tf_libm_check.cpp): the stream's logf and
  // sincosf inputs, then positive floats at a stride for log.
  long bad = 0, n = 0;
  for (std::uint32_t m = 0; m < (1u << 23); m += 61) {
    const float u = m == 0 ? 1.0e-7f : static_cast<float>(m) * 0x1p-23f;
    bad += bits(tfcheck::glibc_logf(u)) != bits(logf(u));
    const float v = static_cast<float>(2 * M_PI * static_cast<double>(static_cast<float>(m) * 0x1p-23f));
    float s, c, s0, c0;
    tfcheck::glibc_sincosf(v, &s, &c);
    sincosf(v, &s0, &c0);
    bad += (bits(s) != bits(s0)) + (bits(c) != bits(c0));
    ++n;
  }
  for (std::uint32_t w = 0x00800000u; w < 0x7f800000u; w += 4099) {
    float x;
    std::memcpy(&x, &w, 4);
    bad += bits(tfcheck::glibc_logf(x)) != bits(logf(x));
  }
  // Double log and sincos on stream inputs (52-bit uniforms), a fixed pseudo-random sample.
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double u;
    const std::uint64_t b = (x & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    std::memcpy(&u, &b, 8);
    u -= 1.0;
    const double u1 = u < 1e-7 ? 1e-7 : u;
    double s, c, s0, c0;
    tfcheck::glibc_sincos(2 * M_PI * u, &s, &c);
    sincos(2 * M_PI * u, &s0, &c0);
    bad += (tfcheck::glibc_log(u1) != std::log(u1)) + (s != s0) + (c != c0);
  }
  std::printf("glibc subset: %ld mismatches (%ld stream inputs)\n", bad, n);
  CHECK(bad == 0);
#else
  std::printf("glibc subset: skipped (not a glibc host)\n");
#endif
}
}  // namespace

int main() {
  test_known_values();
  test_targets_and_boxes();
  test_libm_subset();
  if (g_failures == 0) std::printf("test_tf_stream: all passed\n");
  return g_failures == 0 ? 0 : 1;
}
