// SPDX-License-Identifier: BSD-3-Clause
// ctest: Philox known answers, golden fills on every available target, fans, errors.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "weightinit/weightinit.hpp"

namespace {

using testing::check;

void test_kat(const std::string& dir) {
  std::ifstream in(dir + "/philox_kat.txt");
  check(in.good(), "open philox_kat.txt");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string name;
    int rounds;
    weightinit::Philox4x32Ctr ctr, want;
    weightinit::Philox4x32Key key;
    s >> name >> std::dec >> rounds >> std::hex;
    for (auto& c : ctr) s >> c;
    for (auto& k : key) s >> k;
    for (auto& w : want) s >> w;
    check(weightinit::philox4x32(ctr, key, rounds) == want, "known answer: " + line);
    ++lines;
  }
  check(lines == 4, "four known-answer lines");
}

// tests/data/golden_v2.txt: "name dtype dist p0 p1 p2 p3 seed stream offset first count" then
// one line of hex words (the raw element bits). Written by tests/data/make_golden.py.
weightinit::DType parse_dtype(const std::string& s) {
  if (s == "float32") return weightinit::DType::kFloat32;
  if (s == "float64") return weightinit::DType::kFloat64;
  if (s == "float16") return weightinit::DType::kFloat16;
  return weightinit::DType::kBFloat16;
}

weightinit::Distribution parse_dist(const std::string& kind, const double (&p)[4]) {
  if (kind == "uniform") return weightinit::Distribution::uniform(p[0], p[1]);
  if (kind == "normal") return weightinit::Distribution::normal(p[0], p[1]);
  return weightinit::Distribution::truncated_normal(p[0], p[1], p[2], p[3]);
}

void test_golden(const std::string& dir) {
  std::ifstream in(dir + "/golden_v2.txt");
  check(in.good(), "open golden_v2.txt");
  std::string header, words;
  int cases = 0;
  while (std::getline(in, header)) {
    if (header.empty() || header[0] == '#') continue;
    std::getline(in, words);
    std::istringstream h(header);
    std::string name, dtype_s, kind, ps[4];
    unsigned long long seed, stream, offset, first, count;
    h >> name >> dtype_s >> kind >> ps[0] >> ps[1] >> ps[2] >> ps[3] >> seed >> stream >> offset >>
        first >> count;
    double p[4];
    for (int i = 0; i < 4; ++i) p[i] = std::strtod(ps[i].c_str(), nullptr);  // accepts "inf"
    const weightinit::DType dtype = parse_dtype(dtype_s);
    const int size = weightinit::dtype_size(dtype);
    std::vector<unsigned long long> want;
    std::istringstream w(words);
    unsigned long long x;
    while (w >> std::hex >> x) want.push_back(x);
    check(want.size() == count, name + ": word count");
    for (weightinit::Target t : weightinit::available_targets()) {
      weightinit::set_active_target(t);
      for (int threads : {1, 3}) {
        weightinit::set_num_threads(threads);
        std::vector<unsigned char> buf(count * size);
        weightinit::fill(parse_dist(kind, p), {seed, stream, offset}, dtype, first, count,
                         buf.data());
        bool same = true;
        for (unsigned long long i = 0; i < count && i < want.size(); ++i) {
          unsigned long long got = 0;
          std::memcpy(&got, buf.data() + i * size, size);
          same = same && got == want[i];
        }
        check(same, name + " on " + weightinit::target_name(t) + ", " + std::to_string(threads) +
                        " threads");
      }
    }
    ++cases;
  }
  check(cases > 0, "golden cases present");
}

void test_fans() {
  using weightinit::FanLayout;
  auto f = weightinit::compute_fans({3, 3, 4, 8}, FanLayout::kTensorFlow);
  check(f.fan_in == 36 && f.fan_out == 72, "tf fans of (3,3,4,8)");
  f = weightinit::compute_fans({}, FanLayout::kTensorFlow);
  check(f.fan_in == 1 && f.fan_out == 1, "tf fans of ()");
  f = weightinit::compute_fans({8, 4, 3, 3}, FanLayout::kTorch);
  check(f.fan_in == 36 && f.fan_out == 72, "torch fans of (8,4,3,3)");
  bool threw = false;
  try {
    weightinit::compute_fans({5}, FanLayout::kTorch);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw, "torch fans of a 1-D shape throw");
  // Keras 3's explicit axes: products of the named dimensions, negative axes from the end.
  f = weightinit::compute_fans({512, 8, 64}, {0}, {1, 2});
  check(f.fan_in == 512 && f.fan_out == 512, "keras fans of (512,8,64), in [0], out [1,2]");
  f = weightinit::compute_fans({3, 5, 7}, {-1}, {0, 0});
  check(f.fan_in == 7 && f.fan_out == 9, "keras fans with a negative and a repeated axis");
  threw = false;
  try {
    weightinit::compute_fans({3, 5}, {2}, {0});
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw, "keras fans with an axis out of range throw");
}

// JAX's fans: known answers of jax._src.nn.initializers._compute_fans (JAX 0.4+), as hex
// floats. The last three need Python's correctly rounded int / int: dividing the doubles
// gives other bits.
void test_jax_fans() {
  using weightinit::JaxAxes;
  struct Case {
    std::vector<std::int64_t> shape;
    JaxAxes in, out, batch;
    double fan_in, fan_out;
  };
  const Case cases[] = {
      {{3, 3, 16, 32}, {{-2}, true}, {{-1}, true}, {{}, false}, 0x1.2p+7, 0x1.2p+8},
      {{10, 4}, {{-2}, true}, {{0}, true}, {{}, false}, 4.0, 4.0},
      {{6, 5, 4, 3}, {{0, 1}, false}, {{1, 2}, false}, {{3}, false}, 0x1.7ffffffffffffp+2,
       0x1.fffffffffffffp+1},
      {{289593594, 1223404581, 1}, {{0, 0}, false}, {{1}, true}, {{}, false},
       0x1.142d8fa000000p+28, 0x1.0e5f2366a20fdp+2},
      {{1936849308, 682723529, 1}, {{0, 0}, false}, {{1}, true}, {{}, false},
       0x1.cdc7e67000000p+30, 0x1.68f39d4f5e9e7p-2},
      {{1559805168, 63413187, 2}, {{0, 0}, false}, {{1}, true}, {{}, false},
       0x1.73e2f3bfffffep+31, 0x1.4d0ac8b60600fp-4},
  };
  for (const Case& c : cases) {
    const weightinit::RealFans f = weightinit::jax_fans(c.shape, c.in, c.out, c.batch);
    check(f.fan_in == c.fan_in && f.fan_out == c.fan_out,
          "jax fans of a shape of rank " + std::to_string(c.shape.size()) + " with first dim " +
              std::to_string(c.shape[0]));
  }
  const weightinit::RealFans empty = weightinit::jax_fans({0, 4}, {{-2}, true}, {{-1}, true}, {});
  check(empty.fan_in == 0 && empty.fan_out == 0, "jax fans of an empty shape");
  testing::expect_error<std::invalid_argument>(
      "jax fans, default in_axis of a 1-D shape",
      [] { weightinit::jax_fans({5}, {{-2}, true}, {{-1}, true}, {}); },
      "in_axis: can't compute input and output sizes of a 1-dimensional weights tensor with "
      "the default in_axis; it must be at least 2D or in_axis given explicitly");
  testing::expect_error<std::invalid_argument>(
      "jax fans, an axis out of range",
      [] { weightinit::jax_fans({5, 4}, {{-2}, true}, {{2}, false}, {}); },
      "out_axis: axis 2 is out of range for a shape of rank 2");
}

// The preset table, against the definitions of TF1 / Keras / JAX (scale, mode, distribution).
void test_presets() {
  using weightinit::laws::Mode;
  using weightinit::laws::Scaling;
  const auto& p = weightinit::laws::presets();
  check(p.size() == 6, "six presets");
  const weightinit::laws::Preset& he = weightinit::laws::preset("he_normal");
  check(he.scale == 2.0 && he.mode == Mode::kFanIn && he.distribution == Scaling::kTruncatedNormal,
        "he_normal is (2, fan_in, truncated_normal)");
  const weightinit::laws::Preset& glorot = weightinit::laws::preset("glorot_uniform");
  check(glorot.scale == 1.0 && glorot.mode == Mode::kFanAvg && glorot.distribution == Scaling::kUniform,
        "glorot_uniform is (1, fan_avg, uniform)");
  testing::expect_error<weightinit::ValueError>(
      "unknown preset", [] { weightinit::laws::preset("xavier_uniform"); },
      "preset: unknown name 'xavier_uniform' (expected one of glorot_uniform, glorot_normal, "
      "he_uniform, he_normal, lecun_uniform, lecun_normal)");
  // The C++ classes draw the table's law.
  const weightinit::Shape shape = {3, 5};
  check(weightinit::he_uniform(7).values<float>(shape) ==
            weightinit::VarianceScaling(2.0, "fan_in", "uniform", 7).values<float>(shape),
        "he_uniform equals VarianceScaling(2, fan_in, uniform)");
  check(weightinit::GlorotNormal(7).values<float>(shape) ==
            weightinit::VarianceScaling(1.0, "fan_avg", "truncated_normal", 7).values<float>(shape),
        "GlorotNormal equals VarianceScaling(1, fan_avg, truncated_normal)");
}

void test_delta_orthogonal_centre() {
  check(weightinit::delta_orthogonal_centre({3, 4, 4}) == std::vector<std::int64_t>{1},
        "centre of (3, 4, 4)");
  check(weightinit::delta_orthogonal_centre({4, 5, 1, 2, 2}) == std::vector<std::int64_t>{1, 2, 0},
        "centre of (4, 5, 1, 2, 2)");
  check(weightinit::delta_orthogonal_centre({2, 2}).empty(), "no spatial axes");
}

void test_errors() {
  auto throws = [](auto&& fn) {
    try {
      fn();
    } catch (const std::invalid_argument&) {
      return true;
    }
    return false;
  };
  check(throws([] { weightinit::Distribution::uniform(1.0, 1.0); }), "uniform low == high");
  check(throws([] { weightinit::Distribution::normal(0.0, 0.0); }), "normal stddev 0");
  check(throws([] { weightinit::Distribution::truncated_normal(0.0, 1.0, 2.0, -2.0); }),
        "truncated a > b");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "tests/data";
  test_kat(dir);
  test_golden(dir);
  test_fans();
  test_jax_fans();
  test_presets();
  test_delta_orthogonal_centre();
  test_errors();
  return testing::report();
}
