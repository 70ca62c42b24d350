// SPDX-License-Identifier: BSD-3-Clause
// The TF1 initializer classes: seeds, partitions, dtype rules, Constant's layout, the draws.

#include "weightinit/initializers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <utility>

#include "initializers_internal.hpp"
#include "store.hpp"
#include "weightinit/cpu.hpp"
#include "weightinit/fans.hpp"

// Scales come from the law table (laws.hpp) and every random draw ends in fill_law or
// fill_box, so a class here and the same law anywhere else write the same bits.

namespace weightinit {
namespace {

#include "uniform_int-inl.hpp"

using detail::assert_float_dtype;
using detail::Box;
using detail::check_shape;
using detail::dims_text;
using detail::element_count;
using detail::fill_dtype;
using detail::is_split;
using detail::partition_box;
using detail::to_f32;

constexpr std::uint64_t kTwo63 = std::uint64_t{1} << 63;

// --- message text ---------------------------------------------------------------------------

}  // namespace

namespace detail {

// "[3, 4]": the dimensions of a shape, an offset or a list of axes.
std::string dims_text(const Shape& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

}  // namespace detail

namespace {

// The shortest decimal that reads back to x ("0.5", "1e-05", "inf").
std::string double_text(double x) {
  char buf[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (!std::isfinite(x) || std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

std::string number_text(const Number& v) {
  if (!v.is_integer()) return double_text(v.to_double());
  return (v.negative() && v.magnitude() ? "-" : "") + std::to_string(v.magnitude());
}

// --- shapes ---------------------------------------------------------------------------------

}  // namespace

namespace detail {

std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (const std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

}  // namespace detail

namespace {

std::vector<std::int64_t> byte_strides(const Shape& shape, int itemsize) {
  std::vector<std::int64_t> out(shape.size());
  std::int64_t acc = itemsize;
  for (std::size_t k = shape.size(); k-- > 0;) {
    out[k] = acc;
    acc *= std::max<std::int64_t>(shape[k], 1);
  }
  return out;
}

}  // namespace

namespace detail {

// --- partitions -----------------------------------------------------------------------------

Box partition_box(const Shape& shape, const std::optional<PartitionInfo>& info) {
  if (!info) return {shape, Shape(shape.size(), 0), false};
  check_shape(info->full_shape(), "partition_info.full_shape");
  info->check(shape);
  return {info->full_shape(), info->var_offset(), true};
}

// True when the box makes `shape` a proper part of a larger tensor.
bool is_split(const Shape& shape, const Box& box) {
  return box.partitioned &&
         (shape != box.full ||
          std::any_of(box.offset.begin(), box.offset.end(), [](std::int64_t o) { return o != 0; }));
}

}  // namespace detail

namespace {

// --- elements -------------------------------------------------------------------------------

}  // namespace

namespace detail {

DType fill_dtype(ElementType t) {
  switch (t) {
    case ElementType::kFloat32: return DType::kFloat32;
    case ElementType::kFloat64: return DType::kFloat64;
    case ElementType::kFloat16: return DType::kFloat16;
    case ElementType::kBFloat16: return DType::kBFloat16;
    case ElementType::kInt32: return DType::kUInt32;
    case ElementType::kInt64: return DType::kUInt64;
  }
  return DType::kFloat32;
}

}  // namespace detail

namespace {

// An integer-dtype value: an integer within the dtype's range.
std::int64_t integer_value(const Number& v, ElementType dt, const char* argname) {
  const char* name = element_type_name(dt);
  if (!v.is_integer()) {
    throw TypeError(std::string(argname) + ": " + name + " takes integers, got the double " +
                    number_text(v));
  }
  const std::uint64_t limit = dt == ElementType::kInt32 ? std::uint64_t{1} << 31 : kTwo63;
  if (v.negative() ? v.magnitude() > limit : v.magnitude() >= limit) {
    throw ValueError(std::string(argname) + ": " + number_text(v) + " is out of range for " + name);
  }
  return v.negative() ? static_cast<std::int64_t>(0 - v.magnitude())
                      : static_cast<std::int64_t>(v.magnitude());
}

// Element `i` of `out` := v in the element type: integer types exactly (checked), float types
// from the value as a double, rounded once more to the type (detail::store_double).
void store_number(ElementType t, void* out, std::size_t i, const Number& v, const char* argname) {
  switch (t) {
    case ElementType::kInt32:
      static_cast<std::int32_t*>(out)[i] = static_cast<std::int32_t>(integer_value(v, t, argname));
      break;
    case ElementType::kInt64: static_cast<std::int64_t*>(out)[i] = integer_value(v, t, argname); break;
    default: {
      auto* p = static_cast<unsigned char*>(out) + i * static_cast<std::size_t>(element_size(t));
      detail::store_double(fill_dtype(t), p, v.to_double());
      break;
    }
  }
}

// --- the draw -------------------------------------------------------------------------------

// One random tensor from the fill layer (fill_law resolves TF's degenerate laws). An empty
// shape draws nothing and so raises nothing.
void draw(const Shape& shape, ElementType dt, const Law& law, const Stream& ks,
          const Box& box, void* out, bool zero_min_integer = false) {
  if (element_count(shape) == 0) return;
  if (ks.family() == StreamFamily::kTensorFlow) {
    tensorflow_stream::fill_law(law, ks.key(), ks.stream_id(), fill_dtype(dt), box.full, box.offset,
                                shape, out, byte_strides(shape, element_size(dt)),
                                zero_min_integer);
    return;
  }
  fill_law(law, ks, fill_dtype(dt), box.full, box.offset, shape, out,
           byte_strides(shape, element_size(dt)));
}

// TF's integer uniform (uniform_int-inl.hpp) from the raw 32- or 64-bit word of each element.
void draw_int(const Shape& shape, ElementType dt, std::int64_t low, std::int64_t high,
              const Stream& ks, const Box& box, void* out) {
  const std::size_t n = element_count(shape);
  if (n == 0) return;
  if (ks.family() == StreamFamily::kTensorFlow) {
    tensorflow_stream::fill_uniform_int(low, high, ks.key(), ks.stream_id(), fill_dtype(dt), box.full,
                                        box.offset, shape, out,
                                        byte_strides(shape, element_size(dt)));
    return;
  }
  fill_box(Distribution::bits(), ks, fill_dtype(dt), box.full,
           box.offset, shape, out, byte_strides(shape, element_size(dt)));
  const UniformIntWords words = uniform_int_words(low, high);
  if (dt == ElementType::kInt32) {
    auto* w = static_cast<std::uint32_t*>(out);
    for (std::size_t i = 0; i < n; ++i) w[i] = uniform_int_word(w[i], words.range32, words.base32);
  } else {
    auto* w = static_cast<std::uint64_t*>(out);
    for (std::size_t i = 0; i < n; ++i) w[i] = uniform_int_word(w[i], words.range64, words.base64);
  }
}

// --- parameters -----------------------------------------------------------------------------

double finite(double x, const char* argname) {
  if (!std::isfinite(x)) throw ValueError(std::string(argname) + ": must be finite, got " + double_text(x));
  return x;
}

}  // namespace

namespace detail {

// TF's _assert_float_dtype (constructors of the float-only classes).
ElementType assert_float_dtype(ElementType dt) {
  if (!is_floating(dt)) {
    throw ValueError(std::string("Expected floating point type, got ") + element_type_name(dt) + ".");
  }
  return dt;
}

}  // namespace detail

namespace {

// --- seeds ----------------------------------------------------------------------------------

struct GraphSeeds {
  std::mutex mutex;
  std::optional<std::int64_t> graph_seed;
  std::int64_t counter = 0;
};

GraphSeeds& graph_seeds() {
  static GraphSeeds s;
  return s;
}

// The stream of the innermost ScopedStream on this thread, if any.
thread_local const Stream* t_fixed_stream = nullptr;

}  // namespace

// --- element types, tensors, numbers --------------------------------------------------------

const char* element_type_name(ElementType t) {
  switch (t) {
    case ElementType::kFloat32: return "float32";
    case ElementType::kFloat64: return "float64";
    case ElementType::kFloat16: return "float16";
    case ElementType::kBFloat16: return "bfloat16";
    case ElementType::kInt32: return "int32";
    case ElementType::kInt64: return "int64";
  }
  return "?";
}

Tensor::Tensor(Shape shape, ElementType dtype, Uninitialized)
    : shape_(std::move(shape)), dtype_(dtype) {
  const std::uint64_t n = check_shape(shape_, "shape");
  nbytes_ = static_cast<std::size_t>(n) * static_cast<std::size_t>(element_size(dtype));
  bytes_.reset(new unsigned char[nbytes_ == 0 ? 1 : nbytes_]);
}

Tensor::Tensor(Shape shape, ElementType dtype) : Tensor(std::move(shape), dtype, Uninitialized{}) {
  std::memset(bytes_.get(), 0, nbytes_);
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_), dtype_(other.dtype_), nbytes_(other.nbytes_) {
  if (other.bytes_) {
    bytes_.reset(new unsigned char[nbytes_ == 0 ? 1 : nbytes_]);
    std::memcpy(bytes_.get(), other.bytes_.get(), nbytes_);
  }
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) *this = Tensor(other);
  return *this;
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)), dtype_(other.dtype_), nbytes_(other.nbytes_),
      bytes_(std::move(other.bytes_)) {
  other.shape_ = Shape{0};
  other.nbytes_ = 0;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this != &other) {
    shape_ = std::move(other.shape_);
    dtype_ = other.dtype_;
    nbytes_ = other.nbytes_;
    bytes_ = std::move(other.bytes_);
    other.shape_ = Shape{0};
    other.nbytes_ = 0;
  }
  return *this;
}

void Tensor::check_type(ElementType t) const {
  if (t != dtype_) {
    throw TypeError(std::string("Tensor: elements are ") + element_type_name(dtype_) + ", not " +
                    element_type_name(t));
  }
}

double Number::to_double() const noexcept {
  if (!is_int_) return value_;
  const double m = static_cast<double>(magnitude_);
  return negative_ ? -m : m;
}

// --- partitions -----------------------------------------------------------------------------

PartitionInfo::PartitionInfo(Shape full_shape, Shape var_offset)
    : full_shape_(std::move(full_shape)), var_offset_(std::move(var_offset)) {
  if (full_shape_.size() != var_offset_.size()) {
    throw ValueError("Expected equal length, but `var_offset` is of length " +
                     std::to_string(var_offset_.size()) + " while full_shape is of length " +
                     std::to_string(full_shape_.size()) + ".");
  }
  for (std::size_t i = 0; i < full_shape_.size(); ++i) {
    if (!(0 <= var_offset_[i] && var_offset_[i] < full_shape_[i])) {
      throw ValueError("Expected 0 <= offset < shape but found offset=" +
                       std::to_string(var_offset_[i]) + ", shape=" + std::to_string(full_shape_[i]) +
                       " for var_offset=" + dims_text(var_offset_) + ", full_shape=" +
                       dims_text(full_shape_));
    }
  }
}

void PartitionInfo::check(const Shape& shape) const {
  if (shape.size() != full_shape_.size()) {
    throw ValueError("partition_info: a partition of shape " + dims_text(shape) + " (rank " +
                     std::to_string(shape.size()) + ") cannot lie in full_shape " +
                     dims_text(full_shape_) + " (rank " + std::to_string(full_shape_.size()) + ")");
  }
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0 || var_offset_[d] + shape[d] > full_shape_[d]) {
      throw ValueError("partition_info: with var_offset=" + dims_text(var_offset_) +
                       ", a partition of shape " + dims_text(shape) + " would exceed full_shape=" +
                       dims_text(full_shape_) + " in dimension " + std::to_string(d));
    }
  }
}

std::optional<std::size_t> PartitionInfo::single_slice_dim(const Shape& shape) const {
  check(shape);
  Shape split;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] != full_shape_[i]) split.push_back(static_cast<std::int64_t>(i));
  }
  if (split.size() > 1) {
    throw ValueError("Cannot use single_slice_dim() with shape=" + dims_text(shape) +
                     " and full_shape=" + dims_text(full_shape_) +
                     " since the slice dim could be any of dimensions " + dims_text(split) + ".");
  }
  if (split.empty()) return std::nullopt;
  return static_cast<std::size_t>(split[0]);
}

std::int64_t PartitionInfo::single_offset(const Shape& shape) const {
  const std::optional<std::size_t> dim = single_slice_dim(shape);
  return dim ? var_offset_[*dim] : 0;
}

// --- seeds ----------------------------------------------------------------------------------

void set_random_seed(std::optional<std::int64_t> seed) {
  GraphSeeds& g = graph_seeds();
  const std::lock_guard<std::mutex> lock(g.mutex);
  g.graph_seed = seed;
  g.counter = 0;
}

void reset_default_graph() { set_random_seed(std::nullopt); }

namespace {

// The stream get_seed's pair gives (Stream::tf1), taking the next automatic op seed when
// the graph seed is set and `op_seed` is not; nullopt when both are unset.
std::optional<Stream> seeded_stream(std::optional<std::int64_t> op_seed) {
  std::optional<std::int64_t> graph_seed;
  {
    GraphSeeds& g = graph_seeds();
    const std::lock_guard<std::mutex> lock(g.mutex);
    graph_seed = g.graph_seed;
    if (graph_seed && !op_seed) op_seed = g.counter++;
  }
  if (!op_seed) return std::nullopt;
  return Stream::tf1(graph_seed, *op_seed);
}

}  // namespace

std::optional<SeedPair> get_seed(std::optional<std::int64_t> op_seed) {
  const std::optional<Stream> s = seeded_stream(op_seed);
  if (!s) return std::nullopt;
  return SeedPair{static_cast<std::int64_t>(s->key()), static_cast<std::int64_t>(s->stream_id())};
}

namespace detail {

Stream op_stream(std::optional<std::int64_t> op_seed) {
  // A TF1 op reads its stream from block 0 (docs/streams.md §2): only the key and id count.
  if (t_fixed_stream) return Stream(t_fixed_stream->key(), t_fixed_stream->stream_id());
  // TF's unseeded ops seed themselves from the OS; so does weightinit.
  return seeded_stream(op_seed).value_or(Stream::entropy());
}

ScopedStream::ScopedStream(Stream stream) : stream_(stream), previous_(t_fixed_stream) {
  t_fixed_stream = &stream_;
}

ScopedStream::~ScopedStream() { t_fixed_stream = previous_; }

std::uint64_t check_shape(const Shape& shape, const char* argname) {
  for (const std::int64_t d : shape) {
    if (d < 0) {
      throw ValueError(std::string(argname) + ": dimensions must be non-negative, got " + dims_text(shape));
    }
  }
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  std::uint64_t n = 1;
  for (const std::int64_t d : shape) {
    const auto u = static_cast<std::uint64_t>(d);
    if (n > (kTwo63 - 1) / u) {
      throw ValueError(std::string(argname) + ": " + dims_text(shape) + " has 2^63 elements or more");
    }
    n *= u;
  }
  return n;
}

void constant_layout(const void* values, const Shape& value_shape, std::size_t itemsize,
                     const Shape& shape, bool verify_shape, void* out) {
  const std::size_t size = element_count(shape);
  if (size == 0) return;  // TF uses no value for an empty tensor
  if (verify_shape && value_shape != shape) {
    throw TypeError("Expected Tensor's shape: " + dims_text(shape) + ", got " + dims_text(value_shape) + ".");
  }
  const std::size_t count = element_count(value_shape);
  if (count > size) {
    throw ValueError("Too many elements provided. Needed at most " + std::to_string(size) +
                     ", but received " + std::to_string(count));
  }
  auto* bytes = static_cast<unsigned char*>(out);
  if (count == 0) {
    std::memset(bytes, 0, size * itemsize);
    return;
  }
  std::memcpy(bytes, values, count * itemsize);
  // The padding copies the last value, doubling the copied run each step.
  const unsigned char* last = bytes + (count - 1) * itemsize;
  std::size_t done = count;
  if (done < size) {
    std::memcpy(bytes + done * itemsize, last, itemsize);
    ++done;
  }
  std::size_t run = 1;  // elements [count, count + run) hold the last value
  while (done < size) {
    const std::size_t n = std::min(run, size - done);
    std::memcpy(bytes + done * itemsize, bytes + count * itemsize, n * itemsize);
    done += n;
    run += n;
  }
}

struct PartitionSeeds::State {
  std::mutex mutex;
  std::optional<std::pair<Shape, Stream>> cached;
};

PartitionSeeds::PartitionSeeds() : state_(std::make_unique<State>()) {}

PartitionSeeds::PartitionSeeds(const PartitionSeeds& other) : state_(std::make_unique<State>()) {
  const std::lock_guard<std::mutex> lock(other.state_->mutex);
  state_->cached = other.state_->cached;
}

PartitionSeeds& PartitionSeeds::operator=(const PartitionSeeds& other) {
  if (this != &other) {
    std::optional<std::pair<Shape, Stream>> copy;
    {
      const std::lock_guard<std::mutex> lock(other.state_->mutex);
      copy = other.state_->cached;
    }
    const std::lock_guard<std::mutex> lock(state_->mutex);
    state_->cached = std::move(copy);
  }
  return *this;
}

PartitionSeeds::~PartitionSeeds() = default;

Stream PartitionSeeds::get(std::optional<std::int64_t> op_seed, const Shape& full_shape,
                              bool at_origin) const {
  const std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->cached || state_->cached->first != full_shape || at_origin) {
    state_->cached = std::make_pair(full_shape, op_stream(op_seed));
  }
  return state_->cached->second;
}

}  // namespace detail

// --- the base classes -----------------------------------------------------------------------

void Initializer::check_dtype(ElementType dtype) const {
  if (float_only() && !is_floating(dtype)) {
    throw TypeError(std::string("dtype: ") + name() +
                    " produces floating point values (float16, bfloat16, float32, float64), got " +
                    element_type_name(dtype));
  }
}

void Initializer::check_call(const Shape& shape, ElementType dtype) const {
  check_dtype(dtype);
  check_shape(shape, "shape");
}

Tensor Initializer::operator()(const Shape& shape, std::optional<ElementType> dtype,
                               const std::optional<PartitionInfo>& partition_info) const {
  const ElementType dt = dtype.value_or(dtype_);
  check_call(shape, dt);
  Tensor out(shape, dt, Tensor::Uninitialized{});
  generate(shape, dt, partition_info, out.data());
  return out;
}

void Initializer::fill(const Shape& shape, ElementType dtype, void* out,
                       const std::optional<PartitionInfo>& partition_info) const {
  check_call(shape, dtype);
  generate(shape, dtype, partition_info, out);
}

Stream RandomInitializer::call_stream(
    const std::optional<PartitionInfo>& partition_info) const {
  // The family: the instance's, else the process-wide TF1 setting, except under a fixed
  // key/stream (the Keras classes' stateless seeding), which is weightinit's.
  const StreamFamily family = stream_.value_or(
      t_fixed_stream ? StreamFamily::kWeightinit : get_tf1_stream());
  if (family == StreamFamily::kTensorFlow && !tensorflow_stream_supported()) {
    throw ValueError(std::string(name()) + ": the \"tensorflow\" stream does not cover the "
                     "orthogonal initializers (TensorFlow's values there come from LAPACK's QR); "
                     "use stream=\"weightinit\"");
  }
  Stream ks;
  if (!partition_info) {
    ks = detail::op_stream(seed_);
  } else {
    const Shape& offset = partition_info->var_offset();
    const bool at_origin =
        std::all_of(offset.begin(), offset.end(), [](std::int64_t o) { return o == 0; });
    ks = partition_seeds_.get(seed_, partition_info->full_shape(), at_origin);
  }
  return ks.in_family(family);
}

// --- constants ------------------------------------------------------------------------------

void Zeros::generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                     void* out) const {
  std::memset(out, 0, element_count(shape) * static_cast<std::size_t>(element_size(dtype)));
}

void Ones::generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                    void* out) const {
  alignas(8) unsigned char one[8];
  store_number(dtype, one, 0, 1, "value");
  detail::constant_layout(one, Shape{}, static_cast<std::size_t>(element_size(dtype)), shape, false, out);
}

Constant::Constant(Number value, ElementType dtype, bool verify_shape)
    : Initializer(dtype), values_{value}, value_shape_{}, verify_shape_(verify_shape) {}

Constant::Constant(std::initializer_list<Number> values, ElementType dtype, bool verify_shape)
    : Constant(std::vector<Number>(values), dtype, verify_shape) {}

Constant::Constant(std::vector<Number> values, ElementType dtype, bool verify_shape)
    : Initializer(dtype),
      values_(std::move(values)),
      value_shape_{static_cast<std::int64_t>(values_.size())},
      verify_shape_(verify_shape) {}

Constant::Constant(std::vector<Number> values, Shape value_shape, ElementType dtype,
                   bool verify_shape)
    : Initializer(dtype),
      values_(std::move(values)),
      value_shape_(std::move(value_shape)),
      verify_shape_(verify_shape) {
  if (check_shape(value_shape_, "value_shape") != values_.size()) {
    throw ValueError("value: a value of shape " + dims_text(value_shape_) + " needs " +
                     std::to_string(element_count(value_shape_)) + " values, got " +
                     std::to_string(values_.size()));
  }
}

Tensor Constant::operator()(const Shape& shape, std::optional<ElementType> dtype,
                            const std::optional<PartitionInfo>&, bool verify_shape) const {
  const ElementType dt = dtype.value_or(dtype_);
  check_call(shape, dt);
  Tensor out(shape, dt);
  write(shape, dt, verify_shape, out.data());
  return out;
}

void Constant::generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                        void* out) const {
  write(shape, dtype, verify_shape_, out);
}

// The values in the element type (every value is checked, as TF converts the whole value
// first), then the layout.
void Constant::write(const Shape& shape, ElementType dt, bool verify, void* out) const {
  std::vector<unsigned char> converted(values_.size() * static_cast<std::size_t>(element_size(dt)));
  for (std::size_t i = 0; i < values_.size(); ++i) store_number(dt, converted.data(), i, values_[i], "value");
  detail::constant_layout(converted.data(), value_shape_, static_cast<std::size_t>(element_size(dt)),
                          shape, verify, out);
}

// --- random ---------------------------------------------------------------------------------

void RandomUniform::generate(const Shape& shape, ElementType dt,
                             const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  if (!is_floating(dt)) {
    if (!maxval_) {
      throw ValueError(std::string("Must specify maxval for integer dtype ") + element_type_name(dt));
    }
    const std::int64_t low = integer_value(minval_, dt, "minval");
    const std::int64_t high = integer_value(*maxval_, dt, "maxval");
    if (element_count(shape) != 0 && low >= high) {
      throw ValueError("Need minval < maxval, got " + std::to_string(low) + " >= " + std::to_string(high));
    }
    draw_int(shape, dt, low, high, call_stream(partition_info), box, out);
    return;
  }
  const double low = finite(minval_.to_double(), "minval");
  const double high = maxval_ ? finite(maxval_->to_double(), "maxval") : 1.0;
  // TF's random_uniform multiplies by maxval without adding when minval is the integer 0.
  const bool zero_min_integer = minval_.is_integer() && minval_.magnitude() == 0;
  draw(shape, dt, Law::uniform(low, high), call_stream(partition_info), box, out,
       zero_min_integer);
}

RandomNormal::RandomNormal(double mean, double stddev, std::optional<std::int64_t> seed,
                           ElementType dtype)
    : RandomInitializer(seed, assert_float_dtype(dtype)), mean_(mean), stddev_(stddev) {}

void RandomNormal::generate(const Shape& shape, ElementType dt,
                            const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  const double mean = finite(mean_, "mean"), stddev = finite(stddev_, "stddev");
  draw(shape, dt, Law::normal(mean, stddev), call_stream(partition_info), box, out);
}

void TruncatedNormal::generate(const Shape& shape, ElementType dt,
                               const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  draw(shape, dt, laws::tf_truncated_normal(mean_, stddev_), call_stream(partition_info), box, out);
}

// --- variance scaling -----------------------------------------------------------------------

namespace {

std::string lower_ascii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace

// TF's checks in TF's order (the mode and distribution names through the law table's).
VarianceScaling::VarianceScaling(double scale, const std::string& mode,
                                 const std::string& distribution, std::optional<std::int64_t> seed,
                                 ElementType dtype)
    : RandomInitializer(seed, dtype), scale_(scale), mode_(mode), distribution_(lower_ascii(distribution)) {
  if (!(scale > 0)) throw ValueError("`scale` must be positive float.");
  laws::parse_mode(mode);
  laws::parse_scaling(distribution);
  assert_float_dtype(dtype);
}

VarianceScaling::VarianceScaling(const laws::Preset& preset, std::optional<std::int64_t> seed,
                                 ElementType dtype)
    : VarianceScaling(preset.scale, laws::mode_name(preset.mode),
                      laws::scaling_name(preset.distribution), seed, dtype) {}

void VarianceScaling::generate(const Shape& shape, ElementType dt,
                               const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  const Law law = laws::variance_scaling(box.full, FanLayout::kTensorFlow, scale_,
                                         laws::parse_mode(mode_), laws::parse_scaling(distribution_));
  draw(shape, dt, law, call_stream(partition_info), box, out);
}

VarianceScaling lecun_normal(std::optional<std::int64_t> seed) {
  return VarianceScaling(laws::preset("lecun_normal"), seed);
}

VarianceScaling lecun_uniform(std::optional<std::int64_t> seed) {
  return VarianceScaling(laws::preset("lecun_uniform"), seed);
}

VarianceScaling he_normal(std::optional<std::int64_t> seed) {
  return VarianceScaling(laws::preset("he_normal"), seed);
}

VarianceScaling he_uniform(std::optional<std::int64_t> seed) {
  return VarianceScaling(laws::preset("he_uniform"), seed);
}

UniformUnitScaling::UniformUnitScaling(double factor, std::optional<std::int64_t> seed,
                                       ElementType dtype)
    : RandomInitializer(seed, assert_float_dtype(dtype)), factor_(factor) {}

void UniformUnitScaling::generate(const Shape& shape, ElementType dt,
                                  const std::optional<PartitionInfo>& partition_info,
                                  void* out) const {
  const Box box = partition_box(shape, partition_info);
  const Law law = laws::uniform_unit_scaling(box.full, factor_);
  draw(shape, dt, law, call_stream(partition_info), box, out);
}

// --- matrices -------------------------------------------------------------------------------

Identity::Identity(double gain, ElementType dtype) : Initializer(assert_float_dtype(dtype)), gain_(gain) {}

// With a partition, its block of the identity of the full shape.
void Identity::generate(const Shape& shape, ElementType dt,
                        const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Shape& full0 = partition_info ? partition_info->full_shape() : shape;
  if (full0.size() != 2) {  // TF checks the full shape first
    throw ValueError("Identity matrix initializer can only be used for 2D matrices.");
  }
  const Box box = partition_box(shape, partition_info);
  const std::size_t n = element_count(shape);
  std::memset(out, 0, n * static_cast<std::size_t>(element_size(dt)));
  const std::int64_t r0 = box.offset[0], c0 = box.offset[1];
  const std::int64_t end = std::min({r0 + shape[0], c0 + shape[1], std::min(box.full[0], box.full[1])});
  for (std::int64_t i = std::max(r0, c0); i < end; ++i) {
    store_number(dt, out, static_cast<std::size_t>((i - r0) * shape[1] + (i - c0)), gain_, "gain");
  }
}

}  // namespace weightinit
