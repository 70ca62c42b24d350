// SPDX-License-Identifier: BSD-3-Clause
// ctest for initializers.hpp; with --write DIR, also the cases tests/test_cpp_api.py replays.
//
//   test_initializers               self-checks: seeds, errors and their messages, partitions
//                                   equal to slices, Orthogonal's orthogonality and speed
//   test_initializers --write DIR   the same, then DIR/manifest.jsonl + DIR/NNN.bin: one line
//                                   per step (set_random_seed, or one call of one initializer
//                                   with its output bytes or its exception), which the Python
//                                   test replays through weightinit.tf1 and compares bit for bit
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace {

namespace wi = weightinit;
using wi::ElementType;
using wi::Shape;

constexpr ElementType kF32 = ElementType::kFloat32;
constexpr ElementType kF64 = ElementType::kFloat64;
constexpr ElementType kF16 = ElementType::kFloat16;
constexpr ElementType kBF16 = ElementType::kBFloat16;
constexpr ElementType kI32 = ElementType::kInt32;
constexpr ElementType kI64 = ElementType::kInt64;
constexpr ElementType kFloats[] = {kF32, kF64, kF16, kBF16};

int g_failures = 0;
int g_checks = 0;

void check(bool ok, const std::string& what) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

std::string show(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + ")";
}

// The exception `fn` throws must be E (ValueError or TypeError) with exactly `message`.
template <class E>
void expect_error(const std::string& what, const std::function<void()>& fn, const std::string& message) {
  try {
    fn();
  } catch (const E& e) {
    check(e.what() == message, what + ": message\n  got:  " + e.what() + "\n  want: " + message);
    return;
  } catch (const std::exception& e) {
    check(false, what + ": wrong exception type, message " + e.what());
    return;
  }
  check(false, what + ": no exception");
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
  expect_error<ValueError>("RandomNormal(dtype=int32)", [] { wi::RandomNormal(0, 1, 1, kI32); },
                           "Expected floating point type, got int32.");
  expect_error<TypeError>("RandomNormal call int64", [] { wi::RandomNormal()({2}, kI64); },
                          "dtype: RandomNormal" + floats + "int64");
  expect_error<TypeError>("GlorotUniform call int32", [] { wi::GlorotUniform()({2, 2}, kI32); },
                          "dtype: GlorotUniform" + floats + "int32");
  expect_error<TypeError>("lecun_normal call int32", [] { wi::lecun_normal()({2, 2}, kI32); },
                          "dtype: VarianceScaling" + floats + "int32");
  expect_error<ValueError>("RandomUniform int without maxval", [] { wi::RandomUniform(0, std::nullopt, 1, kI32)({2}); },
                           "Must specify maxval for integer dtype int32");
  expect_error<TypeError>("RandomUniform int, float minval", [] { wi::RandomUniform(0.5, 3, 1)({2}, kI32); },
                          "minval: Expected int32, but got 0.5 of type 'float'.");
  expect_error<TypeError>("RandomUniform int, float maxval", [] { wi::RandomUniform(0, 1e-5, 1)({2}, kI64); },
                          "maxval: Expected int64, but got 1e-05 of type 'float'.");
  expect_error<ValueError>("RandomUniform int32 range", [] { wi::RandomUniform(0, std::int64_t{1} << 40, 1)({2}, kI32); },
                           "maxval: 1099511627776 is out of range for int32");
  expect_error<ValueError>("RandomUniform minval >= maxval", [] { wi::RandomUniform(5, 5, 1)({2}, kI32); },
                           "Need minval < maxval, got 5 >= 5");
  expect_error<ValueError>("RandomUniform inf", [] { wi::RandomUniform(HUGE_VAL, 1, 1)({2}); },
                           "minval: must be finite, got inf");
  expect_error<ValueError>("RandomUniform float32 range", [] { wi::RandomUniform(-1e300, 1, 1)({2}); },
                           "low, high: [-1.0000000000000001e+300, 1) is outside the float32 range "
                           "[-3.4028234663852886e+38, 3.4028234663852886e+38]");
  expect_error<ValueError>("RandomNormal nan stddev", [] { wi::RandomNormal(0, std::nan(""), 1)({2}); },
                           "stddev: must be finite, got nan");
  expect_error<ValueError>("VarianceScaling scale 0", [] { wi::VarianceScaling(0.0); },
                           "`scale` must be positive float.");
  expect_error<ValueError>("VarianceScaling mode", [] { wi::VarianceScaling(1.0, "FAN_IN"); },
                           "Invalid `mode` argument: 'FAN_IN' (expected one of ('fan_in', 'fan_out', 'fan_avg'))");
  expect_error<ValueError>("VarianceScaling mode with a quote", [] { wi::VarianceScaling(1.0, "it's"); },
                           "Invalid `mode` argument: \"it's\" (expected one of ('fan_in', 'fan_out', 'fan_avg'))");
  expect_error<ValueError>("VarianceScaling distribution", [] { wi::VarianceScaling(1.0, "fan_in", "Gaussian"); },
                           "Invalid `distribution` argument: 'Gaussian' (expected one of ('normal', "
                           "'uniform', 'truncated_normal', 'untruncated_normal'))");
  expect_error<ValueError>("VarianceScaling dtype", [] { wi::VarianceScaling(1.0, "fan_in", "uniform", 1, kI32); },
                           "Expected floating point type, got int32.");
  expect_error<ValueError>("VarianceScaling scale inf", [] { wi::VarianceScaling(HUGE_VAL, "fan_in", "normal", 1)({3, 4}); },
                           "stddev: must be finite and > 0, got inf");
  expect_error<ValueError>("UniformUnitScaling factor", [] { wi::UniformUnitScaling(HUGE_VAL, 1)({3, 4}); },
                           "factor: must be finite, got inf");
  expect_error<ValueError>("Identity rank 3", [] { wi::Identity()({3, 4, 5}); },
                           "Identity matrix initializer can only be used for 2D matrices.");
  expect_error<ValueError>("Orthogonal rank 1", [] { wi::Orthogonal()({5}); },
                           "The tensor to initialize must be at least two-dimensional");
  expect_error<ValueError>("Orthogonal partition", [] { wi::Orthogonal(1.0, 1)({2, 3}, kF32, wi::PartitionInfo({4, 3}, {2, 0})); },
                           "Orthogonal: partitioned variables are not supported: orthogonality is a "
                           "property of the whole matrix, and a partition of shape [2, 3] of full_shape "
                           "[4, 3] cannot be drawn on its own (TF would make each partition orthogonal "
                           "by itself). Initialize the full shape and split the result instead.");
  expect_error<ValueError>("Constant too many", [] { wi::Constant({0, 1, 2, 3, 4, 5, 6, 7})({2, 3}); },
                           "Too many elements provided. Needed at most 6, but received 8");
  expect_error<TypeError>("Constant verify_shape", [] { wi::Constant({1, 2, 3}, kF32, true)({3, 1}); },
                          "Expected Tensor's shape: (3, 1), got (3,).");
  expect_error<TypeError>("Constant verify_shape at call", [] { wi::Constant(1)({2}, kF32, std::nullopt, true); },
                          "Expected Tensor's shape: (2,), got ().");
  expect_error<TypeError>("Constant float into int32", [] { wi::Constant({1, 2.5}, kI32)({2}); },
                          "Expected int32, but got 2.5 of type 'float'.");
  expect_error<ValueError>("Constant out of range", [] { wi::Constant({-1, std::int64_t{1} << 40}, kI32)({2}); },
                           "value: 1099511627776 is out of range for int32");
  expect_error<ValueError>("PartitionInfo lengths", [] { wi::PartitionInfo({4, 6}, {0}); },
                           "Expected equal length, but `var_offset` is of length 1 while full_shape is of length 2.");
  expect_error<ValueError>("PartitionInfo offset", [] { wi::PartitionInfo({4, 6}, {4, 0}); },
                           "Expected 0 <= offset < shape but found offset=4, shape=4 for var_offset=[4, 0], full_shape=[4, 6]");
  expect_error<ValueError>("partition exceeds", [] { wi::RandomNormal(0, 1, 1)({3, 6}, kF32, wi::PartitionInfo({4, 6}, {2, 0})); },
                           "partition_info: with var_offset=[2, 0], a partition of shape [3, 6] would "
                           "exceed full_shape=[4, 6] in dimension 0");
  expect_error<ValueError>("partition rank", [] { wi::RandomNormal(0, 1, 1)({3}, kF32, wi::PartitionInfo({4, 6}, {0, 0})); },
                           "partition_info: a partition of shape [3] (rank 1) cannot lie in full_shape [4, 6] (rank 2)");
  expect_error<ValueError>("single_slice_dim", [] { wi::PartitionInfo({4, 6, 8}, {0, 0, 0}).single_slice_dim({2, 3, 8}); },
                           "Cannot use single_slice_dim() with shape=[2, 3, 8] and full_shape=[4, 6, 8] "
                           "since the slice dim could be any of dimensions [0, 1].");
  expect_error<ValueError>("negative shape", [] { wi::Zeros()({3, -1}); },
                           "shape: dimensions must be non-negative, got (3, -1)");
  expect_error<ValueError>("huge shape", [] { wi::RandomNormal()({std::int64_t{1} << 32, std::int64_t{1} << 31}); },
                           "shape: (4294967296, 2147483648) has more than 2**63 elements");
  // The dtype check comes before the shape check, as in Python.
  expect_error<TypeError>("dtype before shape", [] { wi::Orthogonal()({-1}, kI32); },
                          "dtype: Orthogonal" + floats + "int32");
  // Empty shapes draw nothing and so raise nothing from the fill layer (as in Python).
  check(wi::RandomUniform(-1e300, 1, 1)({0, 3}).size() == 0, "empty shape: no fill-layer error");
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

// --- the cases for tests/test_cpp_api.py ----------------------------------------------------

// JSON text of values. Non-finite doubles use Python json's Infinity / NaN tokens.
std::string jnum(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s(buf);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";  // stays a float in Python
  return s;
}
std::string jint(long long v) { return std::to_string(v); }
std::string jstr(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(ch));
      out += buf;
      continue;
    }
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}
std::string jshape(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

using Kwargs = std::vector<std::pair<std::string, std::string>>;
using Factory = std::function<std::shared_ptr<wi::Initializer>()>;

struct Ctor {
  std::string json;
  Factory make;
};

// A constructor call in both languages: Python's class (or function) and keyword arguments,
// and the C++ factory that must mean the same.
Ctor ctor(const std::string& cls, const Kwargs& kwargs, Factory make) {
  std::string json = "{\"class\": " + jstr(cls) + ", \"kwargs\": {";
  for (std::size_t i = 0; i < kwargs.size(); ++i) {
    json += (i ? ", " : "") + jstr(kwargs[i].first) + ": " + kwargs[i].second;
  }
  return {json + "}}", std::move(make)};
}

template <class T, class... Args>
Factory make(Args... args) {
  return [=] { return std::make_shared<T>(args...); };
}

struct Partition {
  Shape full;
  Shape offset;
};

class CaseWriter {
 public:
  explicit CaseWriter(const std::string& dir) : dir_(dir), manifest_(dir + "/manifest.jsonl") {}
  bool good() const { return manifest_.good(); }

  void set_random_seed(std::optional<std::int64_t> seed) {
    wi::set_random_seed(seed);
    manifest_ << "{\"op\": \"set_random_seed\", \"seed\": " << (seed ? jint(*seed) : "null") << "}\n";
  }

  // One call of instance `id` (constructed from `c` on first use); the output bytes or the
  // exception go to the manifest. compare: "bits" or "close" (Orthogonal, to 1e-5).
  void call(const std::string& id, const Ctor& c, const Shape& shape, std::optional<ElementType> dtype,
            std::optional<Partition> partition = std::nullopt, std::optional<bool> verify_shape = std::nullopt,
            const char* compare = "bits") {
    std::string line = "{\"op\": \"call\", \"instance\": " + jstr(id) + ", \"ctor\": " + c.json +
                       ", \"shape\": " + jshape(shape) + ", \"dtype\": " +
                       (dtype ? jstr(wi::element_type_name(*dtype)) : "null") + ", \"partition\": " +
                       (partition ? "{\"full_shape\": " + jshape(partition->full) +
                                        ", \"var_offset\": " + jshape(partition->offset) + "}"
                                  : "null") +
                       ", \"verify_shape\": " + (verify_shape ? (*verify_shape ? "true" : "false") : "null") +
                       ", \"compare\": " + jstr(compare);
    try {
      auto it = instances_.find(id);
      if (it == instances_.end()) it = instances_.emplace(id, c.make()).first;
      std::optional<wi::PartitionInfo> info;
      if (partition) info.emplace(partition->full, partition->offset);
      wi::Tensor out;
      if (verify_shape) {
        out = dynamic_cast<const wi::Constant&>(*it->second)(shape, dtype, info, *verify_shape);
      } else {
        out = (*it->second)(shape, dtype, info);
      }
      char name[32];
      std::snprintf(name, sizeof name, "%04d.bin", files_++);
      std::ofstream bin(dir_ + "/" + name, std::ios::binary);
      bin.write(static_cast<const char*>(out.data()), static_cast<std::streamsize>(out.nbytes()));
      check(bin.good(), std::string("write ") + name);
      line += ", \"out_dtype\": " + jstr(wi::element_type_name(out.dtype())) + ", \"file\": " + jstr(name);
    } catch (const wi::ValueError& e) {
      line += ", \"error\": {\"type\": \"ValueError\", \"message\": " + jstr(e.what()) + "}";
    } catch (const wi::TypeError& e) {
      line += ", \"error\": {\"type\": \"TypeError\", \"message\": " + jstr(e.what()) + "}";
    }
    manifest_ << line << "}\n";
  }

 private:
  std::string dir_;
  std::ofstream manifest_;
  std::map<std::string, std::shared_ptr<wi::Initializer>> instances_;
  int files_ = 0;
};

const char* py_name(ElementType t) { return wi::element_type_name(t); }

void write_cases(const std::string& dir) {
  CaseWriter w(dir);
  if (!w.good()) {
    check(false, "cannot write " + dir + "/manifest.jsonl (the directory must exist)");
    return;
  }
  const std::vector<std::optional<ElementType>> all_floats = {std::nullopt, kF64, kF16, kBF16};
  const std::vector<Shape> shapes = {{}, {7}, {3, 5}, {100, 37}, {3, 3, 16, 8}};
  int n = 0;
  auto id = [&n] { return "i" + std::to_string(n++); };

  w.set_random_seed(11);
  // The golden case of the spec's section 6, in weightinit's stream.
  w.call(id(), ctor("GlorotUniform", {{"seed", "7"}}, make<wi::GlorotUniform>(std::optional<std::int64_t>(7))), {3, 5}, std::nullopt);

  // Every random class, every float dtype, shapes of rank 0 to 4.
  for (const Shape& s : shapes) {
    for (const auto& dt : all_floats) {
      w.call(id(), ctor("RandomUniform", {{"minval", jnum(-0.05)}, {"maxval", jnum(0.05)}, {"seed", "1"}},
                        make<wi::RandomUniform>(wi::Number(-0.05), std::optional<wi::Number>(0.05), std::optional<std::int64_t>(1))),
             s, dt);
      w.call(id(), ctor("RandomUniform", {{"seed", "2"}}, make<wi::RandomUniform>(wi::Number(0), std::optional<wi::Number>(), std::optional<std::int64_t>(2))), s, dt);
      w.call(id(), ctor("RandomNormal", {{"mean", jnum(0.5)}, {"stddev", jnum(2.0)}, {"seed", "3"}},
                        make<wi::RandomNormal>(0.5, 2.0, std::optional<std::int64_t>(3))),
             s, dt);
      w.call(id(), ctor("TruncatedNormal", {{"mean", jnum(-1.0)}, {"stddev", jnum(0.3)}, {"seed", "4"}},
                        make<wi::TruncatedNormal>(-1.0, 0.3, std::optional<std::int64_t>(4))),
             s, dt);
      w.call(id(), ctor("UniformUnitScaling", {{"factor", jnum(1.43)}, {"seed", "5"}},
                        make<wi::UniformUnitScaling>(1.43, std::optional<std::int64_t>(5))),
             s, dt);
      for (const char* mode : {"fan_in", "fan_out", "fan_avg"}) {
        for (const char* dist : {"truncated_normal", "normal", "untruncated_normal", "uniform", "Uniform"}) {
          const std::string m = mode, d = dist;
          w.call(id(), ctor("VarianceScaling", {{"scale", jnum(0.3)}, {"mode", jstr(m)}, {"distribution", jstr(d)}, {"seed", "6"}},
                            [m, d] { return std::make_shared<wi::VarianceScaling>(0.3, m, d, 6); }),
                 s, dt);
        }
      }
      w.call(id(), ctor("GlorotUniform", {{"seed", "8"}}, make<wi::GlorotUniform>(std::optional<std::int64_t>(8))), s, dt);
      w.call(id(), ctor("GlorotNormal", {{"seed", "9"}}, make<wi::GlorotNormal>(std::optional<std::int64_t>(9))), s, dt);
      w.call(id(), ctor("lecun_normal", {{"seed", "10"}}, [] { return std::make_shared<wi::VarianceScaling>(wi::lecun_normal(10)); }), s, dt);
      w.call(id(), ctor("lecun_uniform", {{"seed", "11"}}, [] { return std::make_shared<wi::VarianceScaling>(wi::lecun_uniform(11)); }), s, dt);
      w.call(id(), ctor("he_normal", {{"seed", "12"}}, [] { return std::make_shared<wi::VarianceScaling>(wi::he_normal(12)); }), s, dt);
      w.call(id(), ctor("he_uniform", {{"seed", "13"}}, [] { return std::make_shared<wi::VarianceScaling>(wi::he_uniform(13)); }), s, dt);
      w.call(id(), ctor("Zeros", {}, make<wi::Zeros>()), s, dt);
      w.call(id(), ctor("Ones", {}, make<wi::Ones>()), s, dt);
    }
    for (const ElementType dt : {kI32, kI64}) {
      w.call(id(), ctor("RandomUniform", {{"minval", "-3"}, {"maxval", "9"}, {"seed", "14"}},
                        make<wi::RandomUniform>(wi::Number(-3), std::optional<wi::Number>(9), std::optional<std::int64_t>(14))),
             s, dt);
      w.call(id(), ctor("Zeros", {{"dtype", jstr(py_name(dt))}}, make<wi::Zeros>(dt)), s, std::nullopt);
      w.call(id(), ctor("Ones", {{"dtype", jstr(py_name(dt))}}, make<wi::Ones>(dt)), s, std::nullopt);
    }
  }

  // Constructor dtypes; parameter corners: mirrored and degenerate draws, wide integer ranges.
  for (const ElementType dt : {kF64, kF16, kBF16}) {
    w.call(id(), ctor("RandomNormal", {{"seed", "15"}, {"dtype", jstr(py_name(dt))}},
                      make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(15), dt)),
           {50, 3}, std::nullopt);
    w.call(id(), ctor("VarianceScaling", {{"scale", jnum(2.0)}, {"seed", "16"}, {"dtype", jstr(py_name(dt))}},
                      make<wi::VarianceScaling>(2.0, std::string("fan_in"), std::string("truncated_normal"), std::optional<std::int64_t>(16), dt)),
           {50, 3}, std::nullopt);
  }
  const Shape m = {33, 65};
  for (const auto& dt : all_floats) {
    w.call(id(), ctor("RandomUniform", {{"minval", jnum(3.0)}, {"maxval", jnum(-2.0)}, {"seed", "17"}},
                      make<wi::RandomUniform>(wi::Number(3.0), std::optional<wi::Number>(-2.0), std::optional<std::int64_t>(17))), m, dt);
    w.call(id(), ctor("RandomUniform", {{"minval", jnum(0.1)}, {"maxval", jnum(0.1)}, {"seed", "18"}},
                      make<wi::RandomUniform>(wi::Number(0.1), std::optional<wi::Number>(0.1), std::optional<std::int64_t>(18))), m, dt);
    // Bounds equal in float32 but not in double: float64 draws, the others are constant.
    w.call(id(), ctor("RandomUniform", {{"minval", jnum(1.0)}, {"maxval", jnum(1.0 + 1e-12)}, {"seed", "19"}},
                      make<wi::RandomUniform>(wi::Number(1.0), std::optional<wi::Number>(1.0 + 1e-12), std::optional<std::int64_t>(19))), m, dt);
    w.call(id(), ctor("RandomUniform", {{"minval", "-2"}, {"maxval", "5"}, {"seed", "20"}},
                      make<wi::RandomUniform>(wi::Number(-2), std::optional<wi::Number>(5), std::optional<std::int64_t>(20))), m, dt);
    w.call(id(), ctor("RandomNormal", {{"mean", jnum(0.25)}, {"stddev", jnum(-2.0)}, {"seed", "21"}},
                      make<wi::RandomNormal>(0.25, -2.0, std::optional<std::int64_t>(21))), m, dt);
    w.call(id(), ctor("TruncatedNormal", {{"mean", jnum(0.25)}, {"stddev", jnum(-2.0)}, {"seed", "22"}},
                      make<wi::TruncatedNormal>(0.25, -2.0, std::optional<std::int64_t>(22))), m, dt);
    w.call(id(), ctor("RandomNormal", {{"mean", jnum(1.0 / 3)}, {"stddev", jnum(0.0)}, {"seed", "23"}},
                      make<wi::RandomNormal>(1.0 / 3, 0.0, std::optional<std::int64_t>(23))), m, dt);
    for (const double factor : {0.0, -1.5}) {
      w.call(id(), ctor("UniformUnitScaling", {{"factor", jnum(factor)}, {"seed", "24"}},
                        make<wi::UniformUnitScaling>(factor, std::optional<std::int64_t>(24))), m, dt);
    }
    // A gain whose float16 / bfloat16 rounding tells direct from double rounding.
    const double gain = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30);
    w.call(id(), ctor("Identity", {{"gain", jnum(gain)}}, make<wi::Identity>(gain)), {4, 7}, dt);
    w.call(id(), ctor("Identity", {{"gain", jnum(-2.5)}}, make<wi::Identity>(-2.5)), {7, 4}, dt);
    w.call(id(), ctor("Constant", {{"value", "[0, 1, 2, 3, 4, 5, 6, 7]"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{0, 1, 2, 3, 4, 5, 6, 7}); }), {3, 4}, dt);
    w.call(id(), ctor("Constant", {{"value", "[1, 2.5, " + jnum(gain) + ", 100000.0, 1e-08]"}},
                      [gain] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{1, 2.5, gain, 100000.0, 1e-8}); }),
           {2, 3}, dt);
    w.call(id(), ctor("Constant", {{"value", jnum(0.1)}}, [] { return std::make_shared<wi::Constant>(0.1); }), {2, 2}, dt);
    w.call(id(), ctor("Constant", {{"value", "[]"}}, [] { return std::make_shared<wi::Constant>(std::vector<wi::Number>{}); }), {3}, dt);
    w.call(id(), ctor("Constant", {{"value", "16777217"}}, [] { return std::make_shared<wi::Constant>(16777217); }), {2}, dt);
    // 2^62 + 2^38 + 1 rounds to float32 differently from an int64 array (once) and from a
    // float64 array (twice, as NumPy builds for a list holding 2^63).
    const std::int64_t odd = (std::int64_t{1} << 62) + (std::int64_t{1} << 38) + 1;
    w.call(id(), ctor("Constant", {{"value", "[" + jint(odd) + "]"}}, [odd] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{odd}); }), {1}, dt);
    w.call(id(), ctor("Constant", {{"value", "[" + jint(odd) + ", 9223372036854775808]"}},
                      [odd] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{odd, std::uint64_t{1} << 63}); }),
           {2}, dt);
  }
  const std::int64_t big = std::int64_t{1} << 62;
  for (const auto& [lo, hi, dt] : {std::make_tuple(std::int64_t{-2147483647} - 1, std::int64_t{2147483647}, kI32),
                                   std::make_tuple(std::int64_t{-5}, std::int64_t{1} << 40, kI64),
                                   std::make_tuple(-big, big, kI64), std::make_tuple(std::int64_t{7}, std::int64_t{8}, kI32)}) {
    w.call(id(), ctor("RandomUniform", {{"minval", jint(lo)}, {"maxval", jint(hi)}, {"seed", "25"}},
                      make<wi::RandomUniform>(wi::Number(lo), std::optional<wi::Number>(hi), std::optional<std::int64_t>(25))),
           {40, 9}, dt);
  }
  w.call(id(), ctor("Constant", {{"value", "[0, 1, 2, 3, 4, 5, 6, 7]"}, {"dtype", "\"int64\""}},
                    [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{0, 1, 2, 3, 4, 5, 6, 7}, kI64); }),
         {3, 4}, std::nullopt);
  w.call(id(), ctor("Constant", {{"value", "[-7, 2147483647]"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{-7, 2147483647}); }),
         {3}, kI32);

  // Seeds: no graph seed (op seed with the default graph seed), negative seeds, the (0, 0)
  // pair, and automatic op seeds counted across calls of unseeded instances.
  w.set_random_seed(std::nullopt);
  w.call(id(), ctor("RandomNormal", {{"seed", "5"}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(5))), {10, 10}, std::nullopt);
  w.call(id(), ctor("RandomNormal", {{"seed", "-5"}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(-5))), {10, 10}, std::nullopt);
  w.set_random_seed(-3);
  w.call(id(), ctor("GlorotNormal", {{"seed", "2147483647"}}, make<wi::GlorotNormal>(std::optional<std::int64_t>(2147483647))), {10, 10}, std::nullopt);
  w.set_random_seed(0);
  w.call(id(), ctor("GlorotNormal", {{"seed", "0"}}, make<wi::GlorotNormal>(std::optional<std::int64_t>(0))), {10, 10}, std::nullopt);
  w.set_random_seed(7);
  const Ctor unseeded = ctor("GlorotUniform", {}, make<wi::GlorotUniform>());
  w.call("unseeded", unseeded, {5, 4}, std::nullopt);
  w.call("unseeded", unseeded, {5, 4}, std::nullopt);
  w.call(id(), ctor("RandomUniform", {{"seed", "3"}}, make<wi::RandomUniform>(wi::Number(0), std::optional<wi::Number>(), std::optional<std::int64_t>(3))), {5, 4}, std::nullopt);
  w.call(id(), ctor("RandomNormal", {}, make<wi::RandomNormal>()), {5, 4}, kF64);
  w.call("unseeded", unseeded, {5, 4}, kF16);

  // Partitions: boxes of the whole, fans from the full shape; unseeded partitions share the
  // op seed drawn at offset zero.
  w.set_random_seed(11);
  const Shape full = {10, 7, 9};
  const std::vector<Partition> parts = {{full, {0, 0, 0}}, {full, {4, 0, 0}}, {full, {0, 3, 0}}, {full, {0, 0, 5}}};
  const std::vector<Shape> part_shapes = {{4, 7, 9}, {6, 7, 9}, {10, 4, 9}, {10, 7, 4}};
  for (const auto& dt : all_floats) {
    const std::vector<Ctor> partitioned = {
        ctor("RandomUniform", {{"minval", jnum(-1.0)}, {"seed", "30"}}, make<wi::RandomUniform>(wi::Number(-1.0), std::optional<wi::Number>(), std::optional<std::int64_t>(30))),
        ctor("RandomNormal", {{"seed", "31"}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(31))),
        ctor("TruncatedNormal", {{"seed", "32"}}, make<wi::TruncatedNormal>(0.0, 1.0, std::optional<std::int64_t>(32))),
        ctor("VarianceScaling", {{"mode", "\"fan_avg\""}, {"distribution", "\"uniform\""}, {"seed", "33"}},
             make<wi::VarianceScaling>(1.0, std::string("fan_avg"), std::string("uniform"), std::optional<std::int64_t>(33))),
        ctor("he_normal", {{"seed", "34"}}, [] { return std::make_shared<wi::VarianceScaling>(wi::he_normal(34)); }),
        ctor("UniformUnitScaling", {{"seed", "35"}}, make<wi::UniformUnitScaling>(1.0, std::optional<std::int64_t>(35))),
        ctor("Identity", {}, make<wi::Identity>()),
        ctor("GlorotNormal", {}, make<wi::GlorotNormal>()),  // unseeded: the shared op seed
    };
    for (const Ctor& c : partitioned) {
      const std::string inst = id();
      for (std::size_t p = 0; p < parts.size(); ++p) {
        // Identity needs 2-D: its partitions are of the (10, 7) matrix.
        if (c.json.find("Identity") != std::string::npos) {
          Partition two{{10, 7}, {parts[p].offset[0], parts[p].offset[1]}};
          w.call(inst, c, {part_shapes[p][0], part_shapes[p][1]}, dt, two);
        } else {
          w.call(inst, c, part_shapes[p], dt, parts[p]);
        }
      }
    }
  }
  w.call(id(), ctor("RandomUniform", {{"minval", "-3"}, {"maxval", "9"}, {"seed", "36"}},
                    make<wi::RandomUniform>(wi::Number(-3), std::optional<wi::Number>(9), std::optional<std::int64_t>(36))),
         {6, 7, 9}, kI32, Partition{full, {4, 0, 0}});

  // Orthogonal: the QR is ours, so the comparison is to 1e-5 (one unit in the last place for
  // 16-bit outputs, where a float32 difference may round across a 16-bit boundary).
  for (const Shape& s : std::vector<Shape>{{5, 3}, {3, 5}, {4, 4}, {3, 3, 2, 4}, {256, 64}, {64, 256}, {120, 120}}) {
    for (const ElementType dt : kFloats) {
      w.call(id(), ctor("Orthogonal", {{"gain", jnum(1.5)}, {"seed", "40"}}, make<wi::Orthogonal>(1.5, std::optional<std::int64_t>(40))),
             s, dt, std::nullopt, std::nullopt, "close");
    }
  }
  // The convolution-orthogonal family: matrices drawn one after another on one stream.
  const std::vector<std::pair<std::string, Shape>> conv = {
      {"ConvolutionDeltaOrthogonal", {3, 4, 6}}, {"ConvolutionDeltaOrthogonal", {3, 2, 4, 6}},
      {"ConvolutionDeltaOrthogonal", {2, 3, 1, 5, 5}}, {"ConvolutionOrthogonal1D", {4, 3, 8}},
      {"ConvolutionOrthogonal1D", {1, 3, 8}}, {"ConvolutionOrthogonal2D", {3, 3, 4, 6}},
      {"ConvolutionOrthogonal2D", {2, 2, 6, 6}}, {"ConvolutionOrthogonal3D", {3, 3, 3, 2, 5}}};
  for (const auto& [cls, shape] : conv) {
    const std::string name = cls;
    const Factory f = [name]() -> std::shared_ptr<wi::Initializer> {
      if (name == "ConvolutionDeltaOrthogonal") return std::make_shared<wi::ConvolutionDeltaOrthogonal>(0.75, 42);
      if (name == "ConvolutionOrthogonal1D") return std::make_shared<wi::ConvolutionOrthogonal1D>(0.75, 42);
      if (name == "ConvolutionOrthogonal2D") return std::make_shared<wi::ConvolutionOrthogonal2D>(0.75, 42);
      return std::make_shared<wi::ConvolutionOrthogonal3D>(0.75, 42);
    };
    for (const ElementType dt : kFloats) {
      w.call(id(), ctor(name, {{"gain", jnum(0.75)}, {"seed", "42"}}, f), shape, dt, std::nullopt, std::nullopt, "close");
    }
  }
  w.set_random_seed(std::nullopt);
  w.call(id(), ctor("Orthogonal", {{"seed", "41"}}, make<wi::Orthogonal>(1.0, std::optional<std::int64_t>(41))), {0, 5}, kF32);

  // Errors: the same exception type and message as Python.
  const Factory no_instance = [] { return std::shared_ptr<wi::Initializer>(); };
  w.call(id(), ctor("RandomNormal", {{"dtype", "\"int32\""}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(), kI32)), {2}, std::nullopt);
  w.call(id(), ctor("RandomNormal", {}, make<wi::RandomNormal>()), {2}, kI64);
  w.call(id(), ctor("GlorotUniform", {}, make<wi::GlorotUniform>()), {2, 2}, kI32);
  w.call(id(), ctor("he_uniform", {}, [] { return std::make_shared<wi::VarianceScaling>(wi::he_uniform()); }), {2, 2}, kI32);
  w.call(id(), ctor("RandomUniform", {{"dtype", "\"int32\""}}, make<wi::RandomUniform>(wi::Number(0), std::optional<wi::Number>(), std::optional<std::int64_t>(), kI32)), {2}, std::nullopt);
  w.call(id(), ctor("RandomUniform", {{"minval", jnum(0.5)}, {"maxval", "3"}}, make<wi::RandomUniform>(wi::Number(0.5), std::optional<wi::Number>(3))), {2}, kI32);
  w.call(id(), ctor("RandomUniform", {{"maxval", jnum(1e-5)}}, make<wi::RandomUniform>(wi::Number(0), std::optional<wi::Number>(1e-5))), {2}, kI64);
  w.call(id(), ctor("RandomUniform", {{"maxval", jnum(123456789.0)}}, make<wi::RandomUniform>(wi::Number(0), std::optional<wi::Number>(123456789.0))), {2}, kI64);
  w.call(id(), ctor("RandomUniform", {{"minval", "-2147483649"}, {"maxval", "3"}}, make<wi::RandomUniform>(wi::Number(std::int64_t{-2147483649}), std::optional<wi::Number>(3))), {2}, kI32);
  w.call(id(), ctor("RandomUniform", {{"minval", "5"}, {"maxval", "5"}}, make<wi::RandomUniform>(wi::Number(5), std::optional<wi::Number>(5))), {2}, kI32);
  w.call(id(), ctor("RandomUniform", {{"minval", "5"}, {"maxval", "5"}}, make<wi::RandomUniform>(wi::Number(5), std::optional<wi::Number>(5))), {0}, kI32);
  w.call(id(), ctor("RandomUniform", {{"minval", jnum(HUGE_VAL)}}, make<wi::RandomUniform>(wi::Number(HUGE_VAL))), {2}, std::nullopt);
  w.call(id(), ctor("RandomUniform", {{"maxval", jnum(std::nan(""))}}, make<wi::RandomUniform>(wi::Number(0), std::optional<wi::Number>(std::nan("")))), {2}, std::nullopt);
  w.call(id(), ctor("RandomUniform", {{"minval", jnum(-1e300)}}, make<wi::RandomUniform>(wi::Number(-1e300))), {2}, std::nullopt);
  w.call(id(), ctor("RandomUniform", {{"minval", jnum(-1e300)}}, make<wi::RandomUniform>(wi::Number(-1e300))), {0, 2}, std::nullopt);
  w.call(id(), ctor("RandomNormal", {{"stddev", jnum(-HUGE_VAL)}}, make<wi::RandomNormal>(0.0, -HUGE_VAL)), {2}, std::nullopt);
  w.call(id(), ctor("TruncatedNormal", {{"mean", jnum(std::nan(""))}}, make<wi::TruncatedNormal>(std::nan(""))), {2}, std::nullopt);
  for (const double scale : {0.0, -1.0, std::nan("")}) {
    w.call(id(), ctor("VarianceScaling", {{"scale", jnum(scale)}}, make<wi::VarianceScaling>(scale)), {2}, std::nullopt);
  }
  for (const char* mode : {"FAN_IN", "it's", "a\"b", "tab\there"}) {
    const std::string md = mode;
    w.call(id(), ctor("VarianceScaling", {{"mode", jstr(md)}}, [md] { return std::make_shared<wi::VarianceScaling>(1.0, md); }), {2}, std::nullopt);
  }
  w.call(id(), ctor("VarianceScaling", {{"distribution", "\"Gaussian\""}}, make<wi::VarianceScaling>(1.0, std::string("fan_in"), std::string("Gaussian"))), {2}, std::nullopt);
  w.call(id(), ctor("VarianceScaling", {{"dtype", "\"int64\""}}, make<wi::VarianceScaling>(1.0, std::string("fan_in"), std::string("truncated_normal"), std::optional<std::int64_t>(), kI64)), {2}, std::nullopt);
  w.call(id(), ctor("VarianceScaling", {{"scale", jnum(HUGE_VAL)}, {"seed", "1"}}, make<wi::VarianceScaling>(HUGE_VAL, std::string("fan_in"), std::string("truncated_normal"), std::optional<std::int64_t>(1))), {3, 4}, std::nullopt);
  w.call(id(), ctor("VarianceScaling", {{"scale", jnum(1e300)}, {"distribution", "\"uniform\""}, {"seed", "1"}}, make<wi::VarianceScaling>(1e300, std::string("fan_in"), std::string("uniform"), std::optional<std::int64_t>(1))), {3, 4}, std::nullopt);
  w.call(id(), ctor("UniformUnitScaling", {{"factor", jnum(HUGE_VAL)}}, make<wi::UniformUnitScaling>(HUGE_VAL)), {3, 4}, std::nullopt);
  w.call(id(), ctor("UniformUnitScaling", {{"dtype", "\"int32\""}}, make<wi::UniformUnitScaling>(1.0, std::optional<std::int64_t>(), kI32)), {3, 4}, std::nullopt);
  w.call(id(), ctor("Identity", {}, make<wi::Identity>()), {3, 4, 5}, std::nullopt);
  w.call(id(), ctor("Identity", {}, make<wi::Identity>()), {2, 3}, std::nullopt, Partition{{4, 3, 1}, {0, 0, 0}});
  w.call(id(), ctor("Identity", {{"dtype", "\"int32\""}}, make<wi::Identity>(1.0, kI32)), {2, 2}, std::nullopt);
  w.call(id(), ctor("Orthogonal", {}, make<wi::Orthogonal>()), {5}, std::nullopt);
  w.call(id(), ctor("Orthogonal", {{"seed", "1"}}, make<wi::Orthogonal>(1.0, std::optional<std::int64_t>(1))), {2, 3}, std::nullopt, Partition{{4, 3}, {2, 0}});
  w.call(id(), ctor("Orthogonal", {{"seed", "1"}}, make<wi::Orthogonal>(1.0, std::optional<std::int64_t>(1))), {4, 3}, std::nullopt, Partition{{4, 3}, {1, 0}});
  w.call(id(), ctor("Constant", {{"value", "[0, 1, 2, 3, 4, 5, 6, 7]"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{0, 1, 2, 3, 4, 5, 6, 7}); }), {2, 3}, std::nullopt);
  w.call(id(), ctor("Constant", {{"value", "[1, 2, 3]"}, {"verify_shape", "true"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{1, 2, 3}, kF32, true); }), {3, 1}, std::nullopt);
  w.call(id(), ctor("Constant", {{"value", "[1, 2, 3]"}, {"verify_shape", "true"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{1, 2, 3}, kF32, true); }), {3}, std::nullopt);
  w.call(id(), ctor("Constant", {{"value", "[[1, 2, 3], [4, 5, 6]]"}}, [] { return std::make_shared<wi::Constant>(std::vector<wi::Number>{1, 2, 3, 4, 5, 6}, Shape{2, 3}); }),
         {2, 3}, std::nullopt, std::nullopt, true);
  w.call(id(), ctor("Constant", {{"value", "7"}}, [] { return std::make_shared<wi::Constant>(7); }), {2}, std::nullopt, std::nullopt, true);
  w.call(id(), ctor("Constant", {{"value", "[1, 2.5]"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{1, 2.5}); }), {2}, kI32);
  w.call(id(), ctor("Constant", {{"value", "[-9223372036854775808, 1099511627776]"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{INT64_MIN, std::int64_t{1} << 40}); }), {2}, kI32);
  w.call(id(), ctor("Constant", {{"value", "[-1e+20]"}}, [] { return std::make_shared<wi::Constant>(std::initializer_list<wi::Number>{-1e20}); }), {2}, kI64);
  w.call(id(), ctor("RandomNormal", {{"seed", "1"}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(1))), {3, 6}, std::nullopt, Partition{{4, 6}, {2, 0}});
  w.call(id(), ctor("RandomNormal", {{"seed", "1"}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(1))), {3}, std::nullopt, Partition{{4, 6}, {0, 0}});
  w.call(id(), ctor("RandomNormal", {{"seed", "1"}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(1))), {3}, std::nullopt, Partition{{4, 6}, {0}});
  w.call(id(), ctor("RandomNormal", {{"seed", "1"}}, make<wi::RandomNormal>(0.0, 1.0, std::optional<std::int64_t>(1))), {3, 6}, std::nullopt, Partition{{4, 6}, {0, 6}});
  w.call(id(), ctor("Zeros", {}, make<wi::Zeros>()), {3, -1}, std::nullopt);
  w.call(id(), ctor("Ones", {}, make<wi::Ones>()), {-2}, std::nullopt);
  w.call(id(), ctor("RandomNormal", {}, make<wi::RandomNormal>()), {std::int64_t{1} << 32, std::int64_t{1} << 31}, std::nullopt);
  w.call(id(), ctor("Orthogonal", {}, make<wi::Orthogonal>()), {-1}, kI32);
  w.call(id(), ctor("ConvolutionDeltaOrthogonal", {}, make<wi::ConvolutionDeltaOrthogonal>()), {3, 3}, kI32);
  w.call(id(), ctor("ConvolutionDeltaOrthogonal", {{"dtype", "\"int32\""}}, make<wi::ConvolutionDeltaOrthogonal>(1.0, std::optional<std::int64_t>(), kI32)), {3, 3, 3}, std::nullopt);
  w.call(id(), ctor("ConvolutionDeltaOrthogonal", {}, make<wi::ConvolutionDeltaOrthogonal>()), {3, 3, 3}, kI32);
  w.call(id(), ctor("ConvolutionDeltaOrthogonal", {{"seed", "1"}}, make<wi::ConvolutionDeltaOrthogonal>(1.0, std::optional<std::int64_t>(1))), {2, 3, 3}, std::nullopt, Partition{{4, 3, 3}, {2, 0, 0}});
  w.call(id(), ctor("ConvolutionOrthogonal2D", {}, make<wi::ConvolutionOrthogonal2D>()), {3, 3, 8, 4}, std::nullopt);
  w.call(id(), ctor("ConvolutionOrthogonal2D", {}, make<wi::ConvolutionOrthogonal2D>()), {3, 2, 4, 4}, kI32);
  w.call(id(), ctor("ConvolutionOrthogonal3D", {}, make<wi::ConvolutionOrthogonal3D>()), {3, 3, 4, 4}, std::nullopt);
  w.call(id(), ctor("ConvolutionOrthogonal1D", {}, make<wi::ConvolutionOrthogonal1D>()), {3, 4, -4}, kI32);
  w.call(id(), ctor("ConvolutionOrthogonal1D", {}, make<wi::ConvolutionOrthogonal1D>()), {3, 4, 4}, kI64);
  w.call(id(), ctor("ConvolutionOrthogonal1D", {{"seed", "3"}}, make<wi::ConvolutionOrthogonal1D>(1.0, std::optional<std::int64_t>(3))), {0, 4, 4}, std::nullopt);
  (void)no_instance;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--write" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--write DIR]\n", argv[0]);
      return 2;
    }
  }
  test_half_conversions();
  test_seeds();
  test_values();
  test_partitions();
  test_errors();
  test_orthogonal();
  test_convolution_orthogonal();
  if (!dir.empty()) write_cases(dir);
  std::printf("%d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
