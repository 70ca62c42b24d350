// SPDX-License-Identifier: BSD-3-Clause
// The law table (laws.hpp) and fill_law, the one entry of every surface's random fill.

#include "weightinit/laws.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "float_env.hpp"
#include "store.hpp"

// The scales are computed with the double operations that TF's and torch's Python code
// performs, in the same order (Python floats are IEEE doubles; math.sqrt is correctly rounded
// like std::sqrt; int -> float conversions round to nearest), so every surface gets the
// parameters those frameworks would compute.

namespace weightinit {
namespace {

std::string num(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// x as Python's repr(float) writes it, for messages that quote a Python float: the shortest
// digits that read back as x, with ".0" when they look like an integer.
std::string py_float(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

double finite(double x, const char* argname) {
  if (!std::isfinite(x)) throw ValueError(std::string(argname) + ": must be finite, got " + num(x));
  return x;
}

std::string lower_ascii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Visit every element address of a strided box (row-major order of the box).
template <class F>
void for_each_element(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& strides,
                      unsigned char* base, F&& f) {
  const std::size_t rank = shape.size();
  for (std::int64_t d : shape) {
    if (d == 0) return;
  }
  if (rank == 0) {
    f(base);
    return;
  }
  std::vector<std::int64_t> index(rank, 0);
  const std::int64_t inner = shape[rank - 1], step = strides[rank - 1];
  for (;;) {
    unsigned char* p = base;
    for (std::size_t k = 0; k + 1 < rank; ++k) p += index[k] * strides[k];
    for (std::int64_t i = 0; i < inner; ++i) f(p + i * step);
    std::size_t k = rank - 1;
    for (;;) {
      if (k == 0) return;
      --k;
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
}

}  // namespace

int Law::arity() const noexcept {
  switch (kind) {
    case Kind::kConstant: return 1;
    case Kind::kUniform:
    case Kind::kNormal: return 2;
    case Kind::kTruncatedNormal:
    case Kind::kTruncatedNormalBetween: return 4;
    case Kind::kBits: return 0;
  }
  return 0;
}

void fill_law(const Law& law, const Stream& stream, DType dtype,
              const std::vector<std::int64_t>& global_shape, const std::vector<std::int64_t>& start,
              const std::vector<std::int64_t>& box_shape, void* out,
              const std::vector<std::int64_t>& byte_strides, const FillControl& control) {
  const bool words = dtype == DType::kUInt32 || dtype == DType::kUInt64;
  if (words != (law.kind == Law::Kind::kBits)) {
    throw TypeError(words ? "dtype: uint32 / uint64 output takes only the raw stream words (bits)"
                          : "dtype: raw stream words go to uint32 / uint64 output");
  }
  const detail::FloatEnvironment ieee;  // constants and parameters rounded as IEEE-754 rounds
  const bool wide = dtype == DType::kFloat64;
  // The working precision: the fill layer rounds the parameters to it first.
  auto work = [wide](double x) { return wide ? x : static_cast<double>(detail::to_f32(x)); };
  Law l = law;
  std::optional<double> constant;
  bool mirrored = false;
  switch (l.kind) {
    case Law::Kind::kConstant:
      constant = l.p0;
      break;
    case Law::Kind::kBits: break;
    case Law::Kind::kUniform:
      finite(l.p0, "low");
      finite(l.p1, "high");
      if (work(l.p0) == work(l.p1)) {
        constant = l.p0;
      } else if (work(l.p0) > work(l.p1)) {
        mirrored = true;
        l = Law::uniform(-l.p0, -l.p1);
      }
      break;
    case Law::Kind::kNormal:
    case Law::Kind::kTruncatedNormal:
    case Law::Kind::kTruncatedNormalBetween:
      finite(l.p0, "mean");
      if (!std::isfinite(l.p1)) throw ValueError("stddev: must be finite and > 0, got " + num(l.p1));
      if (l.p1 == 0) {
        constant = l.p0;
      } else if (l.kind == Law::Kind::kTruncatedNormal && l.p2 == l.p3) {
        constant = l.p0 + l.p1 * l.p2;
      } else if (l.p1 < 0) {
        // The mirrored law: mean -> -mean, stddev -> -stddev and the bounds swap and
        // change sign (standard-unit bounds mirror onto (-b, -a); absolute ones too).
        mirrored = true;
        l = Law{l.kind, -l.p0, -l.p1, -l.p3, -l.p2};
      }
      break;
  }
  try {
    if (check_box(dtype, global_shape, start, box_shape, byte_strides) == 0) return;
  } catch (const std::invalid_argument& e) {
    throw ValueError(e.what());
  }
  auto* base = static_cast<unsigned char*>(out);
  if (constant) {
    const double v = *constant;
    for_each_element(box_shape, byte_strides, base,
                     [&](unsigned char* p) { detail::store_double(dtype, p, v); });
    return;
  }
  Distribution dist;
  try {
    switch (l.kind) {
      case Law::Kind::kBits: dist = Distribution::bits(); break;
      case Law::Kind::kUniform: dist = Distribution::uniform(l.p0, l.p1); break;
      case Law::Kind::kNormal: dist = Distribution::normal(l.p0, l.p1); break;
      case Law::Kind::kTruncatedNormal:
        dist = Distribution::truncated_normal(l.p0, l.p1, l.p2, l.p3);
        break;
      default: dist = Distribution::truncated_normal_between(l.p0, l.p1, l.p2, l.p3); break;
    }
    fill_box(dist, stream, dtype, global_shape, start, box_shape, out, byte_strides, control);
  } catch (const ValueError&) {
    throw;
  } catch (const TypeError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw ValueError(e.what());
  }
  if (mirrored) {
    // Negation is exact and rounding is symmetric, so this is the formula's value. Only TF's
    // negative stddev / reversed bounds take this second pass.
    const int size = dtype_size(dtype);
    for_each_element(box_shape, byte_strides, base,
                     [&](unsigned char* p) { detail::negate_element(p, size); });
  }
}

void check_proper(const Law& law, DType dtype) {
  const detail::FloatEnvironment ieee;  // a subnormal bound is not zero here
  const bool wide = dtype == DType::kFloat64;
  switch (law.kind) {
    case Law::Kind::kUniform: {
      const double lo = wide ? law.p0 : static_cast<double>(detail::to_f32(law.p0));
      const double hi = wide ? law.p1 : static_cast<double>(detail::to_f32(law.p1));
      if (!(lo < hi)) {
        throw ValueError("low, high: no " + std::string(wide ? "float64" : "float32") +
                         " value lies in [" + num(law.p0) + ", " + num(law.p1) + ")");
      }
      break;
    }
    case Law::Kind::kNormal:
    case Law::Kind::kTruncatedNormal:
    case Law::Kind::kTruncatedNormalBetween:
      if (!(law.p1 > 0)) throw ValueError("stddev: must be finite and > 0, got " + num(law.p1));
      if (law.kind == Law::Kind::kTruncatedNormal && !(law.p2 < law.p3)) {
        throw ValueError("a, b: need a < b, got [" + num(law.p2) + ", " + num(law.p3) + "]");
      }
      break;
    default: break;
  }
}

void fill_law(const Law& law, const Stream& stream, DType dtype,
              const std::vector<std::int64_t>& shape, void* out) {
  std::vector<std::int64_t> strides(shape.size());
  std::int64_t step = dtype_size(dtype);
  for (std::size_t k = shape.size(); k-- > 0;) {
    strides[k] = step;
    step *= std::max<std::int64_t>(shape[k], 1);
  }
  fill_law(law, stream, dtype, shape, std::vector<std::int64_t>(shape.size(), 0), shape, out, strides);
}

namespace laws {

Mode parse_mode(const std::string& mode) {
  if (mode == "fan_in") return Mode::kFanIn;
  if (mode == "fan_out") return Mode::kFanOut;
  if (mode == "fan_avg") return Mode::kFanAvg;
  throw ValueError("Invalid `mode` argument: " + mode + " (expected one of fan_in, fan_out, fan_avg)");
}

Scaling parse_scaling(const std::string& distribution) {
  const std::string d = lower_ascii(distribution);
  if (d == "truncated_normal" || d == "normal") return Scaling::kTruncatedNormal;
  if (d == "untruncated_normal") return Scaling::kUntruncatedNormal;
  if (d == "uniform") return Scaling::kUniform;
  throw ValueError("Invalid `distribution` argument: " + distribution +
                   " (expected one of normal, uniform, truncated_normal, untruncated_normal)");
}

namespace {

// VarianceScaling's law for the variance s = scale / n, whichever framework computed n.
Law scaled_law(double s, Scaling distribution) {
  switch (distribution) {
    case Scaling::kTruncatedNormal:
      return Law::truncated_normal(0.0, std::sqrt(s) / kTruncatedStddev, -2.0, 2.0);
    case Scaling::kUntruncatedNormal: return Law::normal(0.0, std::sqrt(s));
    default: {
      const double limit = std::sqrt(3.0 * s);
      return Law::uniform(-limit, limit);
    }
  }
}

}  // namespace

Law variance_scaling(Fans fans, double scale, Mode mode, Scaling distribution) {
  if (!(scale > 0)) throw ValueError("`scale` must be positive float.");
  // TF: n is an int for fan_in / fan_out and (fan_in + fan_out) / 2.0 for fan_avg (the exact
  // sum rounded to double once, then halved); s = float(scale) / max(1.0, n).
  double n;
  switch (mode) {
    case Mode::kFanIn: n = static_cast<double>(fans.fan_in); break;
    case Mode::kFanOut: n = static_cast<double>(fans.fan_out); break;
    default:
      n = static_cast<double>(static_cast<std::uint64_t>(fans.fan_in) +
                              static_cast<std::uint64_t>(fans.fan_out)) / 2.0;
      break;
  }
  return scaled_law(scale / std::max(1.0, n), distribution);
}

Law variance_scaling(const std::vector<std::int64_t>& shape, FanLayout layout, double scale,
                     Mode mode, Scaling distribution) {
  return variance_scaling(compute_fans(shape, layout), scale, mode, distribution);
}

Law jax_variance_scaling(double fan_in, double fan_out, double scale, const std::string& mode,
                         const std::string& distribution) {
  if (!(scale > 0) || !std::isfinite(scale)) {
    throw ValueError("scale: must be a positive finite number, got " + num(scale));
  }
  // JAX's own strings: "normal" is the untruncated normal there.
  Scaling scaling;
  if (distribution == "truncated_normal") {
    scaling = Scaling::kTruncatedNormal;
  } else if (distribution == "normal") {
    scaling = Scaling::kUntruncatedNormal;
  } else if (distribution == "uniform") {
    scaling = Scaling::kUniform;
  } else {
    throw ValueError("distribution: invalid distribution for variance scaling initializer: " +
                     distribution + " (expected one of truncated_normal, normal, uniform)");
  }
  // JAX's Python float arithmetic: (fan_in + fan_out) / 2 and (fan_in * fan_out) ** 0.5, each
  // operation rounded once (x ** 0.5 is the correctly rounded square root, as std::sqrt).
  double n;
  if (mode == "fan_in") {
    n = fan_in;
  } else if (mode == "fan_out") {
    n = fan_out;
  } else if (mode == "fan_avg") {
    n = (fan_in + fan_out) / 2;
  } else if (mode == "fan_geo_avg") {
    n = std::sqrt(fan_in * fan_out);
  } else {
    throw ValueError("mode: invalid mode for variance scaling initializer: " + mode +
                     " (expected one of fan_in, fan_out, fan_avg, fan_geo_avg)");
  }
  if (!(n > 0) || !std::isfinite(n)) {
    throw ValueError("fan_in, fan_out: the " + mode + " denominator must be positive and finite, got " +
                     num(n) + " (fans " + num(fan_in) + ", " + num(fan_out) + ")");
  }
  return scaled_law(scale / n, scaling);
}

Law uniform_unit_scaling(const std::vector<std::int64_t>& shape, double factor) {
  // float(prod(dims[:-1])): exact below 2^63 whenever the tensor has elements; beyond that
  // (a zero last dimension) the value only scales an empty draw.
  constexpr std::uint64_t kTwo63 = std::uint64_t{1} << 63;
  std::uint64_t prod = 1;
  double prod_d = 1.0;
  bool exact = true;
  for (std::size_t k = 0; k + 1 < shape.size(); ++k) {
    const auto d = static_cast<std::uint64_t>(shape[k]);
    if (d != 0 && prod > (kTwo63 - 1) / d) exact = false;
    prod *= d;
    prod_d *= static_cast<double>(d);
  }
  const double input_size = std::max(exact ? static_cast<double>(prod) : prod_d, 1.0);
  const double max_val = std::sqrt(3.0 / input_size) * finite(factor, "factor");
  return Law::uniform(-max_val, max_val);
}

Law tf_truncated_normal(double mean, double stddev) {
  return Law::truncated_normal(finite(mean, "mean"), finite(stddev, "stddev"), -2.0, 2.0);
}

bool unit_gain(const std::string& nonlinearity) noexcept {
  static const char* const kLinear[] = {"linear", "conv1d", "conv2d", "conv3d",
                                        "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                                        "sigmoid"};
  for (const char* name : kLinear) {
    if (nonlinearity == name) return true;
  }
  return false;
}

Law jax_truncated_normal(double stddev, double lower, double upper) {
  finite(stddev, "stddev");
  if (!(lower < upper)) {
    throw ValueError("lower, upper: need lower < upper, got " + py_float(lower) + ", " +
                     py_float(upper));
  }
  if (stddev > 0) return Law::truncated_normal(0.0, stddev, lower, upper);
  // stddev * z with z in (lower, upper) is |stddev| * z' with z' = -z in (-upper, -lower).
  if (stddev < 0) return Law::truncated_normal(0.0, -stddev, -upper, -lower);
  return Law::constant(0.0);
}

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  if (unit_gain(nonlinearity)) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param ? *param : 0.01;
    const double denominator = 1 + slope * slope;
    if (!std::isfinite(denominator)) {
      throw ValueError("negative_slope: " + num(slope) + " is too large (its square overflows)");
    }
    return std::sqrt(2.0 / denominator);
  }
  if (nonlinearity == "selu") return 3.0 / 4;  // empirical (PyTorch PR #50664)
  throw ValueError("Unsupported nonlinearity " + nonlinearity);
}

std::int64_t torch_fan(const std::vector<std::int64_t>& shape, const std::string& mode) {
  const std::string m = lower_ascii(mode);
  if (m != "fan_in" && m != "fan_out") {
    throw ValueError("Mode " + m + " not supported, please use one of ['fan_in', 'fan_out']");
  }
  const Fans f = compute_fans(shape, FanLayout::kTorch);
  return m == "fan_in" ? f.fan_in : f.fan_out;
}

namespace {

double xavier_std(const std::vector<std::int64_t>& shape, double gain) {
  const Fans f = compute_fans(shape, FanLayout::kTorch);
  const std::int64_t sum = f.fan_in + f.fan_out;
  if (sum == 0) {
    throw ZeroDivisionError("xavier: fan_in + fan_out is 0 for shape with a zero dimension; "
                            "nothing to scale");
  }
  return finite(gain, "gain") * std::sqrt(2.0 / static_cast<double>(sum));
}

double kaiming_std(const std::vector<std::int64_t>& shape, double a, const std::string& mode,
                   const std::string& nonlinearity) {
  // torch evaluates calculate_gain before the fan (its errors come first).
  const double gain = calculate_gain(nonlinearity, finite(a, "a"));
  const std::int64_t fan = torch_fan(shape, mode);
  if (fan == 0) {
    throw ZeroDivisionError("kaiming: the fan is 0 for a shape with a zero dimension");
  }
  return gain / std::sqrt(static_cast<double>(fan));
}

}  // namespace

Law xavier_uniform(const std::vector<std::int64_t>& shape, double gain) {
  const double bound = std::sqrt(3.0) * xavier_std(shape, gain);
  return Law::uniform(-bound, bound);
}

Law xavier_normal(const std::vector<std::int64_t>& shape, double gain) {
  return Law::normal(0.0, xavier_std(shape, gain));
}

Law kaiming_uniform(const std::vector<std::int64_t>& shape, double a, const std::string& mode,
                    const std::string& nonlinearity) {
  const double bound = std::sqrt(3.0) * kaiming_std(shape, a, mode, nonlinearity);
  return Law::uniform(-bound, bound);
}

Law kaiming_normal(const std::vector<std::int64_t>& shape, double a, const std::string& mode,
                   const std::string& nonlinearity) {
  return Law::normal(0.0, kaiming_std(shape, a, mode, nonlinearity));
}

Law trunc_normal(double mean, double std, double a, double b) {
  finite(mean, "mean");
  finite(std, "std");
  if (std::isnan(a)) throw ValueError("a: must be a number, got nan");
  if (std::isnan(b)) throw ValueError("b: must be a number, got nan");
  if (!(std > 0)) throw ValueError("std: must be > 0 for trunc_normal_, got " + num(std));
  if (a > b || a == std::numeric_limits<double>::infinity() ||
      b == -std::numeric_limits<double>::infinity()) {
    throw ValueError("a, b: need a <= b with a < inf and b > -inf, got a=" + num(a) + ", b=" + num(b));
  }
  if (a == b) return Law::constant(a);
  return Law::truncated_normal_between(mean, std, a, b);
}

std::vector<std::vector<std::int64_t>> dirac_ones(const std::vector<std::int64_t>& shape,
                                                  std::int64_t groups) {
  const std::size_t rank = shape.size();
  if (rank < 3 || rank > 5) throw ValueError("Only tensors with 3, 4, or 5 dimensions are supported");
  if (groups < 1) throw ValueError("groups: must be >= 1, got " + std::to_string(groups));
  if (shape[0] % groups != 0) throw ValueError("dim 0 must be divisible by groups");
  const std::int64_t out_per_group = shape[0] / groups;
  bool empty = false;
  for (std::size_t k = 2; k < rank; ++k) empty = empty || shape[k] == 0;
  // A zero spatial size leaves no element to set (torch: IndexError): the pattern is empty.
  const std::int64_t n = empty ? 0 : std::min(out_per_group, shape[1]);
  std::vector<std::vector<std::int64_t>> index(rank);
  for (std::int64_t g = 0; g < groups && n > 0; ++g) {
    for (std::int64_t d = 0; d < n; ++d) {
      index[0].push_back(g * out_per_group + d);
      index[1].push_back(d);
      for (std::size_t k = 2; k < rank; ++k) index[k].push_back(shape[k] / 2);
    }
  }
  return index;
}

std::int64_t sparse_zeros(std::int64_t rows, double sparsity) {
  if (!(sparsity >= 0.0 && sparsity <= 1.0)) {
    throw ValueError("sparsity: must be in [0, 1], got " + py_float(sparsity));
  }
  // torch: math.ceil(sparsity * rows), a Python float product.
  return static_cast<std::int64_t>(std::ceil(sparsity * static_cast<double>(rows)));
}

}  // namespace laws
}  // namespace weightinit
