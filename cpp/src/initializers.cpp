// SPDX-License-Identifier: BSD-3-Clause
// The TF1 initializer classes: Python's checks, scales and draws, operation for operation.

#include "weightinit/initializers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <random>
#include <utility>

#include "initializers_internal.hpp"
#include "weightinit/cpu.hpp"
#include "weightinit/fans.hpp"

// Every scale below is computed with the double operations of python/weightinit/_tf1_init.py
// in the same order (Python floats are IEEE doubles, math.sqrt is correctly rounded like
// std::sqrt, int -> float conversions round to nearest), so the fill layer receives the same
// parameters and writes the same bits. Each function names the Python function it mirrors.

namespace weightinit {

using detail::assert_float_dtype;
using detail::Box;
using detail::check_shape;
using detail::element_count;
using detail::fill_dtype;
using detail::is_split;
using detail::partition_box;
using detail::py_list;
using detail::py_tuple;

namespace {

constexpr std::uint64_t kTwo63 = std::uint64_t{1} << 63;

// --- Python's text for values in messages ---------------------------------------------------

// repr(float): the shortest digits that read back to x; scientific notation when the decimal
// exponent is below -4 or above 16; ".0" on integral values (CPython's float_repr 'r' mode).
std::string py_float(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == 0) return std::signbit(x) ? "-0.0" : "0.0";
  char buf[48];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  std::string s(buf);
  const bool negative = s[0] == '-';
  if (negative) s.erase(0, 1);
  const std::size_t e = s.find('e');
  const int exp10 = std::atoi(s.c_str() + e + 1);
  std::string digits;
  for (std::size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits += s[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int point = exp10 + 1;  // digits d1 d2 ... mean 0.d1d2... * 10^point
  const int nd = static_cast<int>(digits.size());
  std::string out;
  if (point < -3 || point > 16) {
    out = digits.substr(0, 1);
    if (nd > 1) out += "." + digits.substr(1);
    char tail[16];
    std::snprintf(tail, sizeof tail, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out += tail;
  } else if (point <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= nd) {
    out = digits + std::string(static_cast<std::size_t>(point - nd), '0') + ".0";
  } else {
    out = digits.substr(0, static_cast<std::size_t>(point)) + "." +
          digits.substr(static_cast<std::size_t>(point));
  }
  return negative ? "-" + out : out;
}

// repr(str): single quotes unless the text holds ' and no ", Python's escapes for control
// characters; bytes >= 0x80 (UTF-8) are passed through as Python prints printable text.
std::string py_repr(const std::string& s) {
  const char quote = s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + quote;
}

}  // namespace

namespace detail {

// str(tuple(dims)) and str(list(dims)).
std::string py_tuple(const Shape& dims) {
  std::string out = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(dims[i]);
  }
  return out + (dims.size() == 1 ? ",)" : ")");
}

std::string py_list(const Shape& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

std::string py_int(bool negative, std::uint64_t magnitude) {
  return (negative && magnitude ? "-" : "") + std::to_string(magnitude);
}

// --- shapes ---------------------------------------------------------------------------------

// _fill.check_shape: non-negative dimensions whose product is below 2^63; returns it.
std::uint64_t check_shape(const Shape& shape, const char* argname) {
  for (const std::int64_t d : shape) {
    if (d < 0) {
      throw ValueError(std::string(argname) + ": dimensions must be non-negative, got " +
                       py_tuple(shape));
    }
  }
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  std::uint64_t n = 1;
  for (const std::int64_t d : shape) {
    const auto u = static_cast<std::uint64_t>(d);
    if (n > (kTwo63 - 1) / u) {
      throw ValueError(std::string(argname) + ": " + py_tuple(shape) +
                       " has more than 2**63 elements");
    }
    n *= u;
  }
  return n;
}

std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (const std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::vector<std::int64_t> byte_strides(const Shape& shape, int itemsize) {
  std::vector<std::int64_t> out(shape.size());
  std::int64_t acc = itemsize;
  for (std::size_t k = shape.size(); k-- > 0;) {
    out[k] = acc;
    acc *= std::max<std::int64_t>(shape[k], 1);
  }
  return out;
}

// --- partitions -----------------------------------------------------------------------------

// _tf1_base._check_box.
void check_box(const Shape& shape, const Shape& full, const Shape& offset) {
  if (shape.size() != full.size()) {
    throw ValueError("partition_info: a partition of shape " + py_list(shape) + " (rank " +
                     std::to_string(shape.size()) + ") cannot lie in full_shape " + py_list(full) +
                     " (rank " + std::to_string(full.size()) + ")");
  }
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (offset[d] + shape[d] > full[d]) {
      throw ValueError("partition_info: with var_offset=" + py_list(offset) +
                       ", a partition of shape " + py_list(shape) + " would exceed full_shape=" +
                       py_list(full) + " in dimension " + std::to_string(d));
    }
  }
}

// _tf1_base.partition_box.
Box partition_box(const Shape& shape, const std::optional<PartitionInfo>& info) {
  if (!info) return {shape, Shape(shape.size(), 0), false};
  check_shape(info->full_shape(), "partition_info.full_shape");
  check_box(shape, info->full_shape(), info->var_offset());
  return {info->full_shape(), info->var_offset(), true};
}

// _tf1_base.is_split.
bool is_split(const Shape& shape, const Box& box) {
  return box.partitioned &&
         (shape != box.full ||
          std::any_of(box.offset.begin(), box.offset.end(), [](std::int64_t o) { return o != 0; }));
}

}  // namespace detail

using detail::byte_strides;
using detail::check_box;
using detail::py_int;

namespace {

// --- element conversions, as NumPy and ml_dtypes do them ------------------------------------

// float(x) for a double, also outside float's range (a plain cast would be undefined there).
float to_f32(double x) {
  const double kMax = std::numeric_limits<float>::max();
  // Values at or beyond FLT_MAX + half an ulp (2^128 - 2^103) round to infinity.
  if (std::fabs(x) >= 0x1.ffffffp127) return x > 0 ? std::numeric_limits<float>::infinity()
                                                   : -std::numeric_limits<float>::infinity();
  if (std::fabs(x) > kMax) return x > 0 ? std::numeric_limits<float>::max()
                                        : -std::numeric_limits<float>::max();
  return static_cast<float>(x);
}

// NumPy's double -> float16 rounds once, directly from double (npy_double_to_half).
std::uint16_t double_to_half_bits(double v) {
  std::uint64_t x;
  std::memcpy(&x, &v, 8);
  const auto sign = static_cast<std::uint16_t>((x >> 48) & 0x8000u);
  const std::uint64_t ax = x & 0x7fffffffffffffffull;
  if (ax > 0x7ff0000000000000ull) return static_cast<std::uint16_t>(sign | 0x7e00u);
  if (ax >= 0x40effe0000000000ull) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520
  if (ax < 0x3f10000000000000ull) {  // below 2^-14: subnormal, in units of 2^-24
    if (ax <= 0x3e60000000000000ull) return sign;  // <= 2^-25
    const std::uint64_t m = (ax & 0xfffffffffffffull) | 0x10000000000000ull;
    const int shift = 1051 - static_cast<int>(ax >> 52);
    std::uint64_t q = m >> shift;
    const std::uint64_t rem = m & ((std::uint64_t{1} << shift) - 1), half = std::uint64_t{1} << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return static_cast<std::uint16_t>(sign | q);
  }
  const std::uint64_t r = ax - 0x3f00000000000000ull;  // rebias the exponent from 1023 to 15
  std::uint64_t q = r >> 42;
  const std::uint64_t rem = r & ((std::uint64_t{1} << 42) - 1);
  if (rem > (std::uint64_t{1} << 41) || (rem == (std::uint64_t{1} << 41) && (q & 1u))) ++q;
  return static_cast<std::uint16_t>(sign | q);
}

// Store the double v as element i of `out` the way NumPy's np.full / setitem / astype from
// float64 do: float32 and float16 round once from double; ml_dtypes' bfloat16 goes through
// float32 first.
void store_double(ElementType t, void* out, std::size_t i, double v) {
  switch (t) {
    case ElementType::kFloat32: static_cast<float*>(out)[i] = to_f32(v); break;
    case ElementType::kFloat64: static_cast<double*>(out)[i] = v; break;
    case ElementType::kFloat16: static_cast<std::uint16_t*>(out)[i] = double_to_half_bits(v); break;
    case ElementType::kBFloat16:
      static_cast<std::uint16_t*>(out)[i] = detail::float_to_bfloat16_bits(to_f32(v));
      break;
    case ElementType::kInt32: static_cast<std::int32_t*>(out)[i] = static_cast<std::int32_t>(v); break;
    case ElementType::kInt64: static_cast<std::int64_t*>(out)[i] = static_cast<std::int64_t>(v); break;
  }
}

// Store an integer (within int64) as NumPy's astype from int64 does: one rounding to float32
// or float64, bfloat16 through float32; float16 from double (exact below 2^24, and anything
// above 65520 is infinity either way).
void store_int(ElementType t, void* out, std::size_t i, std::int64_t v) {
  switch (t) {
    case ElementType::kFloat32: static_cast<float*>(out)[i] = static_cast<float>(v); break;
    case ElementType::kFloat64: static_cast<double*>(out)[i] = static_cast<double>(v); break;
    case ElementType::kFloat16:
      static_cast<std::uint16_t*>(out)[i] = double_to_half_bits(static_cast<double>(v));
      break;
    case ElementType::kBFloat16:
      static_cast<std::uint16_t*>(out)[i] = detail::float_to_bfloat16_bits(static_cast<float>(v));
      break;
    case ElementType::kInt32: static_cast<std::int32_t*>(out)[i] = static_cast<std::int32_t>(v); break;
    case ElementType::kInt64: static_cast<std::int64_t*>(out)[i] = v; break;
  }
}

void fill_double(ElementType t, void* out, std::size_t n, double v) {
  if (n == 0) return;
  store_double(t, out, 0, v);
  const auto size = static_cast<std::size_t>(element_size(t));
  auto* bytes = static_cast<unsigned char*>(out);
  for (std::size_t i = 1; i < n; ++i) std::memcpy(bytes + i * size, bytes, size);
}

}  // namespace

DType detail::fill_dtype(ElementType t) {
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

namespace {

// Flip the sign bit of every element: NumPy's np.negative (exact, also for 16-bit types).
void negate(ElementType t, void* out, std::size_t n) {
  auto* bytes = static_cast<unsigned char*>(out);
  const auto size = static_cast<std::size_t>(element_size(t));
  for (std::size_t i = 0; i < n; ++i) bytes[i * size + size - 1] ^= 0x80u;  // little endian
}

bool little_endian() {
  const std::uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

void negate_any(ElementType t, void* out, std::size_t n) {
  if (little_endian()) {
    negate(t, out, n);
    return;
  }
  auto* bytes = static_cast<unsigned char*>(out);
  const auto size = static_cast<std::size_t>(element_size(t));
  for (std::size_t i = 0; i < n; ++i) bytes[i * size] ^= 0x80u;
}

// --- the draw -------------------------------------------------------------------------------

enum class Law { kUniform, kNormal, kTruncatedNormal };

// _tf1_base.draw: one random tensor from the fill layer, with TF's degenerate parameters
// (low == high or stddev == 0: the constant; low > high or stddev < 0: the mirrored draw,
// negated). Empty shapes construct no distribution, so raise nothing, as in Python.
void draw(const Shape& shape, ElementType dt, Law law, double p0, double p1,
          const detail::KeyStream& ks, const Box& box, void* out) {
  const std::size_t n = element_count(shape);
  bool mirrored;
  if (law == Law::kUniform) {
    // The fill layer rounds the bounds to its arithmetic type first: compare them there.
    const bool wide = dt == ElementType::kFloat64;
    const bool equal = wide ? p0 == p1 : to_f32(p0) == to_f32(p1);
    if (equal) return fill_double(dt, out, n, p0);
    mirrored = wide ? p0 > p1 : to_f32(p0) > to_f32(p1);
  } else {
    if (p1 == 0) return fill_double(dt, out, n, p0);
    mirrored = p1 < 0;
  }
  if (mirrored) {  // the truncation bounds (-2, 2) mirror onto themselves
    p0 = -p0;
    p1 = -p1;
  }
  if (n == 0) return;
  try {
    const Distribution dist = law == Law::kUniform  ? Distribution::uniform(p0, p1)
                              : law == Law::kNormal ? Distribution::normal(p0, p1)
                                                    : Distribution::truncated_normal(p0, p1, -2.0, 2.0);
    fill_box(dist, StreamSpec{ks.key, ks.stream, 0}, fill_dtype(dt), box.full, box.offset, shape,
             out, byte_strides(shape, element_size(dt)));
  } catch (const std::invalid_argument& e) {
    // The fill layer's own checks (parameters outside the dtype's range, say): Python sees
    // them as ValueError with the same message.
    throw ValueError(e.what());
  }
  if (mirrored) negate_any(dt, out, n);
}

// _tf1_base.draw_int: minval + (w mod (maxval - minval)) from the raw 32- or 64-bit word of
// each element, in unsigned arithmetic (exact in two's complement: the result is in range).
void draw_int(const Shape& shape, ElementType dt, std::int64_t low, std::int64_t high,
              const detail::KeyStream& ks, const Box& box, void* out) {
  const std::size_t n = element_count(shape);
  if (n == 0) return;
  fill_box(Distribution::bits(), StreamSpec{ks.key, ks.stream, 0}, fill_dtype(dt), box.full,
           box.offset, shape, out, byte_strides(shape, element_size(dt)));
  if (dt == ElementType::kInt32) {
    const auto range = static_cast<std::uint32_t>(static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low));
    const auto base = static_cast<std::uint32_t>(static_cast<std::uint64_t>(low));
    auto* w = static_cast<std::uint32_t*>(out);
    for (std::size_t i = 0; i < n; ++i) w[i] = static_cast<std::uint32_t>(w[i] % range + base);
  } else {
    const std::uint64_t range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
    const auto base = static_cast<std::uint64_t>(low);
    auto* w = static_cast<std::uint64_t*>(out);
    for (std::size_t i = 0; i < n; ++i) w[i] = w[i] % range + base;
  }
}

// --- parameters -----------------------------------------------------------------------------

// _tf1_base.finite.
double finite(double x, const char* argname) {
  if (!std::isfinite(x)) throw ValueError(std::string(argname) + ": must be finite, got " + py_float(x));
  return x;
}

// _tf1_base.integer_param: an integer bound of an integer-dtype op, in the dtype's range.
std::int64_t integer_param(const Number& v, ElementType dt, const char* argname) {
  const char* name = element_type_name(dt);
  if (!v.is_integer()) {
    throw TypeError(std::string(argname) + ": Expected " + name + ", but got " +
                    py_float(v.to_double()) + " of type 'float'.");
  }
  const std::uint64_t limit = dt == ElementType::kInt32 ? std::uint64_t{1} << 31 : kTwo63;
  if (v.negative() ? v.magnitude() > limit : v.magnitude() >= limit) {
    throw ValueError(std::string(argname) + ": " + v.str() + " is out of range for " + name);
  }
  return v.negative() ? static_cast<std::int64_t>(0 - v.magnitude())
                      : static_cast<std::int64_t>(v.magnitude());
}

}  // namespace

ElementType detail::assert_float_dtype(ElementType dt) {
  if (!is_floating(dt)) {
    throw ValueError(std::string("Expected floating point type, got ") + element_type_name(dt) + ".");
  }
  return dt;
}

namespace {

// Python's a % m (non-negative for m > 0).
std::int64_t py_mod(std::int64_t a, std::int64_t m) {
  const std::int64_t r = a % m;
  return r < 0 ? r + m : r;
}

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

std::string Number::str() const {
  return is_int_ ? py_int(negative_, magnitude_) : py_float(value_);
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
                       " for var_offset=" + py_list(var_offset_) + ", full_shape=" +
                       py_list(full_shape_));
    }
  }
}

std::optional<std::size_t> PartitionInfo::single_slice_dim(const Shape& shape) const {
  check_box(shape, full_shape_, var_offset_);
  std::vector<std::size_t> split;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] != full_shape_[i]) split.push_back(i);
  }
  if (split.size() > 1) {
    std::string dims = "[";
    for (std::size_t i = 0; i < split.size(); ++i) dims += (i ? ", " : "") + std::to_string(split[i]);
    throw ValueError("Cannot use single_slice_dim() with shape=" + py_list(shape) +
                     " and full_shape=" + py_list(full_shape_) +
                     " since the slice dim could be any of dimensions " + dims + "].");
  }
  if (split.empty()) return std::nullopt;
  return split[0];
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

std::optional<SeedPair> get_seed(std::optional<std::int64_t> op_seed) {
  std::optional<std::int64_t> graph_seed;
  {
    GraphSeeds& g = graph_seeds();
    const std::lock_guard<std::mutex> lock(g.mutex);
    graph_seed = g.graph_seed;
    if (graph_seed && !op_seed) op_seed = g.counter++;
  }
  SeedPair seeds{};
  if (graph_seed) {
    seeds = {py_mod(*graph_seed, kMaxInt32), py_mod(*op_seed, kMaxInt32)};
  } else if (op_seed) {
    seeds = {kDefaultGraphSeed, py_mod(*op_seed, kMaxInt32)};
  } else {
    return std::nullopt;
  }
  if (seeds.seed == 0 && seeds.seed2 == 0) seeds.seed2 = kMaxInt32;  // TF's "unseeded" pair
  return seeds;
}

namespace detail {

KeyStream key_stream(std::optional<std::int64_t> op_seed) {
  const std::optional<SeedPair> seeds = get_seed(op_seed);
  if (seeds) {
    return {static_cast<std::uint64_t>(seeds->seed), static_cast<std::uint64_t>(seeds->seed2)};
  }
  // TF's unseeded ops seed themselves from the OS; so does weightinit (secrets in Python).
  std::random_device device;
  auto word = [&device] {
    return (static_cast<std::uint64_t>(device()) << 32) ^ static_cast<std::uint64_t>(device());
  };
  const std::uint64_t key = word();
  return {key, word()};
}

struct PartitionSeeds::State {
  std::mutex mutex;
  std::optional<std::pair<Shape, KeyStream>> cached;
};

PartitionSeeds::PartitionSeeds() : state_(std::make_unique<State>()) {}

PartitionSeeds::PartitionSeeds(const PartitionSeeds& other) : state_(std::make_unique<State>()) {
  const std::lock_guard<std::mutex> lock(other.state_->mutex);
  state_->cached = other.state_->cached;
}

PartitionSeeds& PartitionSeeds::operator=(const PartitionSeeds& other) {
  if (this != &other) {
    std::optional<std::pair<Shape, KeyStream>> copy;
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

KeyStream PartitionSeeds::get(std::optional<std::int64_t> op_seed, const Shape& full_shape,
                              bool at_origin) const {
  const std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->cached || state_->cached->first != full_shape || at_origin) {
    state_->cached = std::make_pair(full_shape, key_stream(op_seed));
  }
  return state_->cached->second;
}

}  // namespace detail

// --- the base classes -----------------------------------------------------------------------

// _tf1_base.call_dtype.
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

detail::KeyStream RandomInitializer::call_key_stream(
    const std::optional<PartitionInfo>& partition_info) const {
  if (!partition_info) return detail::key_stream(seed_);
  const Shape& offset = partition_info->var_offset();
  const bool at_origin = std::all_of(offset.begin(), offset.end(), [](std::int64_t o) { return o == 0; });
  return partition_seeds_.get(seed_, partition_info->full_shape(), at_origin);
}

// --- constants ------------------------------------------------------------------------------

void Zeros::generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                     void* out) const {
  std::memset(out, 0, element_count(shape) * static_cast<std::size_t>(element_size(dtype)));
}

void Ones::generate(const Shape& shape, ElementType dtype, const std::optional<PartitionInfo>&,
                    void* out) const {
  const std::size_t n = element_count(shape);
  if (n == 0) return;
  store_int(dtype, out, 0, 1);
  const auto size = static_cast<std::size_t>(element_size(dtype));
  auto* bytes = static_cast<unsigned char*>(out);
  for (std::size_t i = 1; i < n; ++i) std::memcpy(bytes + i * size, bytes, size);
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
    throw ValueError("value: a value of shape " + py_tuple(value_shape_) + " needs " +
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

// _tf1_init.Constant.__call__ and constant_array.
void Constant::write(const Shape& shape, ElementType dt, bool verify, void* out) const {
  // NumPy makes an int64 array of a list of integers that all fit int64, else a float64
  // array (any float, or an integer beyond int64): values then convert from that type.
  const bool int64_array = std::all_of(values_.begin(), values_.end(), [](const Number& v) {
    return v.is_integer() && (v.negative() ? v.magnitude() <= kTwo63 : v.magnitude() < kTwo63);
  });
  if (!is_floating(dt) && !values_.empty()) {
    // NumPy infers a float array from any float in the list; TF then refuses the first one.
    for (const Number& v : values_) {
      if (!v.is_integer()) {
        throw TypeError(std::string("Expected ") + element_type_name(dt) + ", but got " +
                        py_float(v.to_double()) + " of type 'float'.");
      }
    }
    auto less = [](const Number& a, const Number& b) {
      if (a.negative() != b.negative()) return a.negative();
      return a.negative() ? a.magnitude() > b.magnitude() : a.magnitude() < b.magnitude();
    };
    const auto [lo, hi] = std::minmax_element(values_.begin(), values_.end(), less);
    const std::uint64_t limit = dt == ElementType::kInt32 ? std::uint64_t{1} << 31 : kTwo63;
    if (lo->negative() && lo->magnitude() > limit) {
      throw ValueError("value: " + lo->str() + " is out of range for " + element_type_name(dt));
    }
    if (!hi->negative() && hi->magnitude() >= limit) {
      throw ValueError("value: " + hi->str() + " is out of range for " + element_type_name(dt));
    }
  }
  const std::size_t size = element_count(shape);
  if (size == 0) return;
  if (verify && value_shape_ != shape) {
    throw TypeError("Expected Tensor's shape: " + py_tuple(shape) + ", got " +
                    py_tuple(value_shape_) + ".");
  }
  if (values_.size() > size) {
    throw ValueError("Too many elements provided. Needed at most " + std::to_string(size) +
                     ", but received " + std::to_string(values_.size()));
  }
  if (values_.empty()) {
    std::memset(out, 0, size * static_cast<std::size_t>(element_size(dt)));
    return;
  }
  auto store = [&](std::size_t i, const Number& v) {
    if (int64_array) {
      store_int(dt, out, i, v.negative() ? static_cast<std::int64_t>(0 - v.magnitude())
                                         : static_cast<std::int64_t>(v.magnitude()));
    } else {
      store_double(dt, out, i, v.to_double());
    }
  };
  for (std::size_t i = 0; i < values_.size(); ++i) store(i, values_[i]);
  const auto itemsize = static_cast<std::size_t>(element_size(dt));
  auto* bytes = static_cast<unsigned char*>(out);
  const unsigned char* last = bytes + (values_.size() - 1) * itemsize;
  for (std::size_t i = values_.size(); i < size; ++i) std::memcpy(bytes + i * itemsize, last, itemsize);
}

// --- random ---------------------------------------------------------------------------------

// _tf1_init.RandomUniform.__call__ and uniform_values.
void RandomUniform::generate(const Shape& shape, ElementType dt,
                             const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  if (!is_floating(dt)) {
    if (!maxval_) {
      throw ValueError(std::string("Must specify maxval for integer dtype ") + element_type_name(dt));
    }
    const std::int64_t low = integer_param(minval_, dt, "minval");
    const std::int64_t high = integer_param(*maxval_, dt, "maxval");
    if (element_count(shape) != 0 && low >= high) {
      throw ValueError("Need minval < maxval, got " + std::to_string(low) + " >= " + std::to_string(high));
    }
    draw_int(shape, dt, low, high, call_key_stream(partition_info), box, out);
    return;
  }
  const double low = finite(minval_.to_double(), "minval");
  const double high = maxval_ ? finite(maxval_->to_double(), "maxval") : 1.0;
  draw(shape, dt, Law::kUniform, low, high, call_key_stream(partition_info), box, out);
}

RandomNormal::RandomNormal(double mean, double stddev, std::optional<std::int64_t> seed,
                           ElementType dtype)
    : RandomInitializer(seed, assert_float_dtype(dtype)), mean_(mean), stddev_(stddev) {}

// _tf1_init._NormalBase.__call__ and normal_values.
void RandomNormal::generate(const Shape& shape, ElementType dt,
                            const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  const double mean = finite(mean_, "mean"), stddev = finite(stddev_, "stddev");
  draw(shape, dt, Law::kNormal, mean, stddev, call_key_stream(partition_info), box, out);
}

void TruncatedNormal::generate(const Shape& shape, ElementType dt,
                               const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  const double mean = finite(mean_, "mean"), stddev = finite(stddev_, "stddev");
  draw(shape, dt, Law::kTruncatedNormal, mean, stddev, call_key_stream(partition_info), box, out);
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

// _tf1_init.check_variance_scaling: TF's checks in TF's order.
VarianceScaling::VarianceScaling(double scale, const std::string& mode,
                                 const std::string& distribution, std::optional<std::int64_t> seed,
                                 ElementType dtype)
    : RandomInitializer(seed, dtype), scale_(scale), mode_(mode) {
  if (!(scale > 0)) throw ValueError("`scale` must be positive float.");
  if (mode != "fan_in" && mode != "fan_out" && mode != "fan_avg") {
    throw ValueError("Invalid `mode` argument: " + py_repr(mode) +
                     " (expected one of ('fan_in', 'fan_out', 'fan_avg'))");
  }
  distribution_ = lower_ascii(distribution);
  if (distribution_ != "normal" && distribution_ != "uniform" &&
      distribution_ != "truncated_normal" && distribution_ != "untruncated_normal") {
    throw ValueError("Invalid `distribution` argument: " + py_repr(distribution) +
                     " (expected one of ('normal', 'uniform', 'truncated_normal', "
                     "'untruncated_normal'))");
  }
  assert_float_dtype(dtype);
}

// _tf1_init.VarianceScaling.__call__ and variance_scaling_params.
void VarianceScaling::generate(const Shape& shape, ElementType dt,
                               const std::optional<PartitionInfo>& partition_info, void* out) const {
  const Box box = partition_box(shape, partition_info);
  const Fans fans = compute_fans(box.full, FanLayout::kTensorFlow);
  // Python: n is an int for fan_in / fan_out and (fan_in + fan_out) / 2.0 for fan_avg (the
  // exact sum rounded to double once, then halved); s = float(scale) / max(1.0, n).
  double n;
  if (mode_ == "fan_in") {
    n = static_cast<double>(fans.fan_in);
  } else if (mode_ == "fan_out") {
    n = static_cast<double>(fans.fan_out);
  } else {
    n = static_cast<double>(static_cast<std::uint64_t>(fans.fan_in) +
                            static_cast<std::uint64_t>(fans.fan_out)) / 2.0;
  }
  const double s = scale_ / std::max(1.0, n);
  const detail::KeyStream ks = call_key_stream(partition_info);
  if (distribution_ == "truncated_normal" || distribution_ == "normal") {
    draw(shape, dt, Law::kTruncatedNormal, 0.0, std::sqrt(s) / kTruncatedStddev, ks, box, out);
  } else if (distribution_ == "untruncated_normal") {
    draw(shape, dt, Law::kNormal, 0.0, std::sqrt(s), ks, box, out);
  } else {
    const double limit = std::sqrt(3.0 * s);
    draw(shape, dt, Law::kUniform, -limit, limit, ks, box, out);
  }
}

VarianceScaling lecun_normal(std::optional<std::int64_t> seed) {
  return VarianceScaling(1.0, "fan_in", "truncated_normal", seed);
}

VarianceScaling lecun_uniform(std::optional<std::int64_t> seed) {
  return VarianceScaling(1.0, "fan_in", "uniform", seed);
}

VarianceScaling he_normal(std::optional<std::int64_t> seed) {
  return VarianceScaling(2.0, "fan_in", "truncated_normal", seed);
}

VarianceScaling he_uniform(std::optional<std::int64_t> seed) {
  return VarianceScaling(2.0, "fan_in", "uniform", seed);
}

UniformUnitScaling::UniformUnitScaling(double factor, std::optional<std::int64_t> seed,
                                       ElementType dtype)
    : RandomInitializer(seed, assert_float_dtype(dtype)), factor_(factor) {}

// _tf1_init.UniformUnitScaling.__call__.
void UniformUnitScaling::generate(const Shape& shape, ElementType dt,
                                  const std::optional<PartitionInfo>& partition_info,
                                  void* out) const {
  const Box box = partition_box(shape, partition_info);
  // float(prod(dims[:-1])): exact below 2^63 whenever the tensor has elements; beyond that
  // (a zero last dimension) the value only scales an empty draw.
  std::uint64_t prod = 1;
  double prod_d = 1.0;
  bool exact = true;
  for (std::size_t k = 0; k + 1 < box.full.size(); ++k) {
    const auto d = static_cast<std::uint64_t>(box.full[k]);
    if (d != 0 && prod > (kTwo63 - 1) / d) exact = false;
    prod *= d;
    prod_d *= static_cast<double>(d);
  }
  const double input_size = std::max(exact ? static_cast<double>(prod) : prod_d, 1.0);
  const double max_val = std::sqrt(3.0 / input_size) * finite(factor_, "factor");
  draw(shape, dt, Law::kUniform, -max_val, max_val, call_key_stream(partition_info), box, out);
}

// --- matrices -------------------------------------------------------------------------------

Identity::Identity(double gain, ElementType dtype) : Initializer(assert_float_dtype(dtype)), gain_(gain) {}

// _tf1_init.Identity.__call__ and identity_block.
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
    store_double(dt, out, static_cast<std::size_t>((i - r0) * shape[1] + (i - c0)), gain_);
  }
}

}  // namespace weightinit
