// SPDX-License-Identifier: BSD-3-Clause
// ctest for initializers.hpp: seeds, errors and their messages, partitions equal to slices,
// Constant's layout, Orthogonal's orthogonality, and every case of tests/data/initializers_v2.txt
// (the file the Python API is held to as well) through the C++ API.
//
//   test_initializers DATA_DIR
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "weightinit/weightinit.hpp"

namespace {

namespace wi = weightinit;
using testing::check;
using testing::expect_error;
using wi::ElementType;
using wi::Shape;

constexpr ElementType kF32 = ElementType::kFloat32;
constexpr ElementType kF64 = ElementType::kFloat64;
constexpr ElementType kF16 = ElementType::kFloat16;
constexpr ElementType kBF16 = ElementType::kBFloat16;
constexpr ElementType kI32 = ElementType::kInt32;
constexpr ElementType kI64 = ElementType::kInt64;
constexpr ElementType kFloats[] = {kF32, kF64, kF16, kBF16};

std::string show(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + ")";
}

bool same_bytes(const wi::Tensor& a, const wi::Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && a.nbytes() == b.nbytes() &&
         std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

// The box [start, start + shape) of a row-major tensor, as a new tensor.
wi::Tensor slice(const wi::Tensor& whole, const Shape& start, const Shape& shape) {
  wi::Tensor out(shape, whole.dtype());
  const auto size = static_cast<std::size_t>(wi::element_size(whole.dtype()));
  const Shape& full = whole.shape();
  const std::size_t rank = full.size();
  const auto* src = static_cast<const unsigned char*>(whole.data());
  auto* dst = static_cast<unsigned char*>(out.data());
  for (std::size_t e = 0; e < out.size(); ++e) {
    std::size_t rest = e, flat = 0, stride = 1;
    for (std::size_t k = rank; k-- > 0;) {
      const std::size_t idx = rest % static_cast<std::size_t>(shape[k]);
      rest /= static_cast<std::size_t>(shape[k]);
      flat += (static_cast<std::size_t>(start[k]) + idx) * stride;
      stride *= static_cast<std::size_t>(full[k]);
    }
    std::memcpy(dst + e * size, src + flat * size, size);
  }
  return out;
}


// --- 16-bit conversions ---------------------------------------------------------------------

void test_half_conversions() {
  int bad_round_trip = 0, bad_ties = 0;
  for (std::uint32_t h = 0; h < 0x7c00u; ++h) {  // every finite non-negative half
    for (std::uint32_t sign : {0u, 0x8000u}) {
      const auto bits = static_cast<std::uint16_t>(h | sign);
      const float f = static_cast<float>(wi::Half::from_bits(bits));
      if (wi::Half(f).bits != bits) ++bad_round_trip;
    }
    // The midpoint to the next half (exact in float) rounds to the even one; just above or
    // below it, to the nearer one.
    const float lo = static_cast<float>(wi::Half::from_bits(static_cast<std::uint16_t>(h)));
    const float hi = static_cast<float>(wi::Half::from_bits(static_cast<std::uint16_t>(h + 1)));
    const float mid = h == 0x7bffu ? 65520.0f : lo + (hi - lo) / 2;  // the largest rounds up to inf
    const std::uint32_t even = (h & 1u) ? h + 1 : h;
    if (wi::Half(mid).bits != even) ++bad_ties;
    if (wi::Half(std::nextafter(mid, 0.0f)).bits != h && mid > 0) ++bad_ties;
    if (wi::Half(std::nextafter(mid, 1e9f)).bits != h + 1) ++bad_ties;
  }
  check(bad_round_trip == 0, "Half: every finite half survives half -> float -> half");
  check(bad_ties == 0, "Half: float -> half rounds to nearest, ties to even");
  check(wi::Half(65520.0f).bits == 0x7c00u && wi::Half(65519.99f).bits == 0x7bffu, "Half: overflow at 65520");
  check(std::isnan(static_cast<float>(wi::Half(std::numeric_limits<float>::quiet_NaN()))), "Half: NaN");
  int bad_bf16 = 0;
  for (std::uint32_t b = 0; b < 0x7f80u; ++b) {
    const float lo = static_cast<float>(wi::BFloat16::from_bits(static_cast<std::uint16_t>(b)));
    const float hi = static_cast<float>(wi::BFloat16::from_bits(static_cast<std::uint16_t>(b + 1)));
    if (wi::BFloat16(lo).bits != b) ++bad_bf16;
    const float mid = lo + (hi - lo) / 2;
    if (wi::BFloat16(mid).bits != ((b & 1u) ? b + 1 : b)) ++bad_bf16;
  }
  check(bad_bf16 == 0, "BFloat16: round trip and ties to even");
}

// --- seeds ----------------------------------------------------------------------------------

bool seeds_are(std::optional<wi::SeedPair> got, std::int64_t seed, std::int64_t seed2) {
  return got && got->seed == seed && got->seed2 == seed2;
}

void test_seeds() {
  const std::int64_t m = wi::kMaxInt32;
  wi::reset_default_graph();
  check(!wi::get_seed(std::nullopt), "get_seed: no seeds -> nullopt");
  check(seeds_are(wi::get_seed(5), 87654321, 5), "get_seed: op seed only -> default graph seed");
  check(seeds_are(wi::get_seed(-1), 87654321, m - 1), "get_seed: negative op seed, Python's %");
  check(seeds_are(wi::get_seed(m), 87654321, 0), "get_seed: op seed M -> 0");
  wi::set_random_seed(11);
  check(seeds_are(wi::get_seed(7), 11, 7), "get_seed: both seeds");
  check(seeds_are(wi::get_seed(std::nullopt), 11, 0), "get_seed: automatic op seed 0");
  check(seeds_are(wi::get_seed(std::nullopt), 11, 1), "get_seed: automatic op seed 1");
  check(seeds_are(wi::get_seed(3), 11, 3), "get_seed: explicit seeds take no counter value");
  check(seeds_are(wi::get_seed(std::nullopt), 11, 2), "get_seed: automatic op seed 2");
  wi::set_random_seed(11);
  check(seeds_are(wi::get_seed(std::nullopt), 11, 0), "set_random_seed restarts the counter");
  wi::set_random_seed(-m);
  check(seeds_are(wi::get_seed(0), 0, m), "get_seed: (0, 0) becomes (0, M)");
  check(seeds_are(wi::get_seed(std::nullopt), 0, m), "get_seed: (0, automatic 0) becomes (0, M)");

  // Seeded instances repeat; unseeded ones do not, with or without a graph seed.
  wi::reset_default_graph();
  const wi::GlorotUniform seeded(7);
  check(same_bytes(seeded({30, 20}), seeded({30, 20})), "a seeded instance repeats itself");
  const wi::GlorotUniform unseeded;
  check(!same_bytes(unseeded({30, 20}), unseeded({30, 20})), "unseeded, no graph seed: new OS seeds");
  wi::set_random_seed(4);
  const wi::Tensor first = unseeded({30, 20});
  check(!same_bytes(first, unseeded({30, 20})), "unseeded with a graph seed: a new op seed per call");
  wi::set_random_seed(4);
  check(same_bytes(first, unseeded({30, 20})), "set_random_seed replays the automatic op seeds");
  wi::set_random_seed(4);
  check(same_bytes(first, wi::GlorotUniform(0)({30, 20})), "automatic op seed 0 = op seed 0");
  wi::reset_default_graph();
}

// --- values ---------------------------------------------------------------------------------

void test_values() {
  wi::reset_default_graph();
  const auto c = wi::Constant({0, 1, 2, 3, 4, 5, 6, 7}, kI32)({3, 4}).to_vector<std::int32_t>();
  check(c == std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7}, "Constant pads with the last value");
  check(wi::Constant(std::vector<wi::Number>{}, kF32)({2, 2}).to_vector<float>() == std::vector<float>(4, 0.0f),
        "Constant: an empty list fills with zeros");
  check(wi::Constant(0.5)({}).to_vector<float>() == std::vector<float>{0.5f}, "Constant: a scalar, rank 0");
  check(wi::Ones(kI64)({2}).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 1}, "Ones int64");
  check(wi::Ones(kBF16)({1}).to_vector<wi::BFloat16>()[0].bits == 0x3f80u, "Ones bfloat16");
  check(wi::Zeros(kF16)({3}).to_vector<wi::Half>()[2].bits == 0, "Zeros float16");
  const auto eye = wi::Identity(2.5)({3, 5}).to_vector<float>();
  float trace = 0, total = 0;
  for (int i = 0; i < 15; ++i) total += eye[static_cast<std::size_t>(i)];
  for (int i = 0; i < 3; ++i) trace += eye[static_cast<std::size_t>(i * 5 + i)];
  check(trace == 7.5f && total == 7.5f, "Identity (3, 5): three diagonal gains");

  // Every float value of a uniform draw lies in [minval, maxval); ints in [minval, maxval).
  const auto u = wi::RandomUniform(-0.05, 0.05, 1)({1000}).to_vector<float>();
  check(std::all_of(u.begin(), u.end(), [](float v) { return v >= -0.05f && v < 0.05f; }),
        "RandomUniform in [minval, maxval)");
  const auto k = wi::RandomUniform(-3, 9, 1, kI32)({1000}).to_vector<std::int32_t>();
  check(std::all_of(k.begin(), k.end(), [](std::int32_t v) { return v >= -3 && v < 9; }) &&
            *std::min_element(k.begin(), k.end()) == -3 && *std::max_element(k.begin(), k.end()) == 8,
        "RandomUniform int32 covers [-3, 9)");
  const auto t = wi::TruncatedNormal(1.0, 0.5, 3)({4000}).to_vector<float>();
  check(std::all_of(t.begin(), t.end(), [](float v) { return v >= 0.0f && v <= 2.0f; }),
        "TruncatedNormal within 2 stddev");
  // A negative stddev mirrors the draw; 0 gives the mean.
  const auto pos = wi::RandomNormal(0.25, 2.0, 9)({64}, kF64).to_vector<double>();
  const auto neg = wi::RandomNormal(-0.25, -2.0, 9)({64}, kF64).to_vector<double>();
  bool mirrored = true;
  for (std::size_t i = 0; i < pos.size(); ++i) mirrored = mirrored && neg[i] == -pos[i];
  check(mirrored, "RandomNormal with -stddev and -mean is the negated draw");
  check(wi::RandomNormal(3.0, 0.0, 1)({2}).to_vector<float>() == std::vector<float>(2, 3.0f),
        "RandomNormal stddev 0 gives the mean");

  // fill() into a caller's buffer equals the tensor.
  const wi::VarianceScaling vs(2.0, "fan_out", "uniform", 5);
  std::vector<wi::Half> buf(3 * 3 * 4 * 8);
  vs.fill({3, 3, 4, 8}, kF16, buf.data());
  const wi::Tensor whole = vs({3, 3, 4, 8}, kF16);
  check(std::memcmp(buf.data(), whole.data(), whole.nbytes()) == 0, "fill() equals operator()");
  check(vs.values<wi::Half>({3, 3, 4, 8}).size() == buf.size(), "values<Half>()");
  // Every thread count writes the same bits.
  const int threads = wi::get_num_threads();
  wi::set_num_threads(1);
  const wi::Tensor one = wi::he_normal(3)({300, 200});
  wi::set_num_threads(3);
  check(same_bytes(one, wi::he_normal(3)({300, 200})), "he_normal: 1 thread == 3 threads");
  wi::set_num_threads(threads);
}

// --- partitions -----------------------------------------------------------------------------

void check_partitions(const std::string& what, const wi::Initializer& init, const Shape& full,
                      ElementType dt) {
  const wi::Tensor whole = init(full, dt);
  // Row blocks of uneven sizes, column blocks, and an interior box (any box of the whole).
  std::vector<std::pair<Shape, Shape>> boxes;  // (start, shape)
  const std::int64_t r = full[0], c = full.back();
  Shape zero(full.size(), 0), rows_a = full, rows_b = full, start_b = zero;
  rows_a[0] = r / 3 + 1;
  rows_b[0] = r - rows_a[0];
  start_b[0] = rows_a[0];
  boxes.emplace_back(zero, rows_a);
  boxes.emplace_back(start_b, rows_b);
  Shape cols_a = full, cols_b = full, start_c = zero;
  cols_a.back() = c / 2;
  cols_b.back() = c - c / 2;
  start_c.back() = c / 2;
  boxes.emplace_back(zero, cols_a);
  boxes.emplace_back(start_c, cols_b);
  Shape inner = full, start_i = zero;
  for (std::size_t k = 0; k < full.size(); ++k) {
    start_i[k] = full[k] / 4;
    inner[k] = std::max<std::int64_t>(1, full[k] / 2);
  }
  boxes.emplace_back(start_i, inner);
  for (const auto& [start, shape] : boxes) {
    const wi::Tensor part = init(shape, dt, wi::PartitionInfo(full, start));
    check(same_bytes(part, slice(whole, start, shape)),
          what + " " + wi::element_type_name(dt) + ": partition " + show(shape) + " at " +
              show(start) + " of " + show(full) + " equals the slice");
  }
}

void test_partitions() {
  wi::set_random_seed(11);
  for (const ElementType dt : kFloats) {
    check_partitions("RandomUniform", wi::RandomUniform(-2.0, 3.0, 1), {37, 29}, dt);
    check_partitions("RandomNormal", wi::RandomNormal(0.5, 2.0, 2), {9, 7, 11}, dt);
    check_partitions("TruncatedNormal", wi::TruncatedNormal(0.0, 1.0, 3), {130, 3}, dt);
    check_partitions("VarianceScaling", wi::VarianceScaling(2.0, "fan_out", "untruncated_normal", 4), {5, 3, 16, 8}, dt);
    check_partitions("GlorotUniform", wi::GlorotUniform(5), {70, 50}, dt);
    check_partitions("GlorotNormal", wi::GlorotNormal(6), {70, 50}, dt);
    check_partitions("UniformUnitScaling", wi::UniformUnitScaling(1.43, 7), {12, 40}, dt);
    check_partitions("Identity", wi::Identity(1.5), {13, 9}, dt);
  }
  check_partitions("RandomUniform", wi::RandomUniform(-3, 9, 8, kI32), {33, 17}, kI32);
  check_partitions("RandomUniform", wi::RandomUniform(-5, std::int64_t{1} << 40, 8, kI64), {33, 17}, kI64);

  // Fans come from full_shape: a partition of a VarianceScaling draw is not the draw of its
  // own shape.
  const wi::Tensor own = wi::he_uniform(1)({4, 8});
  const wi::Tensor part = wi::he_uniform(1)({4, 8}, kF32, wi::PartitionInfo({16, 8}, {0, 0}));
  check(!same_bytes(own, part), "he_uniform: a partition scales by the full shape's fans");

  // Unseeded: the partitions of one variable share the op seed drawn at offset zero.
  wi::set_random_seed(21);
  const wi::GlorotNormal unseeded;
  const wi::Tensor whole = unseeded({20, 6});
  wi::set_random_seed(21);
  const wi::Tensor top = unseeded({8, 6}, std::nullopt, wi::PartitionInfo({20, 6}, {0, 0}));
  const wi::Tensor bottom = unseeded({12, 6}, std::nullopt, wi::PartitionInfo({20, 6}, {8, 0}));
  check(same_bytes(top, slice(whole, {0, 0}, {8, 6})) && same_bytes(bottom, slice(whole, {8, 0}, {12, 6})),
        "unseeded partitions share the automatic op seed of the first");
  const wi::Tensor next = unseeded({20, 6});
  check(!same_bytes(next, whole), "the next unpartitioned call takes the next op seed");

  const wi::PartitionInfo info({4, 6, 8}, {0, 3, 0});
  check(info.single_slice_dim({4, 3, 8}) == std::optional<std::size_t>(1), "single_slice_dim");
  check(info.single_offset({4, 3, 8}) == 3, "single_offset");
  check(!wi::PartitionInfo({4, 6, 8}, {0, 0, 0}).single_slice_dim({4, 6, 8}), "single_slice_dim: none");
  wi::reset_default_graph();
}

// --- errors ---------------------------------------------------------------------------------

void test_errors() {
  using wi::TypeError;
  using wi::ValueError;
  const std::string floats = " produces floating point values (float16, bfloat16, float32, float64), got ";
  const double nan = std::nan("");
  // dtypes: float-only constructors refuse integer types (ValueError), their calls too
  // (TypeError); the dtype is checked before the shape.
  expect_error<ValueError>("RandomNormal(dtype=int32)", [] { wi::RandomNormal(0, 1, 1, kI32); },
                           "Expected floating point type, got int32.");
  expect_error<TypeError>("RandomNormal call int64", [] { wi::RandomNormal()({2}, kI64); },
                          "dtype: RandomNormal" + floats + "int64");
  expect_error<TypeError>("GlorotUniform call int32", [] { wi::GlorotUniform()({2, 2}, kI32); },
                          "dtype: GlorotUniform" + floats + "int32");
  expect_error<TypeError>("lecun_normal call int32", [] { wi::lecun_normal()({2, 2}, kI32); },
                          "dtype: VarianceScaling" + floats + "int32");
  expect_error<TypeError>("he_uniform call int32", [] { wi::he_uniform()({2, 2}, kI32); },
                          "dtype: VarianceScaling" + floats + "int32");
  expect_error<ValueError>("UniformUnitScaling(dtype=int32)", [] { wi::UniformUnitScaling(1.0, std::nullopt, kI32); },
                           "Expected floating point type, got int32.");
  expect_error<ValueError>("Identity(dtype=int32)", [] { wi::Identity(1.0, kI32); },
                           "Expected floating point type, got int32.");
  expect_error<TypeError>("dtype before shape", [] { wi::Orthogonal()({-1}, kI32); },
                          "dtype: Orthogonal" + floats + "int32");
  expect_error<TypeError>("Tensor element type", [] { wi::Tensor({2}, kF32).data<double>(); },
                          "Tensor: elements are float32, not float64");

  // RandomUniform's bounds.
  expect_error<ValueError>("RandomUniform int without maxval", [] { wi::RandomUniform(0, std::nullopt, 1, kI32)({2}); },
                           "Must specify maxval for integer dtype int32");
  expect_error<TypeError>("RandomUniform int, double minval", [] { wi::RandomUniform(0.5, 3, 1)({2}, kI32); },
                          "minval: int32 takes integers, got the double 0.5");
  expect_error<TypeError>("RandomUniform int, small double maxval", [] { wi::RandomUniform(0, 1e-5, 1)({2}, kI64); },
                          "maxval: int64 takes integers, got the double 1e-05");
  expect_error<TypeError>("RandomUniform int, integral double maxval", [] { wi::RandomUniform(0, 123456789.0)({2}, kI64); },
                          "maxval: int64 takes integers, got the double 123456789");
  expect_error<ValueError>("RandomUniform int32 range", [] { wi::RandomUniform(0, std::int64_t{1} << 40, 1)({2}, kI32); },
                           "maxval: 1099511627776 is out of range for int32");
  expect_error<ValueError>("RandomUniform int32 range below", [] { wi::RandomUniform(std::int64_t{-2147483649}, 3)({2}, kI32); },
                           "minval: -2147483649 is out of range for int32");
  expect_error<ValueError>("RandomUniform minval >= maxval", [] { wi::RandomUniform(5, 5, 1)({2}, kI32); },
                           "Need minval < maxval, got 5 >= 5");
  check(wi::RandomUniform(5, 5, 1)({0}, kI32).size() == 0, "RandomUniform minval == maxval: fine when empty");
  expect_error<ValueError>("RandomUniform inf", [] { wi::RandomUniform(HUGE_VAL, 1, 1)({2}); },
                           "minval: must be finite, got inf");
  expect_error<ValueError>("RandomUniform nan maxval", [nan] { wi::RandomUniform(0, nan)({2}); },
                           "maxval: must be finite, got nan");
  expect_error<ValueError>("RandomUniform float32 range", [] { wi::RandomUniform(-1e300, 1, 1)({2}); },
                           "low, high: [-1.0000000000000001e+300, 1) is outside the float32 range "
                           "[-3.4028234663852886e+38, 3.4028234663852886e+38]");
  check(wi::RandomUniform(-1e300, 1, 1)({0, 3}).size() == 0, "empty shape: no fill-layer error");

  // Normal laws.
  expect_error<ValueError>("RandomNormal -inf stddev", [] { wi::RandomNormal(0, -HUGE_VAL)({2}); },
                           "stddev: must be finite, got -inf");
  expect_error<ValueError>("RandomNormal nan stddev", [nan] { wi::RandomNormal(0, nan, 1)({2}); },
                           "stddev: must be finite, got nan");
  expect_error<ValueError>("TruncatedNormal nan mean", [nan] { wi::TruncatedNormal(nan, 1.0)({2}); },
                           "mean: must be finite, got nan");

  // VarianceScaling's constructor, in TF's order; its scale at call time.
  for (const double scale : {0.0, -1.0, nan}) {
    expect_error<ValueError>("VarianceScaling scale " + std::to_string(scale),
                             [scale] { wi::VarianceScaling(scale, "bad", "bad", 1, kI32); },
                             "`scale` must be positive float.");
  }
  for (const char* mode : {"FAN_IN", "it's", "tab\there"}) {
    expect_error<ValueError>(std::string("VarianceScaling mode ") + mode,
                             [mode] { wi::VarianceScaling(1.0, mode, "bad", 1, kI32); },
                             std::string("Invalid `mode` argument: ") + mode +
                                 " (expected one of fan_in, fan_out, fan_avg)");
  }
  expect_error<ValueError>("VarianceScaling distribution", [] { wi::VarianceScaling(1.0, "fan_in", "Gaussian", 1, kI32); },
                           "Invalid `distribution` argument: Gaussian (expected one of normal, "
                           "uniform, truncated_normal, untruncated_normal)");
  expect_error<ValueError>("VarianceScaling dtype", [] { wi::VarianceScaling(1.0, "fan_in", "uniform", 1, kI64); },
                           "Expected floating point type, got int64.");
  expect_error<ValueError>("VarianceScaling scale inf", [] { wi::VarianceScaling(HUGE_VAL, "fan_in", "normal", 1)({3, 4}); },
                           "stddev: must be finite and > 0, got inf");
  expect_error<ValueError>("VarianceScaling scale 1e300", [] { wi::VarianceScaling(1e300, "fan_in", "uniform", 1)({3, 4}); },
                           "low, high: [-9.9999999999999998e+149, 9.9999999999999998e+149) is "
                           "outside the float32 range [-3.4028234663852886e+38, 3.4028234663852886e+38]");
  expect_error<ValueError>("UniformUnitScaling factor", [] { wi::UniformUnitScaling(HUGE_VAL, 1)({3, 4}); },
                           "factor: must be finite, got inf");

  // Identity and Orthogonal.
  expect_error<ValueError>("Identity rank 3", [] { wi::Identity()({3, 4, 5}); },
                           "Identity matrix initializer can only be used for 2D matrices.");
  expect_error<ValueError>("Identity full shape rank 3", [] { wi::Identity()({2, 3}, kF32, wi::PartitionInfo({4, 3, 1}, {0, 0, 0})); },
                           "Identity matrix initializer can only be used for 2D matrices.");
  expect_error<ValueError>("Orthogonal rank 1", [] { wi::Orthogonal()({5}); },
                           "The tensor to initialize must be at least two-dimensional");
  expect_error<ValueError>("Orthogonal partition", [] { wi::Orthogonal(1.0, 1)({2, 3}, kF32, wi::PartitionInfo({4, 3}, {2, 0})); },
                           "Orthogonal: partitioned variables are not supported: orthogonality is a "
                           "property of the whole matrix, and a partition of shape [2, 3] of full_shape "
                           "[4, 3] cannot be drawn on its own (TF would make each partition orthogonal "
                           "by itself). Initialize the full shape and split the result instead.");
  expect_error<ValueError>("Orthogonal partition exceeds", [] { wi::Orthogonal(1.0, 1)({4, 3}, kF32, wi::PartitionInfo({4, 3}, {1, 0})); },
                           "partition_info: with var_offset=[1, 0], a partition of shape [4, 3] would "
                           "exceed full_shape=[4, 3] in dimension 0");

  // Constant: conversion, then layout.
  expect_error<ValueError>("Constant too many", [] { wi::Constant({0, 1, 2, 3, 4, 5, 6, 7})({2, 3}); },
                           "Too many elements provided. Needed at most 6, but received 8");
  expect_error<TypeError>("Constant verify_shape", [] { wi::Constant({1, 2, 3}, kF32, true)({3, 1}); },
                          "Expected Tensor's shape: [3, 1], got [3].");
  check(wi::Constant({1, 2, 3}, kF32, true)({3}).to_vector<float>() == std::vector<float>{1, 2, 3},
        "Constant verify_shape: an equal shape passes");
  check(wi::Constant({1, 2, 3, 4, 5, 6}, Shape{2, 3})({2, 3}, std::nullopt, std::nullopt, true).size() == 6,
        "Constant with a value shape: verify_shape passes");
  expect_error<TypeError>("Constant verify_shape at call", [] { wi::Constant(1)({2}, kF32, std::nullopt, true); },
                          "Expected Tensor's shape: [2], got [].");
  expect_error<TypeError>("Constant double into int32", [] { wi::Constant({1, 2.5}, kI32)({2}); },
                          "value: int32 takes integers, got the double 2.5");
  expect_error<TypeError>("Constant double into int64", [] { wi::Constant({-1e20}, kI64)({2}); },
                          "value: int64 takes integers, got the double -1e+20");
  expect_error<ValueError>("Constant out of range", [] { wi::Constant({-1, std::int64_t{1} << 40}, kI32)({2}); },
                           "value: 1099511627776 is out of range for int32");
  expect_error<ValueError>("Constant int64 min into int32", [] { wi::Constant({INT64_MIN, std::int64_t{1} << 40}, kI32)({2}); },
                           "value: -9223372036854775808 is out of range for int32");
  expect_error<ValueError>("Constant value shape", [] { wi::Constant({1, 2, 3}, Shape{2, 2}); },
                           "value: a value of shape [2, 2] needs 4 values, got 3");

  // Partitions.
  expect_error<ValueError>("PartitionInfo lengths", [] { wi::PartitionInfo({4, 6}, {0}); },
                           "Expected equal length, but `var_offset` is of length 1 while full_shape is of length 2.");
  expect_error<ValueError>("PartitionInfo offset", [] { wi::PartitionInfo({4, 6}, {4, 0}); },
                           "Expected 0 <= offset < shape but found offset=4, shape=4 for var_offset=[4, 0], full_shape=[4, 6]");
  expect_error<ValueError>("PartitionInfo offset at the end", [] { wi::PartitionInfo({4, 6}, {0, 6}); },
                           "Expected 0 <= offset < shape but found offset=6, shape=6 for var_offset=[0, 6], full_shape=[4, 6]");
  expect_error<ValueError>("partition exceeds", [] { wi::RandomNormal(0, 1, 1)({3, 6}, kF32, wi::PartitionInfo({4, 6}, {2, 0})); },
                           "partition_info: with var_offset=[2, 0], a partition of shape [3, 6] would "
                           "exceed full_shape=[4, 6] in dimension 0");
  expect_error<ValueError>("partition rank", [] { wi::RandomNormal(0, 1, 1)({3}, kF32, wi::PartitionInfo({4, 6}, {0, 0})); },
                           "partition_info: a partition of shape [3] (rank 1) cannot lie in full_shape [4, 6] (rank 2)");
  expect_error<ValueError>("PartitionInfo::check", [] { wi::PartitionInfo({4, 6}, {1, 2}).check({3, 5}); },
                           "partition_info: with var_offset=[1, 2], a partition of shape [3, 5] would "
                           "exceed full_shape=[4, 6] in dimension 1");
  wi::PartitionInfo({4, 6}, {1, 2}).check({3, 4});
  expect_error<ValueError>("single_slice_dim", [] { wi::PartitionInfo({4, 6, 8}, {0, 0, 0}).single_slice_dim({2, 3, 8}); },
                           "Cannot use single_slice_dim() with shape=[2, 3, 8] and full_shape=[4, 6, 8] "
                           "since the slice dim could be any of dimensions [0, 1].");

  // Shapes.
  expect_error<ValueError>("negative shape", [] { wi::Zeros()({3, -1}); },
                           "shape: dimensions must be non-negative, got [3, -1]");
  expect_error<ValueError>("negative shape, Ones", [] { wi::Ones()({-2}); },
                           "shape: dimensions must be non-negative, got [-2]");
  expect_error<ValueError>("huge shape", [] { wi::RandomNormal()({std::int64_t{1} << 32, std::int64_t{1} << 31}); },
                           "shape: [4294967296, 2147483648] has 2^63 elements or more");

  // The convolution-orthogonal family checks the shape first.
  expect_error<ValueError>("ConvolutionDeltaOrthogonal rank before dtype", [] { wi::ConvolutionDeltaOrthogonal()({3, 3}, kI32); },
                           "The tensor to initialize must be at least three-dimensional and at most five-dimensional");
  expect_error<ValueError>("ConvolutionDeltaOrthogonal(dtype=int32)", [] { wi::ConvolutionDeltaOrthogonal(1.0, std::nullopt, kI32); },
                           "Expected floating point type, got int32.");
  expect_error<TypeError>("ConvolutionDeltaOrthogonal call int32", [] { wi::ConvolutionDeltaOrthogonal()({3, 3, 3}, kI32); },
                          "dtype: ConvolutionDeltaOrthogonal" + floats + "int32");
  expect_error<ValueError>("ConvolutionDeltaOrthogonal partition", [] { wi::ConvolutionDeltaOrthogonal(1.0, 1)({2, 3, 3}, kF32, wi::PartitionInfo({4, 3, 3}, {2, 0, 0})); },
                           "ConvolutionDeltaOrthogonal: partitioned variables are not supported: "
                           "orthogonality is a property of the whole matrix, and a partition of shape "
                           "[2, 3, 3] of full_shape [4, 3, 3] cannot be drawn on its own (TF would make "
                           "each partition orthogonal by itself). Initialize the full shape and split "
                           "the result instead.");
  expect_error<ValueError>("ConvolutionOrthogonal2D sizes before dtype", [] { wi::ConvolutionOrthogonal2D()({3, 2, 4, 4}, kI32); },
                           "Kernel sizes must be equal.");
  expect_error<ValueError>("ConvolutionOrthogonal1D negative shape before dtype", [] { wi::ConvolutionOrthogonal1D()({3, 4, -4}, kI32); },
                           "shape: dimensions must be non-negative, got [3, 4, -4]");
  check(wi::ConvolutionOrthogonal1D(1.0, 3)({0, 4, 4}).size() == 0, "ConvolutionOrthogonal1D: an empty kernel");
}

// --- Constant's layout and the stateless scope ----------------------------------------------

void test_constant_layout() {
  const std::int16_t values[] = {1, 2, 3};
  std::int16_t out[8];
  wi::detail::constant_layout(values, {3}, 2, {2, 4}, false, out);
  check(std::vector<std::int16_t>(out, out + 8) == std::vector<std::int16_t>{1, 2, 3, 3, 3, 3, 3, 3},
        "constant_layout pads with the last value");
  std::fill(out, out + 8, 9);
  wi::detail::constant_layout(values, {0}, 2, {2, 4}, false, out);
  check(std::vector<std::int16_t>(out, out + 8) == std::vector<std::int16_t>(8, 0), "constant_layout: no values, zeros");
  std::fill(out, out + 8, 9);
  wi::detail::constant_layout(values, {3}, 2, {0, 4}, true, out);
  check(out[0] == 9, "constant_layout: an empty shape takes no value and checks nothing");
  std::int64_t big[1000];
  const std::int64_t seven = 7;
  wi::detail::constant_layout(&seven, {}, 8, {1000}, false, big);
  check(std::all_of(big, big + 1000, [](std::int64_t v) { return v == 7; }), "constant_layout: one value everywhere");
  expect_error<wi::TypeError>("constant_layout verify", [&] { wi::detail::constant_layout(values, {3}, 2, {1, 3}, true, out); },
                              "Expected Tensor's shape: [1, 3], got [3].");
  expect_error<wi::ValueError>("constant_layout too many", [&] { wi::detail::constant_layout(values, {3}, 2, {2}, false, out); },
                               "Too many elements provided. Needed at most 2, but received 3");
}

void test_scoped_key_stream() {
  // Within the scope a random initializer draws on the given (key, stream) and takes no op
  // seed; outside it, get_seed's pair again.
  wi::set_random_seed(3);
  std::vector<float> want(10);
  wi::fill_law(wi::Law::normal(0.0, 1.0), wi::Stream{5, 0, 0}, wi::DType::kFloat32, {10}, want.data());
  {
    const wi::detail::ScopedStream scope(wi::Stream{5, 0});
    check(wi::RandomNormal()({10}).to_vector<float>() == want, "ScopedStream: the given key and stream");
    {
      const wi::detail::ScopedStream inner(wi::Stream{6, 1});
      check(wi::RandomNormal()({10}).to_vector<float>() != want, "ScopedStream: scopes nest");
    }
    check(wi::RandomNormal(0.0, 1.0, 99)({10}).to_vector<float>() == want, "ScopedStream: the outer scope again");
  }
  const std::optional<wi::SeedPair> next = wi::get_seed(std::nullopt);
  check(next && next->seed == 3 && next->seed2 == 0, "ScopedStream: no automatic op seed taken");
  wi::reset_default_graph();
}

// --- Orthogonal -----------------------------------------------------------------------------

// max |W^T W - gain^2 I| (rows >= cols) or |W W^T - gain^2 I| of the flattened W, in double.
double orthogonality_error(const wi::Tensor& t, double gain) {
  const Shape& s = t.shape();
  const std::int64_t cols = s.back();
  const std::int64_t rows = static_cast<std::int64_t>(t.size()) / cols;
  std::vector<double> w(t.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    switch (t.dtype()) {
      case kF64: w[i] = t.data<double>()[i]; break;
      case kF32: w[i] = t.data<float>()[i]; break;
      case kF16: w[i] = static_cast<float>(t.data<wi::Half>()[i]); break;
      default: w[i] = static_cast<float>(t.data<wi::BFloat16>()[i]); break;
    }
  }
  // The vectors that must be orthonormal (columns when tall, else rows), each contiguous.
  const bool tall = rows >= cols;
  const std::int64_t n = tall ? cols : rows, len = tall ? rows : cols;
  std::vector<double> v(w.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      const double x = w[static_cast<std::size_t>(r * cols + c)];
      v[static_cast<std::size_t>(tall ? c * rows + r : r * cols + c)] = x;
    }
  }
  double worst = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double* vi = v.data() + i * len;
    for (std::int64_t j = 0; j <= i; ++j) {
      const double* vj = v.data() + j * len;
      double s2 = 0;
      for (std::int64_t k = 0; k < len; ++k) s2 += vi[k] * vj[k];
      worst = std::max(worst, std::fabs(s2 - (i == j ? gain * gain : 0.0)));
    }
  }
  return worst;
}

void test_orthogonal() {
  wi::reset_default_graph();
  const std::vector<Shape> shapes = {{5, 3}, {3, 5}, {4, 4}, {3, 3, 2, 4}, {200, 70}, {70, 200}, {1, 9}};
  for (const Shape& s : shapes) {
    for (const ElementType dt : kFloats) {
      const double gain = 1.5;
      const wi::Tensor q = wi::Orthogonal(gain, 3)(s, dt);
      const double tol = dt == kF64 ? 1e-12 : dt == kF32 ? 1e-5 : dt == kF16 ? 5e-3 : 4e-2;
      const double err = orthogonality_error(q, gain);
      check(err < tol * gain * gain, "Orthogonal " + show(s) + " " + wi::element_type_name(dt) +
                                         ": orthogonality error " + std::to_string(err));
    }
  }
  check(wi::Orthogonal(1.0, 1)({0, 4}).size() == 0, "Orthogonal: empty shape");
  // A whole-tensor partition is no partition.
  check(same_bytes(wi::Orthogonal(1.0, 2)({6, 4}, kF32, wi::PartitionInfo({6, 4}, {0, 0})),
                   wi::Orthogonal(1.0, 2)({6, 4}, kF32)),
        "Orthogonal accepts the trivial partition");

  // Independent of the thread count; and the speed of the 1024 x 1024 QR.
  const int threads = wi::get_num_threads();
  wi::set_num_threads(1);
  auto t0 = std::chrono::steady_clock::now();
  const wi::Tensor one = wi::Orthogonal(1.0, 5)({1024, 1024}, kF64);
  auto t1 = std::chrono::steady_clock::now();
  wi::set_num_threads(threads);
  const wi::Tensor many = wi::Orthogonal(1.0, 5)({1024, 1024}, kF64);
  auto t2 = std::chrono::steady_clock::now();
  check(same_bytes(one, many), "Orthogonal: 1 thread == " + std::to_string(threads) + " threads");
  const double err = orthogonality_error(many, 1.0);
  check(err < 1e-12, "Orthogonal 1024 x 1024 float64: orthogonality error " + std::to_string(err));
  const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf("Orthogonal 1024x1024 float64: %.0f ms on 1 thread, %.0f ms on %d; max |Q^T Q - I| = %.2e\n",
              ms(t0, t1), ms(t1, t2), threads, err);
}

// A convolution kernel (spatial..., in, out) is an isometry of circular convolutions when its
// transfer function K(z) = sum_s K[s] z^s has orthonormal rows times gain on the unit torus;
// by Parseval then sum_s K[s] K[s]^T = gain^2 I, and at z = 1, K(1) K(1)^T = gain^2 I.
double conv_isometry_error(const wi::Tensor& t, double gain) {
  const Shape& s = t.shape();
  const auto cin = static_cast<std::size_t>(s[s.size() - 2]), cout = static_cast<std::size_t>(s.back());
  const std::size_t taps = t.size() / (cin * cout);
  std::vector<double> k(t.size());
  for (std::size_t i = 0; i < k.size(); ++i) {
    k[i] = t.dtype() == kF64 ? t.data<double>()[i] : static_cast<double>(t.data<float>()[i]);
  }
  std::vector<double> sum_k(cin * cout, 0.0);
  for (std::size_t tap = 0; tap < taps; ++tap) {
    for (std::size_t i = 0; i < cin * cout; ++i) sum_k[i] += k[tap * cin * cout + i];
  }
  double worst = 0;
  for (std::size_t a = 0; a < cin; ++a) {
    for (std::size_t b = 0; b < cin; ++b) {
      double parseval = 0, at_one = 0;
      for (std::size_t tap = 0; tap < taps; ++tap) {
        const double* m = k.data() + tap * cin * cout;
        for (std::size_t j = 0; j < cout; ++j) parseval += m[a * cout + j] * m[b * cout + j];
      }
      for (std::size_t j = 0; j < cout; ++j) at_one += sum_k[a * cout + j] * sum_k[b * cout + j];
      const double want = a == b ? gain * gain : 0.0;
      worst = std::max({worst, std::fabs(parseval - want), std::fabs(at_one - want)});
    }
  }
  return worst;
}

void test_convolution_orthogonal() {
  wi::reset_default_graph();
  const double gain = 1.25;
  struct Case {
    std::shared_ptr<wi::Initializer> init;
    Shape shape;
  };
  const std::vector<Case> cases = {
      {std::make_shared<wi::ConvolutionDeltaOrthogonal>(gain, 1), {3, 4, 6}},
      {std::make_shared<wi::ConvolutionDeltaOrthogonal>(gain, 1), {3, 2, 4, 6}},
      {std::make_shared<wi::ConvolutionDeltaOrthogonal>(gain, 1), {2, 3, 1, 5, 5}},
      {std::make_shared<wi::ConvolutionOrthogonal1D>(gain, 2), {4, 3, 8}},
      {std::make_shared<wi::ConvolutionOrthogonal1D>(gain, 2), {1, 3, 8}},
      {std::make_shared<wi::ConvolutionOrthogonal2D>(gain, 3), {3, 3, 4, 6}},
      {std::make_shared<wi::ConvolutionOrthogonal2D>(gain, 3), {2, 2, 6, 6}},
      {std::make_shared<wi::ConvolutionOrthogonal3D>(gain, 4), {3, 3, 3, 2, 5}},
  };
  for (const Case& c : cases) {
    for (const ElementType dt : {kF64, kF32}) {
      const wi::Tensor k = (*c.init)(c.shape, dt);
      const double err = conv_isometry_error(k, gain);
      check(err < (dt == kF64 ? 1e-12 : 1e-5), std::string(c.init->name()) + " " + show(c.shape) +
                                                   " " + wi::element_type_name(dt) +
                                                   ": isometry error " + std::to_string(err));
      check(same_bytes(k, (*c.init)(c.shape, dt)), std::string(c.init->name()) + ": a seeded instance repeats");
    }
  }
  using wi::ValueError;
  expect_error<ValueError>("ConvolutionDeltaOrthogonal rank", [] { wi::ConvolutionDeltaOrthogonal()({3, 3}, kI32); },
                           "The tensor to initialize must be at least three-dimensional and at most five-dimensional");
  expect_error<ValueError>("ConvolutionOrthogonal2D filters", [] { wi::ConvolutionOrthogonal2D()({3, 3, 8, 4}); },
                           "In_filters cannot be greater than out_filters.");
  expect_error<ValueError>("ConvolutionOrthogonal2D sizes", [] { wi::ConvolutionOrthogonal2D()({3, 2, 4, 4}); },
                           "Kernel sizes must be equal.");
  expect_error<ValueError>("ConvolutionOrthogonal3D rank", [] { wi::ConvolutionOrthogonal3D()({3, 3, 4, 4}); },
                           "The tensor to initialize must be five-dimensional");
  expect_error<wi::TypeError>("ConvolutionOrthogonal1D dtype", [] { wi::ConvolutionOrthogonal1D()({3, 4, 4}, kI64); },
                              "dtype: ConvolutionOrthogonal1D produces floating point values (float16, "
                              "bfloat16, float32, float64), got int64");
}

// --- tests/data/initializers_v2.txt ---------------------------------------------------------

// The library's BLAKE2b (RFC 7693, stream.hpp): unkeyed, an `outlen`-byte digest, as hex.
std::string blake2b_hex(const unsigned char* data, std::size_t n, std::size_t outlen) {
  unsigned char digest[64];
  wi::detail::blake2b(data, n, digest, outlen);
  std::string out;
  char buf[3];
  for (std::size_t i = 0; i < outlen; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(digest[i]));
    out += buf;
  }
  return out;
}

void test_blake2b() {
  // Known answers from Python's hashlib.blake2b(data, digest_size=8).
  const std::string abc = "abc";
  std::vector<unsigned char> ramp(300);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<unsigned char>(i % 256);
  check(blake2b_hex(nullptr, 0, 8) == "e4a6a0577479b2b4", "BLAKE2b-64 of nothing");
  check(blake2b_hex(reinterpret_cast<const unsigned char*>(abc.data()), 3, 8) == "d8bb14d833d59559",
        "BLAKE2b-64 of abc");
  check(blake2b_hex(ramp.data(), 128, 8) == "c2d13df1b6617e82", "BLAKE2b-64 of one full block");
  check(blake2b_hex(ramp.data(), 300, 8) == "d325a9e186fa61cc", "BLAKE2b-64 of three blocks");
}

// One value of the file's INITIALIZER field: an int, a double, a name or a list.
struct Value {
  enum class Kind { kInt, kDouble, kName, kList } kind = Kind::kName;
  std::int64_t i = 0;
  double d = 0;
  std::string name;
  std::vector<wi::Number> list;
  wi::Number number() const { return kind == Kind::kInt ? wi::Number(i) : wi::Number(d); }
  double real() const { return kind == Kind::kInt ? static_cast<double>(i) : d; }
};

Value parse_value(const std::string& text) {
  Value v;
  if (!text.empty() && text[0] == '[') {
    v.kind = Value::Kind::kList;
    std::stringstream s(text.substr(1, text.size() - 2));
    std::string item;
    while (std::getline(s, item, ';')) v.list.push_back(parse_value(item).number());
    return v;
  }
  const std::size_t digits = text[0] == '-' ? 1 : 0;
  if (text.size() > digits && text.find_first_not_of("0123456789", digits) == std::string::npos) {
    v.kind = Value::Kind::kInt;
    v.i = std::stoll(text);
    return v;
  }
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (end == text.c_str() + text.size()) {
    v.kind = Value::Kind::kDouble;
    v.d = d;
    return v;
  }
  v.name = text;
  return v;
}

Shape parse_dims(const std::string& text) {  // "[3,4]"
  Shape out;
  std::stringstream s(text.substr(1, text.size() - 2));
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(std::stoll(item));
  return out;
}

ElementType parse_dtype(const std::string& name) {
  for (const ElementType t : {kF32, kF64, kF16, kBF16, kI32, kI64}) {
    if (name == wi::element_type_name(t)) return t;
  }
  throw std::runtime_error("unknown dtype " + name);
}

// The C++ initializer a case names, with its keyword arguments (an unknown one is an error,
// so that the file and this reader stay in step).
std::shared_ptr<wi::Initializer> make_initializer(const std::string& name,
                                                  std::map<std::string, Value> args) {
  auto take = [&args](const char* key) -> std::optional<Value> {
    auto it = args.find(key);
    if (it == args.end()) return std::nullopt;
    Value v = it->second;
    args.erase(it);
    return v;
  };
  auto real = [&](const char* key, double fallback) {
    const std::optional<Value> v = take(key);
    return v ? v->real() : fallback;
  };
  auto text = [&](const char* key, const char* fallback) {
    const std::optional<Value> v = take(key);
    return v ? v->name : std::string(fallback);
  };
  std::optional<std::int64_t> seed;
  if (const std::optional<Value> v = take("seed")) seed = v->i;
  std::shared_ptr<wi::Initializer> out;
  if (name == "RandomUniform") {
    const std::optional<Value> low = take("minval"), high = take("maxval");
    std::optional<wi::Number> maxval;
    if (high) maxval = high->number();
    out = std::make_shared<wi::RandomUniform>(low ? low->number() : wi::Number(0), maxval, seed);
  } else if (name == "RandomNormal" || name == "TruncatedNormal") {
    const double mean = real("mean", 0.0), stddev = real("stddev", 1.0);
    if (name == "RandomNormal") {
      out = std::make_shared<wi::RandomNormal>(mean, stddev, seed);
    } else {
      out = std::make_shared<wi::TruncatedNormal>(mean, stddev, seed);
    }
  } else if (name == "UniformUnitScaling") {
    out = std::make_shared<wi::UniformUnitScaling>(real("factor", 1.0), seed);
  } else if (name == "VarianceScaling") {
    const double scale = real("scale", 1.0);
    const std::string mode = text("mode", "fan_in");
    out = std::make_shared<wi::VarianceScaling>(scale, mode, text("distribution", "truncated_normal"), seed);
  } else if (name == "GlorotUniform") {
    out = std::make_shared<wi::GlorotUniform>(seed);
  } else if (name == "GlorotNormal") {
    out = std::make_shared<wi::GlorotNormal>(seed);
  } else if (name == "lecun_normal") {
    out = std::make_shared<wi::VarianceScaling>(wi::lecun_normal(seed));
  } else if (name == "lecun_uniform") {
    out = std::make_shared<wi::VarianceScaling>(wi::lecun_uniform(seed));
  } else if (name == "he_normal") {
    out = std::make_shared<wi::VarianceScaling>(wi::he_normal(seed));
  } else if (name == "he_uniform") {
    out = std::make_shared<wi::VarianceScaling>(wi::he_uniform(seed));
  } else if (name == "Orthogonal") {
    out = std::make_shared<wi::Orthogonal>(real("gain", 1.0), seed);
  } else if (name == "ConvolutionDeltaOrthogonal") {
    out = std::make_shared<wi::ConvolutionDeltaOrthogonal>(real("gain", 1.0), seed);
  } else if (name == "ConvolutionOrthogonal1D") {
    out = std::make_shared<wi::ConvolutionOrthogonal1D>(real("gain", 1.0), seed);
  } else if (name == "ConvolutionOrthogonal2D") {
    out = std::make_shared<wi::ConvolutionOrthogonal2D>(real("gain", 1.0), seed);
  } else if (name == "ConvolutionOrthogonal3D") {
    out = std::make_shared<wi::ConvolutionOrthogonal3D>(real("gain", 1.0), seed);
  } else if (name == "Identity") {
    out = std::make_shared<wi::Identity>(real("gain", 1.0));
  } else if (name == "Zeros") {
    out = std::make_shared<wi::Zeros>();
  } else if (name == "Ones") {
    out = std::make_shared<wi::Ones>();
  } else if (name == "Constant") {
    const std::optional<Value> v = take("value");
    if (v && v->kind == Value::Kind::kList) {
      out = std::make_shared<wi::Constant>(v->list);
    } else {
      out = std::make_shared<wi::Constant>(v ? v->number() : wi::Number(0));
    }
  } else {
    throw std::runtime_error("unknown initializer " + name);
  }
  if (!args.empty()) throw std::runtime_error("unknown argument " + args.begin()->first + " of " + name);
  return out;
}

// What the file says of an output: "bits:HEX" (at most 16 bytes) or "blake2b:HEX".
std::string result_of(const wi::Tensor& t) {
  const auto* bytes = static_cast<const unsigned char*>(t.data());
  if (t.nbytes() > 16) return "blake2b:" + blake2b_hex(bytes, t.nbytes(), 8);
  std::string out = "bits:";
  char buf[3];
  for (std::size_t i = 0; i < t.nbytes(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(bytes[i]));
    out += buf;
  }
  return out;
}

void test_golden_file(const std::string& dir) {
  std::ifstream in(dir + "/initializers_v2.txt");
  check(in.good(), "open " + dir + "/initializers_v2.txt");
  std::string line;
  int cases = 0, shown = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++cases;
    std::istringstream fields(line);
    std::string init, graph, shape, dtype, part, want;
    fields >> init >> graph >> shape >> dtype >> part >> want;
    try {
      if (graph == "-") {
        wi::reset_default_graph();
      } else {
        wi::set_random_seed(std::stoll(graph));
      }
      const std::size_t open = init.find('(');
      std::map<std::string, Value> args;
      std::stringstream list(init.substr(open + 1, init.size() - open - 2));
      std::string arg;
      while (std::getline(list, arg, ',')) {
        const std::size_t eq = arg.find('=');
        args[arg.substr(0, eq)] = parse_value(arg.substr(eq + 1));
      }
      const auto initializer = make_initializer(init.substr(0, open), args);
      std::optional<wi::PartitionInfo> info;
      if (part != "-") {
        const std::size_t at = part.find('@');
        info.emplace(parse_dims(part.substr(0, at)), parse_dims(part.substr(at + 1)));
      }
      const std::string got = result_of((*initializer)(parse_dims(shape), parse_dtype(dtype), info));
      const bool ok = got == want;
      if (!ok && shown++ < 20) check(false, "initializers_v2.txt: " + line + ": C++ gives " + got);
      if (ok) check(true, "");
    } catch (const std::exception& e) {
      check(false, "initializers_v2.txt: " + line + ": " + e.what());
    }
  }
  wi::reset_default_graph();
  check(cases >= 1300, "initializers_v2.txt has " + std::to_string(cases) + " cases");
  std::printf("initializers_v2.txt: %d cases\n", cases);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "tests/data";
  test_half_conversions();
  test_seeds();
  test_values();
  test_partitions();
  test_errors();
  test_constant_layout();
  test_scoped_key_stream();
  test_orthogonal();
  test_convolution_orthogonal();
  test_blake2b();
  test_golden_file(dir);
  return testing::report();
}
