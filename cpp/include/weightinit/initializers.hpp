// SPDX-License-Identifier: BSD-3-Clause
// The TF1 initializer classes (TF 1.15's v1 classes): their rules, once, for C++ and Python.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "weightinit/fill.hpp"
#include "weightinit/float16.hpp"
#include "weightinit/laws.hpp"
#include "weightinit/presets.hpp"
#include "weightinit/tf_stream.hpp"

// weightinit.tf1's Python classes are shells over these (cpp/bindings/tf1_bindings.cpp): the
// seeds, partitions, dtype rules, Constant's layout, Identity, VarianceScaling and the
// orthogonal kernels are decided here only, so both APIs return the same bits for the same
// graph seed, op seed, shape, dtype, parameters and partition (tests/data/initializers_v2.txt
// holds both to them). Errors are ValueError / TypeError (both std::invalid_argument) with
// plain messages naming the argument; the Python shells add TF's messages where those quote a
// Python value.

namespace weightinit {

// --- 16-bit element types -------------------------------------------------------------------

/// IEEE binary16 (NumPy's float16): the bits, with conversions from and to float.
///
/// Conversion from float rounds to nearest even (overflow gives infinity), as NumPy does.
struct Half {
  std::uint16_t bits = 0;

  Half() = default;
  explicit Half(float value) : bits(float16_bits(value)) {}
  static Half from_bits(std::uint16_t b) {
    Half h;
    h.bits = b;
    return h;
  }
  explicit operator float() const { return detail::half_bits_to_float(bits); }
};

/// bfloat16 (the top half of a float32; ml_dtypes' bfloat16): the bits, with conversions.
///
/// Conversion from float rounds to nearest even, as ml_dtypes does.
struct BFloat16 {
  std::uint16_t bits = 0;

  BFloat16() = default;
  explicit BFloat16(float value) : bits(bfloat16_bits(value)) {}
  static BFloat16 from_bits(std::uint16_t b) {
    BFloat16 h;
    h.bits = b;
    return h;
  }
  explicit operator float() const { return detail::bfloat16_bits_to_float(bits); }
};

static_assert(sizeof(Half) == 2 && sizeof(BFloat16) == 2, "16-bit element types");

// --- element types, shapes, tensors ---------------------------------------------------------

/// The element types initializers write: the TF1 API's float16, bfloat16, float32, float64,
/// int32 and int64 (the integer types for Zeros, Ones, Constant and RandomUniform).
enum class ElementType { kFloat32 = 0, kFloat64 = 1, kFloat16 = 2, kBFloat16 = 3, kInt32 = 4, kInt64 = 5 };

/// Bytes per element.
constexpr int element_size(ElementType t) {
  return t == ElementType::kFloat64 || t == ElementType::kInt64   ? 8
         : t == ElementType::kFloat32 || t == ElementType::kInt32 ? 4
                                                                  : 2;
}

/// True for float16, bfloat16, float32 and float64.
constexpr bool is_floating(ElementType t) {
  return t != ElementType::kInt32 && t != ElementType::kInt64;
}

/// NumPy's name of the type: "float32", "float64", "float16", "bfloat16", "int32", "int64".
const char* element_type_name(ElementType t);

/// The C++ type of each element type: float, double, Half, BFloat16, std::int32_t, std::int64_t.
template <class T>
struct element_type_of;
template <>
struct element_type_of<float> : std::integral_constant<ElementType, ElementType::kFloat32> {};
template <>
struct element_type_of<double> : std::integral_constant<ElementType, ElementType::kFloat64> {};
template <>
struct element_type_of<Half> : std::integral_constant<ElementType, ElementType::kFloat16> {};
template <>
struct element_type_of<BFloat16> : std::integral_constant<ElementType, ElementType::kBFloat16> {};
template <>
struct element_type_of<std::int32_t> : std::integral_constant<ElementType, ElementType::kInt32> {};
template <>
struct element_type_of<std::int64_t> : std::integral_constant<ElementType, ElementType::kInt64> {};
template <class T>
inline constexpr ElementType element_type_v = element_type_of<T>::value;

/// A tensor shape: non-negative dimensions, row-major (the last dimension varies fastest).
using Shape = std::vector<std::int64_t>;

/// A plain owning tensor: shape, element type, and row-major contiguous bytes.
///
/// Value type (copyable, movable; a moved-from tensor is empty). Not synchronized: share it
/// between threads read-only.
class Tensor {
 public:
  /// An empty rank-1 tensor of zero float32 elements.
  Tensor() = default;
  /// A zero-filled tensor. Throws ValueError for a negative dimension ("shape: dimensions
  /// must be non-negative, got [3, -1]") or 2^63 elements or more.
  Tensor(Shape shape, ElementType dtype);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor() = default;

  const Shape& shape() const noexcept { return shape_; }
  ElementType dtype() const noexcept { return dtype_; }
  /// Number of elements (the product of the shape; 1 for rank 0).
  std::size_t size() const noexcept { return nbytes_ / static_cast<std::size_t>(element_size(dtype_)); }
  std::size_t nbytes() const noexcept { return nbytes_; }
  void* data() noexcept { return bytes_.get(); }
  const void* data() const noexcept { return bytes_.get(); }

  /// Typed access; throws TypeError unless T is the element type's C++ type.
  template <class T>
  T* data() {
    check_type(element_type_v<T>);
    return reinterpret_cast<T*>(bytes_.get());
  }
  template <class T>
  const T* data() const {
    check_type(element_type_v<T>);
    return reinterpret_cast<const T*>(bytes_.get());
  }
  /// A copy of the elements; throws TypeError unless T is the element type's C++ type.
  template <class T>
  std::vector<T> to_vector() const {
    const T* p = data<T>();
    return std::vector<T>(p, p + size());
  }

 private:
  friend class Initializer;
  struct Uninitialized {};
  // For initializers, which write every byte: no zero-filling first.
  Tensor(Shape shape, ElementType dtype, Uninitialized);
  void check_type(ElementType t) const;

  Shape shape_{0};
  ElementType dtype_ = ElementType::kFloat32;
  std::size_t nbytes_ = 0;
  // operator new[]'s alignment covers every element type.
  std::unique_ptr<unsigned char[]> bytes_;
};

/// An integer (any C++ integer type, exactly) or a double.
///
/// Parameters that may be integers (RandomUniform's bounds, Constant's values) take one, so
/// that an integer element type can refuse 2.0 and take 2 exactly, also beyond 2^53. bool
/// is refused at compile time.
class Number {
 public:
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  constexpr Number(T v)  // NOLINT(google-explicit-constructor): numbers convert implicitly
      : is_int_(true), negative_(is_negative(v)), magnitude_(magnitude_of(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  constexpr Number(T v) : value_(static_cast<double>(v)) {}  // NOLINT(google-explicit-constructor)
  Number(bool) = delete;

  /// True for an integer, false for a floating-point value.
  constexpr bool is_integer() const noexcept { return is_int_; }
  /// The value as a double (an integer rounded to nearest).
  double to_double() const noexcept;
  /// An integer's sign and magnitude; (false, 0) for a double.
  constexpr bool negative() const noexcept { return negative_; }
  constexpr std::uint64_t magnitude() const noexcept { return magnitude_; }

 private:
  template <class T>
  static constexpr bool is_negative(T v) {
    if constexpr (std::is_signed_v<T>) {
      return v < 0;
    } else {
      return false;
    }
  }
  // |v| exactly, also for the most negative value (unsigned arithmetic wraps, by definition).
  template <class T>
  static constexpr std::uint64_t magnitude_of(T v) {
    const auto u = static_cast<std::uint64_t>(v);
    return is_negative(v) ? 0 - u : u;
  }

  bool is_int_ = false;
  bool negative_ = false;
  std::uint64_t magnitude_ = 0;
  double value_ = 0.0;
};

// --- partitions -----------------------------------------------------------------------------

/// Where a partition of a variable lies in the whole variable (TF's `_PartitionInfo`).
///
/// Random initializers write only the partition's elements, equal to the same box of the
/// unpartitioned tensor; fans and scales come from `full_shape`. Immutable, thread-safe.
class PartitionInfo {
 public:
  /// Throws ValueError (TF's messages) if the lengths differ or an offset is outside
  /// [0, full_shape[i]).
  PartitionInfo(Shape full_shape, Shape var_offset);

  const Shape& full_shape() const noexcept { return full_shape_; }
  const Shape& var_offset() const noexcept { return var_offset_; }
  /// Throws ValueError unless a partition of `shape` at var_offset lies inside full_shape
  /// (same rank, no dimension past the end). Every partitioned call checks this.
  void check(const Shape& shape) const;
  /// The one dimension in which a partition of `shape` is split (nullopt if none). Throws
  /// ValueError if the rank differs, the partition runs past the full shape, or it is split
  /// in more than one dimension.
  std::optional<std::size_t> single_slice_dim(const Shape& shape) const;
  /// The offset along single_slice_dim(shape), 0 if not split; throws as single_slice_dim.
  std::int64_t single_offset(const Shape& shape) const;

 private:
  Shape full_shape_;
  Shape var_offset_;
};

// --- seeds ----------------------------------------------------------------------------------

/// TF's pair (seed, seed2): the Philox key and the stream id of one random op
/// (Stream::tf1 computes it).
struct SeedPair {
  std::int64_t seed;
  std::int64_t seed2;
};

/// Set the process-global graph-level seed (nullopt clears it) and restart the automatic op
/// seeds at 0 (tf.compat.v1.set_random_seed). Thread-safe (one mutex guards the graph seed
/// and the op-seed counter). weightinit.tf1 in Python reads and sets this same state.
void set_random_seed(std::optional<std::int64_t> seed);

/// Forget the graph-level seed and restart automatic op seeds at 0 (set_random_seed(nullopt)).
void reset_default_graph();

/// TF's get_seed: the pair for an op with `op_seed`, given the graph-level seed g.
///
///   g set,   op seed s:    (g mod M, s mod M)
///   g set,   no op seed:   (g mod M, a mod M), a = the next automatic op seed 0, 1, 2, ...
///   g unset, op seed s:    (87654321, s mod M)
///   g unset, no op seed:   nullopt (the op draws fresh seeds from the OS)
///
/// with M = 2^31 - 1 and the floored modulo (a result in [0, M) for negative seeds too); exactly
/// (0, 0) becomes (0, M). Thread-safe: each call that needs an automatic op seed takes the
/// next one atomically (which call gets which depends on the order the calls run in).
std::optional<SeedPair> get_seed(std::optional<std::int64_t> op_seed);

namespace detail {
/// The stream of one call of a TF1 random op (family weightinit): Stream::tf1 of the
/// graph seed and `op_seed` (or the next automatic op seed), as get_seed gives them, or
/// Stream::entropy() when both seeds are unset.
Stream op_stream(std::optional<std::int64_t> op_seed);

/// While alive, every call of a random initializer on this thread draws on `stream` (its
/// key and stream id, family weightinit) instead of the pair get_seed gives (nor does it
/// take an automatic op seed): the stateless seeding of the Keras classes (Stream::keras,
/// Stream::keras_state). Scopes nest; not copyable.
class ScopedStream {
 public:
  explicit ScopedStream(Stream stream);
  ~ScopedStream();
  ScopedStream(const ScopedStream&) = delete;
  ScopedStream& operator=(const ScopedStream&) = delete;

 private:
  Stream stream_;
  const Stream* previous_;
};

/// The number of elements of `shape`. Throws ValueError naming `argname` for a negative
/// dimension or 2^63 elements or more.
std::uint64_t check_shape(const Shape& shape, const char* argname);

/// Constant's layout (TF1 graph mode) for elements of any type of `itemsize` bytes: the
/// `values` (row-major, of shape `value_shape`) written row-major over `shape` at `out`, and
/// when there are fewer values than elements the rest are copies of the last value (zero
/// bytes when there are none). For a non-empty `shape`, throws TypeError when `verify_shape`
/// and value_shape != shape, then ValueError for more values than elements; an empty shape
/// takes no values and raises nothing. `shape` is checked already (check_shape).
void constant_layout(const void* values, const Shape& value_shape, std::size_t itemsize,
                     const Shape& shape, bool verify_shape, void* out);

// The key/stream the partitions of one variable share (see RandomInitializer). Copying copies
// the cached value; a mutex guards it.
class PartitionSeeds {
 public:
  PartitionSeeds();
  PartitionSeeds(const PartitionSeeds& other);
  PartitionSeeds& operator=(const PartitionSeeds& other);
  ~PartitionSeeds();
  Stream get(std::optional<std::int64_t> op_seed, const Shape& full_shape, bool at_origin) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};
}  // namespace detail

// --- the base class -------------------------------------------------------------------------

/// Base of the initializers: a callable (shape, dtype, partition_info) -> tensor.
///
/// Every call checks the dtype, the shape, then the class's own arguments, and throws
/// ValueError / TypeError (both std::invalid_argument). Instances are immutable after
/// construction (Python's get_config is the getters);
/// calling one instance from several threads is safe. Random initializers follow
/// set_random_seed / get_seed: a seeded instance returns the same values on every call, an
/// unseeded one takes a new automatic op seed (or fresh OS seeds) on every call.
class Initializer {
 public:
  virtual ~Initializer() = default;

  /// A new tensor of `shape` in `dtype` (nullopt: the constructor's dtype).
  Tensor operator()(const Shape& shape, std::optional<ElementType> dtype = std::nullopt,
                    const std::optional<PartitionInfo>& partition_info = std::nullopt) const;

  /// Write the tensor of `shape` in `dtype` to `out`: product(shape) elements, row-major,
  /// contiguous, aligned for the element type. With a partition, `shape` is the partition's
  /// own shape. Throws as operator(); what was written before an exception is unspecified.
  void fill(const Shape& shape, ElementType dtype, void* out,
            const std::optional<PartitionInfo>& partition_info = std::nullopt) const;

  /// The values as a std::vector<T> (T = float, double, Half, BFloat16, int32_t or int64_t,
  /// which selects the dtype).
  template <class T>
  std::vector<T> values(const Shape& shape,
                        const std::optional<PartitionInfo>& partition_info = std::nullopt) const {
    return (*this)(shape, element_type_v<T>, partition_info).template to_vector<T>();
  }

  /// The constructor's dtype: the default of calls without one.
  ElementType dtype() const noexcept { return dtype_; }
  /// The class name ("GlorotUniform", "VarianceScaling", ...), used in messages.
  virtual const char* name() const noexcept = 0;

 protected:
  explicit Initializer(ElementType dtype) : dtype_(dtype) {}
  /// Whether calls need a floating dtype (TypeError otherwise: TF's random ops fail so).
  virtual bool float_only() const noexcept { return true; }
  /// Write the values; `shape` and `dtype` are checked already, `out` holds them.
  virtual void generate(const Shape& shape, ElementType dtype,
                        const std::optional<PartitionInfo>& partition_info, void* out) const = 0;
  /// The checks every call starts with (default: the dtype, then the shape).
  virtual void check_call(const Shape& shape, ElementType dtype) const;
  /// TypeError for an integer dtype when float_only().
  void check_dtype(ElementType dtype) const;

  ElementType dtype_;
};

/// Base of the seeded initializers: the op seed and the key/stream of a call.
class RandomInitializer : public Initializer {
 public:
  /// The op seed (nullopt: automatic, see get_seed).
  std::optional<std::int64_t> seed() const noexcept { return seed_; }
  /// The stream family of this instance (nullopt: get_tf1_stream() at each call).
  std::optional<StreamFamily> stream() const noexcept { return stream_; }
  /// Choose the stream family (before the instance is shared between threads). With
  /// kTensorFlow every call returns TensorFlow's own values for the same seeds
  /// (tensorflow_stream::fill_law); the orthogonal classes refuse it (ValueError at call).
  void set_stream(std::optional<StreamFamily> family) noexcept { stream_ = family; }

 protected:
  RandomInitializer(std::optional<std::int64_t> seed, ElementType dtype)
      : Initializer(dtype), seed_(seed) {}
  // Each unpartitioned call is one TF op with its own seeds. The partitions of one variable
  // share them: a partition at offset zero draws them, later partitions of the same full
  // shape reuse them, so that together they form one tensor.
  Stream call_stream(const std::optional<PartitionInfo>& partition_info) const;
  /// Whether the class can draw TensorFlow's stream (not the QR-based ones).
  virtual bool tensorflow_stream_supported() const noexcept { return true; }

  std::optional<std::int64_t> seed_;
  std::optional<StreamFamily> stream_;
  detail::PartitionSeeds partition_seeds_;
};

// --- constants ------------------------------------------------------------------------------

/// Every element zero (`tf.compat.v1.zeros_initializer`). Any dtype; partition_info ignored.
class Zeros : public Initializer {
 public:
  explicit Zeros(ElementType dtype = ElementType::kFloat32) : Initializer(dtype) {}
  const char* name() const noexcept override { return "Zeros"; }

 protected:
  bool float_only() const noexcept override { return false; }
  void generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                void* out) const override;
};

/// Every element one (`tf.compat.v1.ones_initializer`). Any dtype; partition_info ignored.
class Ones : public Initializer {
 public:
  explicit Ones(ElementType dtype = ElementType::kFloat32) : Initializer(dtype) {}
  const char* name() const noexcept override { return "Ones"; }

 protected:
  bool float_only() const noexcept override { return false; }
  void generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                void* out) const override;
};

/// Constant values (`tf.compat.v1.constant_initializer`), TF1 graph-mode rules.
///
/// The values are converted to the dtype, laid out row-major over the shape (their own
/// shape is ignored), and a shorter list is padded with its **last** value (an empty list
/// with zeros): detail::constant_layout. An integer dtype takes integers exactly (TypeError
/// for a double, ValueError for a value out of its range); a float dtype takes every value
/// as a double (an integer rounded to nearest) rounded to the element type. More values
/// than elements is a ValueError ("Too many elements provided. Needed at most 6, but
/// received 8"); with verify_shape the value's shape must equal the shape (TypeError
/// "Expected Tensor's shape: [3, 4], got [8]."). partition_info is ignored, as in TF.
class Constant : public Initializer {
 public:
  /// A scalar value (shape ()).
  Constant(Number value = 0, ElementType dtype = ElementType::kFloat32, bool verify_shape = false);
  /// A list of values (shape (n,)).
  Constant(std::initializer_list<Number> values, ElementType dtype = ElementType::kFloat32,
           bool verify_shape = false);
  Constant(std::vector<Number> values, ElementType dtype = ElementType::kFloat32,
           bool verify_shape = false);
  /// Values with a shape (a nested list in Python): row-major, product(value_shape) of them,
  /// else ValueError.
  Constant(std::vector<Number> values, Shape value_shape, ElementType dtype = ElementType::kFloat32,
           bool verify_shape = false);

  using Initializer::operator();
  /// A call with TF's fourth argument: `verify_shape` overrides the constructor's setting.
  Tensor operator()(const Shape& shape, std::optional<ElementType> dtype,
                    const std::optional<PartitionInfo>& partition_info, bool verify_shape) const;

  const std::vector<Number>& value() const noexcept { return values_; }
  const Shape& value_shape() const noexcept { return value_shape_; }
  bool verify_shape() const noexcept { return verify_shape_; }
  const char* name() const noexcept override { return "Constant"; }

 protected:
  bool float_only() const noexcept override { return false; }
  void generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                void* out) const override;

 private:
  void write(const Shape& shape, ElementType dtype, bool verify, void* out) const;

  std::vector<Number> values_;
  Shape value_shape_;
  bool verify_shape_;
};

// --- random ---------------------------------------------------------------------------------

/// Uniform values (`tf.compat.v1.random_uniform_initializer`).
///
/// Float dtypes: x = minval + U (maxval - minval), U uniform on [0, 1), so x lies in
/// [minval, maxval) (maxval nullopt: 1). int32 / int64: x = minval + (w mod (maxval - minval))
/// for the element's raw 32- / 64-bit stream word w (TF's rule). minval > maxval gives
/// (maxval, minval], minval == maxval gives minval (the values of TF's formula).
/// At call time: ValueError "Must specify maxval for integer dtype int32", TypeError for a
/// non-integer bound with an integer dtype, ValueError for a bound out of the integer
/// dtype's range, for minval >= maxval there (non-empty shapes), or a non-finite bound.
class RandomUniform : public RandomInitializer {
 public:
  RandomUniform(Number minval = 0, std::optional<Number> maxval = std::nullopt,
                std::optional<std::int64_t> seed = std::nullopt,
                ElementType dtype = ElementType::kFloat32)
      : RandomInitializer(seed, dtype), minval_(minval), maxval_(maxval) {}

  Number minval() const noexcept { return minval_; }
  std::optional<Number> maxval() const noexcept { return maxval_; }
  const char* name() const noexcept override { return "RandomUniform"; }

 protected:
  bool float_only() const noexcept override { return false; }
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;

 private:
  Number minval_;
  std::optional<Number> maxval_;
};

/// Normal values mean + stddev z (`tf.compat.v1.random_normal_initializer`).
///
/// Float dtypes only: ValueError "Expected floating point type, got int32." at construction,
/// TypeError for an integer dtype at call time. stddev is not sign-checked (a negative one
/// mirrors the draw, 0 gives mean); a non-finite mean or stddev is a ValueError at call time.
class RandomNormal : public RandomInitializer {
 public:
  RandomNormal(double mean = 0.0, double stddev = 1.0,
               std::optional<std::int64_t> seed = std::nullopt,
               ElementType dtype = ElementType::kFloat32);

  double mean() const noexcept { return mean_; }
  double stddev() const noexcept { return stddev_; }
  const char* name() const noexcept override { return "RandomNormal"; }

 protected:
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;
  double mean_;
  double stddev_;
};

/// Normal values restricted to [mean - 2 stddev, mean + 2 stddev]
/// (`tf.compat.v1.truncated_normal_initializer`); their standard deviation is
/// 0.87962566103423978 stddev. Checks as RandomNormal.
class TruncatedNormal : public RandomNormal {
 public:
  TruncatedNormal(double mean = 0.0, double stddev = 1.0,
                  std::optional<std::int64_t> seed = std::nullopt,
                  ElementType dtype = ElementType::kFloat32)
      : RandomNormal(mean, stddev, seed, dtype) {}
  const char* name() const noexcept override { return "TruncatedNormal"; }

 protected:
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;
};

/// See laws::kTruncatedStddev.
inline constexpr double kTruncatedStddev = laws::kTruncatedStddev;

/// Scale-adaptive values (`tf.compat.v1.variance_scaling_initializer`).
///
/// With n = max(1, fan_in) ("fan_in"), max(1, fan_out) ("fan_out") or
/// max(1, (fan_in + fan_out) / 2) ("fan_avg") and s = scale / n:
/// "truncated_normal" (and its deprecated alias "normal"): truncated normal on [-2, 2]
/// stddevs with stddev sqrt(s) / 0.87962566103423978; "untruncated_normal": normal with
/// stddev sqrt(s); "uniform": uniform on [-sqrt(3 s), sqrt(3 s)). Fans in TF's layout
/// (..., in, out), from the partition's full_shape when partitioned.
/// The constructor throws ValueError in TF's order: scale <= 0 ("`scale` must be positive
/// float."), an unknown mode (case-sensitive; laws::parse_mode), an unknown distribution
/// (case-insensitive, stored lower-cased; laws::parse_scaling), a non-float dtype.
class VarianceScaling : public RandomInitializer {
 public:
  VarianceScaling(double scale = 1.0, const std::string& mode = "fan_in",
                  const std::string& distribution = "truncated_normal",
                  std::optional<std::int64_t> seed = std::nullopt,
                  ElementType dtype = ElementType::kFloat32);
  /// The named preset's VarianceScaling (presets.hpp: glorot_*, he_*, lecun_*).
  explicit VarianceScaling(const laws::Preset& preset,
                           std::optional<std::int64_t> seed = std::nullopt,
                           ElementType dtype = ElementType::kFloat32);

  double scale() const noexcept { return scale_; }
  const std::string& mode() const noexcept { return mode_; }
  const std::string& distribution() const noexcept { return distribution_; }
  const char* name() const noexcept override { return "VarianceScaling"; }

 protected:
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;

 private:
  double scale_;
  std::string mode_;
  std::string distribution_;
};

/// Glorot (Xavier) uniform (`tf.compat.v1.glorot_uniform_initializer`): the preset
/// glorot_uniform, VarianceScaling(1.0, "fan_avg", "uniform"), limit sqrt(6 / (fan_in + fan_out)).
/// TF's class ignores a constructor dtype, so there is none here: calls without a dtype
/// give float32; pass the dtype when calling.
class GlorotUniform : public VarianceScaling {
 public:
  explicit GlorotUniform(std::optional<std::int64_t> seed = std::nullopt)
      : VarianceScaling(laws::preset("glorot_uniform"), seed) {}
  const char* name() const noexcept override { return "GlorotUniform"; }
};

/// Glorot (Xavier) normal (`tf.compat.v1.glorot_normal_initializer`): the preset
/// glorot_normal, VarianceScaling(1.0, "fan_avg", "truncated_normal"), final stddev
/// sqrt(2 / (fan_in + fan_out)). No constructor dtype (see GlorotUniform).
class GlorotNormal : public VarianceScaling {
 public:
  explicit GlorotNormal(std::optional<std::int64_t> seed = std::nullopt)
      : VarianceScaling(laws::preset("glorot_normal"), seed) {}
  const char* name() const noexcept override { return "GlorotNormal"; }
};

/// VarianceScaling(1.0, "fan_in", "truncated_normal", seed): stddev sqrt(1 / fan_in).
VarianceScaling lecun_normal(std::optional<std::int64_t> seed = std::nullopt);  // preset lecun_normal
/// VarianceScaling(1.0, "fan_in", "uniform", seed): limit sqrt(3 / fan_in).
VarianceScaling lecun_uniform(std::optional<std::int64_t> seed = std::nullopt);  // preset lecun_uniform
/// VarianceScaling(2.0, "fan_in", "truncated_normal", seed): stddev sqrt(2 / fan_in).
VarianceScaling he_normal(std::optional<std::int64_t> seed = std::nullopt);  // preset he_normal
/// VarianceScaling(2.0, "fan_in", "uniform", seed): limit sqrt(6 / fan_in).
VarianceScaling he_uniform(std::optional<std::int64_t> seed = std::nullopt);  // preset he_uniform

/// Deprecated TF initializer (`tf.compat.v1.uniform_unit_scaling_initializer`): uniform on
/// [-m, m) with m = sqrt(3 / input_size) * factor, input_size = max(1, product of all
/// dimensions but the last). Use VarianceScaling(factor^2, "fan_in", "uniform") instead.
/// A non-finite factor is a ValueError at call time.
class UniformUnitScaling : public RandomInitializer {
 public:
  UniformUnitScaling(double factor = 1.0, std::optional<std::int64_t> seed = std::nullopt,
                     ElementType dtype = ElementType::kFloat32);
  double factor() const noexcept { return factor_; }
  const char* name() const noexcept override { return "UniformUnitScaling"; }

 protected:
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;

 private:
  double factor_;
};

// --- matrices -------------------------------------------------------------------------------

/// gain times the identity matrix (`tf.compat.v1.initializers.identity`): ones at (i, i) for
/// i < min(rows, cols). 2-D shapes only (ValueError "Identity matrix initializer can only be
/// used for 2D matrices."); with a partition, the partition's block of the full identity.
class Identity : public Initializer {
 public:
  explicit Identity(double gain = 1.0, ElementType dtype = ElementType::kFloat32);
  double gain() const noexcept { return gain_; }
  const char* name() const noexcept override { return "Identity"; }

 protected:
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;

 private:
  double gain_;
};

/// A random (semi-)orthogonal matrix times gain (`tf.compat.v1.orthogonal_initializer`).
///
/// The shape is flattened to rows x cols (rows = product of all dimensions but the last) and
/// filled by weightinit::orthogonal(rows, cols, gain, ...) on the call's (key, stream): the
/// Householder Q of a standard-normal (max(rows, cols), min(rows, cols)) matrix, each column
/// multiplied by the sign of R's diagonal element (the Haar measure), transposed when
/// rows < cols, times gain; computed in float for 16/32-bit outputs and in double for float64.
/// So W^T W = gain^2 I (rows >= cols) or W W^T = gain^2 I. weightinit.tf1.Orthogonal calls this class:
/// both APIs give the same bits. Shapes of rank < 2, real partitions and a non-finite gain are
/// ValueErrors. Uses the fill threads (get_num_threads()); the result depends neither on
/// their number nor on the kernel target.
class Orthogonal : public RandomInitializer {
 public:
  Orthogonal(double gain = 1.0, std::optional<std::int64_t> seed = std::nullopt,
             ElementType dtype = ElementType::kFloat32);
  double gain() const noexcept { return gain_; }
  const char* name() const noexcept override { return "Orthogonal"; }

 protected:
  bool tensorflow_stream_supported() const noexcept override { return false; }
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;

 private:
  double gain_;
};

// --- convolution-orthogonal kernels ---------------------------------------------------------

/// Delta-orthogonal convolution kernel (`convolutional_delta_orthogonal`; Xiao et al.,
/// "Dynamical isometry and a mean field theory of CNNs", ICML 2018).
///
/// For a kernel (k1, [k2, [k3,]] in, out) with in <= out: zero but at the spatial centre
/// ((k1 - 1) / 2, ...), which holds gain times the first `in` rows of a Haar-orthogonal
/// out x out matrix (as Orthogonal draws it). Checks in TF's order, shape first:
/// ValueError for a rank outside 3..5 or in > out, then TypeError for an integer dtype,
/// ValueError for a real partition. A seeded instance returns the same kernel on every call.
class ConvolutionDeltaOrthogonal : public RandomInitializer {
 public:
  ConvolutionDeltaOrthogonal(double gain = 1.0, std::optional<std::int64_t> seed = std::nullopt,
                             ElementType dtype = ElementType::kFloat32);
  double gain() const noexcept { return gain_; }
  const char* name() const noexcept override { return "ConvolutionDeltaOrthogonal"; }

 protected:
  bool tensorflow_stream_supported() const noexcept override { return false; }
  void check_call(const Shape& shape, ElementType dtype) const override;
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;

 private:
  double gain_;
};

/// Base of the orthogonal convolution kernels of rank 3, 4 and 5 (`convolutional_orthogonal_1d`,
/// `_2d`, `_3d`; Xiao et al. 2018, Algorithm 2).
///
/// A kernel (k, ..., k, in, out) with in <= out whose transfer function has orthonormal rows
/// times gain at every frequency, so the circular convolution is an isometry: the first `in`
/// rows of a Haar out x out matrix times a product of k - 1 block kernels of random symmetric
/// projections. All matrices are drawn one after another from the call's one stream (TF
/// instead bumps the instance's seed). Checks in TF's order: the rank, in > out, unequal
/// kernel sizes (ValueError), then the dtype, then a real partition. The
/// Haar matrices come from weightinit::orthogonal and every product is the matrix kernels'
/// (float for 16/32-bit outputs, double for float64).
class ConvolutionOrthogonal : public RandomInitializer {
 public:
  double gain() const noexcept { return gain_; }

 protected:
  bool tensorflow_stream_supported() const noexcept override { return false; }
  ConvolutionOrthogonal(int rank, double gain, std::optional<std::int64_t> seed, ElementType dtype);
  void check_call(const Shape& shape, ElementType dtype) const override;
  void generate(const Shape& shape, ElementType dtype,
                const std::optional<PartitionInfo>& partition_info, void* out) const override;

 private:
  int rank_;
  double gain_;
};

/// ConvolutionOrthogonal for (k, in, out) kernels: block kernel [P, I - P].
class ConvolutionOrthogonal1D : public ConvolutionOrthogonal {
 public:
  ConvolutionOrthogonal1D(double gain = 1.0, std::optional<std::int64_t> seed = std::nullopt,
                          ElementType dtype = ElementType::kFloat32)
      : ConvolutionOrthogonal(3, gain, seed, dtype) {}
  const char* name() const noexcept override { return "ConvolutionOrthogonal1D"; }
};

/// ConvolutionOrthogonal for (k, k, in, out) kernels: block kernel
/// [[P1 P2, P1 (I - P2)], [(I - P1) P2, (I - P1)(I - P2)]].
class ConvolutionOrthogonal2D : public ConvolutionOrthogonal {
 public:
  ConvolutionOrthogonal2D(double gain = 1.0, std::optional<std::int64_t> seed = std::nullopt,
                          ElementType dtype = ElementType::kFloat32)
      : ConvolutionOrthogonal(4, gain, seed, dtype) {}
  const char* name() const noexcept override { return "ConvolutionOrthogonal2D"; }
};

/// ConvolutionOrthogonal for (k, k, k, in, out) kernels: block kernel of entries A B C, each
/// factor Pi or I - Pi.
class ConvolutionOrthogonal3D : public ConvolutionOrthogonal {
 public:
  ConvolutionOrthogonal3D(double gain = 1.0, std::optional<std::int64_t> seed = std::nullopt,
                          ElementType dtype = ElementType::kFloat32)
      : ConvolutionOrthogonal(5, gain, seed, dtype) {}
  const char* name() const noexcept override { return "ConvolutionOrthogonal3D"; }
};

}  // namespace weightinit
