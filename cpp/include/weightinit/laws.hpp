// SPDX-License-Identifier: BSD-3-Clause
// The law table: what each named initializer draws for a tensor of a given global shape.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "weightinit/fans.hpp"
#include "weightinit/fill.hpp"

// Every framework surface — the TF1 and Keras classes, weightinit.init (torch.nn.init), the
// box fills of weightinit.shard, the checkpoint presets, the C++ classes and the benchmarks —
// maps its arguments to a Law here and writes it with fill_law. No other place computes a
// fan, a gain or a scale.

namespace weightinit {

/// A bad argument (Python: ValueError). The message names the argument or quotes the
/// framework's own text.
class ValueError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// An argument of the wrong kind (Python: TypeError).
class TypeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A scale whose formula divides by zero, as torch's `xavier_*` on a shape with
/// fan_in + fan_out == 0 (Python: a ValueError that is also a ZeroDivisionError, so code
/// written against torch still catches it).
class ZeroDivisionError : public ValueError {
 public:
  using ValueError::ValueError;
};

/// What every element of a tensor is drawn from, or set to.
///
/// Unlike Distribution, a Law may be degenerate, as TF's and torch's formulas allow; fill_law
/// gives each degenerate law the value of its formula:
///   uniform low == high (in the working precision: double for float64 output, float for
///   the others) or normal / truncated normal stddev == 0: every element is low / mean;
///   truncated normal with a == b: every element is mean + stddev * a;
///   uniform low > high, or stddev < 0: the law with mirrored parameters, negated (exact).
/// Parameters: constant (value); uniform (low, high); normal (mean, stddev);
/// truncated_normal (mean, stddev, a, b) with a, b in standard deviations;
/// truncated_normal_between (mean, stddev, low, high) with absolute bounds; bits: none
/// (Distribution::bits(): element i of a uint32 / uint64 output is the word(s) a float
/// element i reads).
struct Law {
  enum class Kind {
    kConstant = 0,
    kUniform = 1,
    kNormal = 2,
    kTruncatedNormal = 3,
    kTruncatedNormalBetween = 4,
    kBits = 5,  ///< the raw stream words (uint32 / uint64 output), for integer laws built above
  };
  Kind kind = Kind::kConstant;
  double p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0;

  static Law constant(double value) { return {Kind::kConstant, value, 0.0, 0.0, 0.0}; }
  static Law uniform(double low, double high) { return {Kind::kUniform, low, high, 0.0, 0.0}; }
  static Law normal(double mean, double stddev) { return {Kind::kNormal, mean, stddev, 0.0, 0.0}; }
  static Law truncated_normal(double mean, double stddev, double a, double b) {
    return {Kind::kTruncatedNormal, mean, stddev, a, b};
  }
  static Law truncated_normal_between(double mean, double stddev, double low, double high) {
    return {Kind::kTruncatedNormalBetween, mean, stddev, low, high};
  }
  static Law bits() { return {Kind::kBits, 0.0, 0.0, 0.0, 0.0}; }
  /// Number of meaningful parameters (1, 2, 2, 4, 4, 0).
  int arity() const noexcept;
  bool operator==(const Law& o) const noexcept {
    return kind == o.kind && p0 == o.p0 && p1 == o.p1 && p2 == o.p2 && p3 == o.p3;
  }
  bool operator!=(const Law& o) const noexcept { return !(*this == o); }
};

/// Write the box of a tensor of `global_shape` drawn from `law` (see fill_box in fill.hpp for
/// the box and strides), with the degenerate laws resolved as Law says. The one entry every
/// surface's random fill ends in. dtype: float32, float64, float16 or bfloat16 (uint32 /
/// uint64 for Law::bits() only). `control` may stop a long fill (FillCancelled; see fill.hpp).
/// Throws
/// ValueError for parameters the fill layer refuses (non-finite, beyond the dtype's range).
void fill_law(const Law& law, const Stream& stream, DType dtype,
              const std::vector<std::int64_t>& global_shape, const std::vector<std::int64_t>& start,
              const std::vector<std::int64_t>& box_shape, void* out,
              const std::vector<std::int64_t>& byte_strides,
              const FillControl& control = FillControl());

/// Throw ValueError if fill_law would treat `law` as degenerate for `dtype` (a constant or a
/// mirrored draw instead of the law itself): the check of APIs that promise every value
/// inside [low, high) or a proper normal, such as weightinit.fill.
void check_proper(const Law& law, DType dtype);

/// fill_law over a whole row-major contiguous tensor of `shape`.
void fill_law(const Law& law, const Stream& stream, DType dtype,
              const std::vector<std::int64_t>& shape, void* out);

namespace laws {

// --- TensorFlow / Keras / JAX ---------------------------------------------------------------

/// Which fan VarianceScaling divides by.
enum class Mode { kFanIn, kFanOut, kFanAvg };
/// VarianceScaling's distributions ("normal" is TF1's deprecated alias of truncated_normal).
enum class Scaling { kTruncatedNormal, kUntruncatedNormal, kUniform };

/// "fan_in" / "fan_out" / "fan_avg" (case-sensitive, as TF). Throws ValueError
/// ("Invalid `mode` argument: fan_x (expected one of fan_in, fan_out, fan_avg)").
Mode parse_mode(const std::string& mode);
/// "truncated_normal", "normal" (its alias), "untruncated_normal", "uniform", any case.
/// Throws ValueError naming the distribution.
Scaling parse_scaling(const std::string& distribution);

/// Standard deviation of a standard normal truncated to [-2, 2]:
/// sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)). VarianceScaling divides by it because TF's truncated
/// normal cuts at +-2 of its pre-truncation stddev.
inline constexpr double kTruncatedStddev = 0.87962566103423978;

/// VarianceScaling (TF1, Keras, JAX): with n = max(1, fan_in), max(1, fan_out) or
/// max(1, (fan_in + fan_out) / 2) and s = scale / n: truncated normal on [-2, 2] stddevs
/// with stddev sqrt(s) / kTruncatedStddev; normal with stddev sqrt(s); uniform on
/// [-sqrt(3 s), sqrt(3 s)). Fans of `fans`. Throws ValueError for scale <= 0 or non-finite
/// ("`scale` must be positive float.").
Law variance_scaling(Fans fans, double scale, Mode mode, Scaling distribution);
/// variance_scaling with the fans of `shape` in `layout`.
Law variance_scaling(const std::vector<std::int64_t>& shape, FanLayout layout, double scale,
                     Mode mode, Scaling distribution);
/// JAX's variance_scaling (jax.nn.initializers) from the fans JAX computes for its in / out /
/// batch axes: real numbers, fractional when those axes overlap. mode "fan_in", "fan_out",
/// "fan_avg" or "fan_geo_avg" gives n = fan_in, fan_out, (fan_in + fan_out) / 2 or
/// sqrt(fan_in * fan_out), and s = scale / n (no max(1, n): JAX has none); distribution
/// "truncated_normal", "normal" (untruncated, unlike TF's alias) or "uniform" gives the laws
/// of variance_scaling above. Throws ValueError for a scale that is not positive and finite,
/// another mode or distribution (JAX's messages), and an n that is not positive and finite
/// (JAX divides by zero there: only a tensor with no elements has a zero fan).
Law jax_variance_scaling(double fan_in, double fan_out, double scale, const std::string& mode,
                         const std::string& distribution);
/// TF1's deprecated UniformUnitScaling: uniform on [-m, m), m = sqrt(3 / input_size) * factor,
/// input_size = max(1, product of all dimensions but the last). ValueError for a
/// non-finite factor.
Law uniform_unit_scaling(const std::vector<std::int64_t>& shape, double factor);
/// TF's truncated_normal op: mean + stddev * z with z standard normal cut to [-2, 2].
Law tf_truncated_normal(double mean, double stddev);
/// JAX's truncated_normal(stddev, lower, upper): stddev * z with z standard normal cut to
/// (lower, upper), bounds in units of stddev and no variance correction. A negative stddev
/// is the law of |stddev| * z' with z' cut to (-upper, -lower) (the same distribution as the
/// product, drawn directly, without fill_law's mirror pass); stddev 0 gives the constant 0.
/// Either bound may be infinite. Throws ValueError for lower >= upper or a NaN bound
/// ("lower, upper: need lower < upper, got 2.0, 1.0") and a non-finite stddev.
Law jax_truncated_normal(double stddev, double lower, double upper);

// --- torch.nn.init --------------------------------------------------------------------------

/// Whether torch's calculate_gain gives 1 for `nonlinearity` without a computation: linear,
/// conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d and sigmoid
/// (exact, case-sensitive; torch returns the int 1 for them).
bool unit_gain(const std::string& nonlinearity) noexcept;
/// torch's calculate_gain: 1 (unit_gain's names), 5/3 (tanh),
/// sqrt(2) (relu), sqrt(2 / (1 + slope^2)) (leaky_relu; slope = param or 0.01), 3/4 (selu).
/// Throws ValueError "Unsupported nonlinearity NAME" and ValueError for a non-finite or
/// overflowing slope.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param);
/// torch's fan by mode ("fan_in" / "fan_out", lower-cased first) for a shape in torch's
/// layout. Throws ValueError for a rank < 2 or another mode.
std::int64_t torch_fan(const std::vector<std::int64_t>& shape, const std::string& mode);
/// xavier_uniform_: uniform on [-b, b), b = sqrt(3) * gain * sqrt(2 / (fan_in + fan_out)).
/// ZeroDivisionError when fan_in + fan_out == 0.
Law xavier_uniform(const std::vector<std::int64_t>& shape, double gain);
/// xavier_normal_: normal, std = gain * sqrt(2 / (fan_in + fan_out)).
Law xavier_normal(const std::vector<std::int64_t>& shape, double gain);
/// kaiming_uniform_: uniform on [-b, b), b = sqrt(3) * gain / sqrt(fan).
/// ZeroDivisionError for a zero fan (callers treat zero-element shapes as no-ops first).
Law kaiming_uniform(const std::vector<std::int64_t>& shape, double a, const std::string& mode,
                    const std::string& nonlinearity);
/// kaiming_normal_: normal, std = gain / sqrt(fan).
Law kaiming_normal(const std::vector<std::int64_t>& shape, double a, const std::string& mode,
                   const std::string& nonlinearity);
/// trunc_normal_: the normal (mean, std) restricted to [a, b] (absolute bounds, either may be
/// infinite), exact; a == b gives the constant a. ValueError for std <= 0, a > b,
/// a == inf or b == -inf, NaN.
Law trunc_normal(double mean, double std, double a, double b);

/// torch's dirac_: where the ones of a (out, in, k1[, k2[, k3]]) tensor go, one index list per
/// axis: for g < groups and d < min(out / groups, in), the element
/// (g * (out / groups) + d, d, k1 / 2, ...) (the spatial centres rounded down, as torch's
/// `size // 2`); none when a spatial size is 0. Throws ValueError ("Only tensors with 3, 4,
/// or 5 dimensions are supported", "groups: must be >= 1, got 0", "dim 0 must be divisible
/// by groups").
std::vector<std::vector<std::int64_t>> dirac_ones(const std::vector<std::int64_t>& shape,
                                                  std::int64_t groups);
/// torch's sparse_: the number of zeros in each column of a tensor with `rows` rows,
/// ceil(sparsity * rows). Throws ValueError for a sparsity outside [0, 1] or NaN.
std::int64_t sparse_zeros(std::int64_t rows, double sparsity);

}  // namespace laws
}  // namespace weightinit
