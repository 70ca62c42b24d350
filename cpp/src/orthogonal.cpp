// SPDX-License-Identifier: BSD-3-Clause
// orthogonal(): a normal matrix, its Householder Q, signs and gain; and the initializer
// classes built on it (Orthogonal and the convolution-orthogonal family).

#include "weightinit/orthogonal.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "float_env.hpp"
#include "householder.hpp"
#include "initializers_internal.hpp"
#include "matrix.hpp"
#include "thread_pool.hpp"
#include "weightinit/cpu.hpp"
#include "weightinit/initializers.hpp"

namespace weightinit {
namespace detail {
namespace rounding {
#include "fma-inl.hpp"
}  // namespace rounding

namespace {

// Elements per task of the element-wise passes.
constexpr std::int64_t kPassChunk = 1 << 16;
// Rows of A per block of the transposing fill.
constexpr std::int64_t kFillRows = 64;

// g * q rounded to odd in double: exact products round to themselves, the rest to the
// neighbour with an odd last bit, so one more rounding to a narrower format (at least two
// bits narrower) is a single rounding of the exact product. Outside [2^-200, 2^200] the
// plain product already rounds to every 16- and 32-bit format correctly (to zero or
// infinity).
double product_to_odd(double g, double q) {
  const double p = g * q;
  const double ap = std::fabs(p);
  if (!(ap > 0x1p-200 && ap < 0x1p200)) return p;
  double e;
  rounding::two_product(g, q, e);
  return rounding::round_to_odd(p, e);
}

// d rounded to odd in float (see product_to_odd), for the 16-bit formats.
float to_odd_float(double d) {
  float f = static_cast<float>(d);
  if (static_cast<double>(f) == d) return f;
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 1u) == 0) {
    u = std::fabs(d) > std::fabs(static_cast<double>(f)) ? u + 1 : u - 1;
    std::memcpy(&f, &u, sizeof f);
  }
  return f;
}

[[noreturn]] void fail(const std::string& message) { throw ValueError(message); }

template <class W>
DType working_dtype();
template <>
DType working_dtype<float>() { return DType::kFloat32; }
template <>
DType working_dtype<double>() { return DType::kFloat64; }

// A (n x k, A[i][j] = element i * k + j of the normal fill) into `a`: row-major as drawn when
// `row_major`, else column-major (element i * k + j lands at j * n + i), a block of rows at a
// time through a small buffer.
template <class W>
void draw_normal(W* a, std::int64_t n, std::int64_t k, bool row_major, const Stream& stream,
                 int threads) {
  const Distribution normal = Distribution::normal(0.0, 1.0);
  const auto total = static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(k);
  if (row_major) {
    fill(normal, stream, working_dtype<W>(), 0, total, a);
    return;
  }
  const auto blocks = static_cast<std::size_t>((n + kFillRows - 1) / kFillRows);
  parallel_for(blocks, threads, [&](std::size_t block) {
    const std::int64_t i0 = static_cast<std::int64_t>(block) * kFillRows;
    const std::int64_t rows = std::min(kFillRows, n - i0);
    std::vector<W> buf(static_cast<std::size_t>(rows * k));
    fill(normal, stream, working_dtype<W>(), static_cast<std::uint64_t>(i0 * k),
         static_cast<std::uint64_t>(rows * k), buf.data());
    for (std::int64_t j = 0; j < k; ++j) {
      W* dst = a + j * n + i0;
      for (std::int64_t i = 0; i < rows; ++i) dst[i] = buf[static_cast<std::size_t>(i * k + j)];
    }
  });
}

// out[x] = gain * v rounded once to dtype (negated when `flip`: the rounding is symmetric).
// `unit`: gain is 1, so float32 needs no product.
void store_scaled(double v, bool flip, double gain, bool unit, DType dtype, void* out,
                  std::int64_t x) {
  switch (dtype) {
    case DType::kFloat64:
      static_cast<double*>(out)[x] = (flip ? -gain : gain) * v;
      break;
    case DType::kFloat32: {
      const double p = unit ? v : product_to_odd(gain, v);
      static_cast<float*>(out)[x] = static_cast<float>(flip ? -p : p);
      break;
    }
    case DType::kFloat16: {
      const float f = to_odd_float(product_to_odd(gain, v));
      static_cast<std::uint16_t*>(out)[x] = float16_bits(flip ? -f : f);
      break;
    }
    default: {
      const float f = to_odd_float(product_to_odd(gain, v));
      static_cast<std::uint16_t*>(out)[x] = bfloat16_bits(flip ? -f : f);
      break;
    }
  }
}

// Every element through store_scaled with the sign of its column, by rows of the row-major
// (tall) or columns of the column-major (wide) n x k matrix q.
template <class W>
void scale_out(const W* q, std::int64_t n, std::int64_t k, bool row_major,
               const std::vector<unsigned char>& negative, double gain, DType dtype, void* out,
               int threads) {
  const std::int64_t lines = row_major ? n : k, length = row_major ? k : n;
  const std::int64_t per_task = std::max<std::int64_t>(1, kPassChunk / length);
  const auto tasks = static_cast<std::size_t>((lines + per_task - 1) / per_task);
  const bool unit = gain == 1.0;
  if (unit && dtype == working_dtype<W>() && static_cast<const void*>(q) == out) {
    // Only the signs change: flip the columns of negative R[j][j] in place.
    parallel_for(tasks, threads, [&](std::size_t task) {
      const std::int64_t l0 = static_cast<std::int64_t>(task) * per_task;
      const std::int64_t l1 = std::min(lines, l0 + per_task);
      W* a = static_cast<W*>(out);
      for (std::int64_t l = l0; l < l1; ++l) {
        W* line = a + l * length;
        if (row_major) {
          for (std::int64_t j = 0; j < k; ++j) {
            if (negative[static_cast<std::size_t>(j)]) line[j] = -line[j];
          }
        } else if (negative[static_cast<std::size_t>(l)]) {
          for (std::int64_t i = 0; i < n; ++i) line[i] = -line[i];
        }
      }
    });
    return;
  }
  parallel_for(tasks, threads, [&](std::size_t task) {
    const std::int64_t l0 = static_cast<std::int64_t>(task) * per_task;
    const std::int64_t l1 = std::min(lines, l0 + per_task);
    for (std::int64_t l = l0; l < l1; ++l) {
      for (std::int64_t e = 0; e < length; ++e) {
        const std::int64_t j = row_major ? e : l;
        const std::int64_t x = l * length + e;
        store_scaled(static_cast<double>(q[x]), negative[static_cast<std::size_t>(j)] != 0, gain,
                     unit, dtype, out, x);
      }
    }
  });
}

template <class W>
void orthogonal_in(W* work, std::int64_t rows, std::int64_t cols, double gain, DType dtype,
                   const Stream& stream, void* out) {
  const std::int64_t n = std::max(rows, cols), k = std::min(rows, cols);
  const bool tall = rows >= cols;
  const int threads = get_num_threads();
  const MatrixKernels& kernels = matrix_kernels(active_target());
  draw_normal(work, n, k, tall, stream, threads);
  std::vector<unsigned char> negative(static_cast<std::size_t>(k));
  householder_q(work, n, k, tall ? Layout::kRowMajor : Layout::kColumnMajor, negative.data(),
                kernels, threads);
  // Q row-major (tall) is W; Q column-major (wide) is Q^T row-major: W either way.
  scale_out(work, n, k, tall, negative, gain, dtype, out, threads);
}

}  // namespace
}  // namespace detail

std::vector<std::int64_t> delta_orthogonal_centre(const std::vector<std::int64_t>& shape) {
  if (shape.size() < 2) {
    throw std::invalid_argument("shape: a delta-orthogonal kernel has rank >= 2 (spatial axes, "
                                "in, out), got rank " + std::to_string(shape.size()));
  }
  std::vector<std::int64_t> index;
  for (std::size_t k = 0; k + 2 < shape.size(); ++k) {
    if (shape[k] < 0) throw std::invalid_argument("shape: dimensions must be non-negative");
    index.push_back(shape[k] == 0 ? 0 : (shape[k] - 1) / 2);
  }
  return index;
}

void orthogonal(std::int64_t rows, std::int64_t cols, double gain, DType dtype,
                const Stream& stream, void* out) {
  const detail::FloatEnvironment ieee;  // IEEE-754's default modes, whatever the caller's
  if (rows < 0) detail::fail("rows: must be non-negative, got " + std::to_string(rows));
  if (cols < 0) detail::fail("cols: must be non-negative, got " + std::to_string(cols));
  if (!std::isfinite(gain)) {
    const char* text = std::isnan(gain) ? "nan" : gain > 0 ? "inf" : "-inf";
    detail::fail(std::string("gain: must be finite, got ") + text);
  }
  if (dtype != DType::kFloat32 && dtype != DType::kFloat64 && dtype != DType::kFloat16 &&
      dtype != DType::kBFloat16) {
    detail::fail("dtype: must be float32, float64, float16 or bfloat16");
  }
  if (rows == 0 || cols == 0) return;
  if (rows > std::numeric_limits<std::int64_t>::max() / cols) {
    detail::fail("rows, cols: rows * cols = " + std::to_string(rows) + " * " +
                 std::to_string(cols) + " is beyond 2^63 - 1 elements");
  }
  if (out == nullptr) detail::fail("out: null pointer");
  const std::int64_t total = rows * cols;
  switch (dtype) {
    case DType::kFloat64:
      detail::orthogonal_in(static_cast<double*>(out), rows, cols, gain, dtype, stream, out);
      break;
    case DType::kFloat32:
      detail::orthogonal_in(static_cast<float*>(out), rows, cols, gain, dtype, stream, out);
      break;
    default: {
      std::vector<float> work(static_cast<std::size_t>(total));
      detail::orthogonal_in(work.data(), rows, cols, gain, dtype, stream, out);
      break;
    }
  }
}

// --- the initializer classes ----------------------------------------------------------------

namespace detail {
namespace {

// _tf1_orthogonal.refuse_split.
void refuse_split(const char* name, const Shape& shape, const Box& box) {
  if (is_split(shape, box)) {
    throw ValueError(
        std::string(name) +
        ": partitioned variables are not supported: orthogonality is a property of the whole "
        "matrix, and a partition of shape " + dims_text(shape) + " of full_shape " +
        dims_text(box.full) + " cannot be drawn on its own (TF would make each partition "
        "orthogonal by itself). Initialize the full shape and split the result instead.");
  }
}

void check_orthogonal_filters(const Shape& shape) {
  if (shape[shape.size() - 2] > shape.back()) {
    throw ValueError("In_filters cannot be greater than out_filters.");
  }
}

// A row-major n x n matrix in the working precision W.
template <class W>
using Square = std::vector<W>;

template <class W>
MatrixView<W> square_view(Square<W>& m, std::int64_t n) {
  return {m.data(), n, 1};
}

// Standard-normal draws one after another from one (key, stream), in W (double for float64
// output, float otherwise): draw j starts at the counter block right after draw j - 1 ends
// (16 blocks per 64 float32 or 32 float64 elements), so any number of draws share one
// stream without overlap. Products are the matrix kernels' fused chains, threaded.
template <class W>
class NormalDraws {
 public:
  explicit NormalDraws(const Stream& stream)
      : stream_(stream), kernels_(matrix_kernels(active_target())), threads_(get_num_threads()) {}

  std::vector<W> normal(std::int64_t count) {
    std::vector<W> out(static_cast<std::size_t>(count));
    fill(Distribution::normal(0.0, 1.0), stream(), working_dtype<W>(), 0,
         static_cast<std::uint64_t>(count), out.data());
    advance(count);
    return out;
  }

  // A Haar-distributed n x n orthogonal matrix: orthogonal()'s for the next n * n draws.
  Square<W> haar(std::int64_t n) {
    Square<W> q(static_cast<std::size_t>(n * n));
    orthogonal(n, n, 1.0, working_dtype<W>(), stream(), q.data());
    advance(n * n);
    return q;
  }

  // A random symmetric projection C C^T, C = Q diag(m): Q Haar n x n, m a 0/1 mask from the
  // signs of n more normals.
  Square<W> projection(std::int64_t n) {
    Square<W> c = haar(n);
    const std::vector<W> mask = normal(n);
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        if (!(mask[static_cast<std::size_t>(j)] > 0)) c[static_cast<std::size_t>(i * n + j)] = 0;
      }
    }
    Square<W> p(static_cast<std::size_t>(n * n));
    const MatrixView<W> cv = square_view(c, n);
    multiply(n, n, n, cv, cv.t(), square_view(p, n), false);
    return p;
  }

  // C (r x c) = A B or C + A B.
  void multiply(std::int64_t r, std::int64_t c, std::int64_t m, MatrixView<const W> a,
                MatrixView<const W> b, MatrixView<W> out, bool accumulate) {
    product(r, c, m, a, b, out, accumulate, false, kernels_, threads_);
  }

 private:
  Stream stream() const { return stream_.at(offset_); }
  void advance(std::int64_t count) {
    const std::uint64_t group = sizeof(W) == 4 ? 64 : 32;
    offset_ += 16 * ((static_cast<std::uint64_t>(count) + group - 1) / group);
  }

  Stream stream_;
  const MatrixKernels& kernels_;
  int threads_;
  std::uint64_t offset_ = 0;
};

// A kernel of n x n matrices over a d-dimensional spatial grid, row-major over the grid.
template <class W>
struct MatrixKernel {
  std::vector<std::size_t> size;  // spatial extents
  std::vector<Square<W>> entries;
};

// _tf1_orthogonal._block_kernel: the 2 x ... x 2 kernel of the products F1 F2 ... Fd, with
// Fk = Pk at index 0 and I - Pk at index 1. Its transfer function prod_k (Pk + (I - Pk) z_k)
// is unitary on the unit torus because each factor is (Pk a symmetric projection).
template <class W>
MatrixKernel<W> block_kernel(NormalDraws<W>& draws, std::vector<Square<W>> projections,
                             std::int64_t n) {
  const std::size_t d = projections.size();
  std::vector<Square<W>> complements;
  for (const Square<W>& p : projections) {
    Square<W> q(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      q[i] = (i % static_cast<std::size_t>(n + 1) == 0 ? W(1) : W(0)) - p[i];
    }
    complements.push_back(std::move(q));
  }
  MatrixKernel<W> out{std::vector<std::size_t>(d, 2), {}};
  for (std::size_t index = 0; index < (std::size_t{1} << d); ++index) {
    // Bit d - 1 - k of `index` is the k-th spatial index (the first dimension is slowest).
    auto factor = [&](std::size_t k) -> Square<W>& {
      return (index >> (d - 1 - k)) & 1u ? complements[k] : projections[k];
    };
    Square<W> m = factor(0);
    for (std::size_t k = 1; k < d; ++k) {
      Square<W> next(m.size());
      draws.multiply(n, n, n, square_view(m, n), square_view(factor(k), n), square_view(next, n),
                     false);
      m = std::move(next);
    }
    out.entries.push_back(std::move(m));
  }
  return out;
}

// _tf1_orthogonal._matrix_conv: the full d-dimensional convolution of two matrix kernels,
// out[i] = sum_j a[i - j] b[j] (so transfer functions multiply), summed in the order of j,
// then of i - j.
template <class W>
MatrixKernel<W> matrix_conv(NormalDraws<W>& draws, MatrixKernel<W>& a, MatrixKernel<W>& b,
                            std::int64_t n) {
  const std::size_t d = a.size.size();
  MatrixKernel<W> out;
  std::size_t total = 1;
  for (std::size_t k = 0; k < d; ++k) {
    out.size.push_back(a.size[k] + b.size[k] - 1);
    total *= out.size.back();
  }
  out.entries.assign(total, Square<W>(static_cast<std::size_t>(n * n), W(0)));
  auto unravel = [d](std::size_t flat, const std::vector<std::size_t>& size) {
    std::vector<std::size_t> idx(d);
    for (std::size_t k = d; k-- > 0;) {
      idx[k] = flat % size[k];
      flat /= size[k];
    }
    return idx;
  };
  for (std::size_t jb = 0; jb < b.entries.size(); ++jb) {
    const std::vector<std::size_t> bi = unravel(jb, b.size);
    for (std::size_t ja = 0; ja < a.entries.size(); ++ja) {
      const std::vector<std::size_t> ai = unravel(ja, a.size);
      std::size_t flat = 0;
      for (std::size_t k = 0; k < d; ++k) flat = flat * out.size[k] + ai[k] + bi[k];
      draws.multiply(n, n, n, square_view(a.entries[ja], n), square_view(b.entries[jb], n),
                     square_view(out.entries[flat], n), true);
    }
  }
  return out;
}

// The first `count` elements of the row-major matrix `m`, times gain, rounded once to dtype,
// at out + first.
template <class W>
void emit(const std::vector<W>& m, std::size_t count, double gain, DType dtype, void* out,
          std::size_t first) {
  for (std::size_t i = 0; i < count; ++i) {
    store_scaled(static_cast<double>(m[i]), false, gain, gain == 1.0, dtype, out,
                 static_cast<std::int64_t>(first + i));
  }
}

template <class W>
void delta_orthogonal(const Shape& shape, double gain, const Stream& ks, DType dtype,
                      void* out) {
  const auto cin = static_cast<std::size_t>(shape[shape.size() - 2]);
  const auto cout = static_cast<std::size_t>(shape.back());
  NormalDraws<W> draws(ks);
  const Square<W> q = draws.haar(shape.back());
  const std::vector<std::int64_t> index = delta_orthogonal_centre(shape);
  std::size_t centre = 0;  // flat spatial index of the centre
  for (std::size_t k = 0; k < index.size(); ++k) {
    centre = centre * static_cast<std::size_t>(shape[k]) + static_cast<std::size_t>(index[k]);
  }
  emit(q, cin * cout, gain, dtype, out, centre * cin * cout);  // q's first cin rows
}

// _tf1_orthogonal._orthogonal_kernel: orth = the first `in` rows of a Haar out x out matrix;
// a block kernel of d fresh projections, convolved k - 2 times with further block kernels;
// then every entry left-multiplied by orth. Draw order: orth, then per block kernel each
// projection's matrix and mask.
template <class W>
void convolution_orthogonal(const Shape& shape, int rank, double gain, const Stream& ks,
                            DType dtype, void* out) {
  const auto d = static_cast<std::size_t>(rank - 2);
  const auto ksize = static_cast<std::size_t>(shape[0]);
  const std::int64_t cin = shape[shape.size() - 2];
  const std::int64_t n = shape.back();
  const auto block = static_cast<std::size_t>(cin * n);
  NormalDraws<W> draws(ks);
  Square<W> orth = draws.haar(n);  // its first cin rows are used
  if (ksize == 1) {
    emit(orth, block, gain, dtype, out, 0);
    return;
  }
  auto next_block = [&] {
    std::vector<Square<W>> projections;
    for (std::size_t k = 0; k < d; ++k) projections.push_back(draws.projection(n));
    return block_kernel(draws, std::move(projections), n);
  };
  MatrixKernel<W> kernel = next_block();
  for (std::size_t k = 2; k < ksize; ++k) {
    MatrixKernel<W> next = next_block();
    kernel = matrix_conv(draws, kernel, next, n);
  }
  std::vector<W> entry(block);
  for (std::size_t s = 0; s < kernel.entries.size(); ++s) {
    draws.multiply(cin, n, n, square_view(orth, n), square_view(kernel.entries[s], n),
                   MatrixView<W>{entry.data(), n, 1}, false);
    emit(entry, block, gain, dtype, out, s * block);
  }
}

}  // namespace
}  // namespace detail

Orthogonal::Orthogonal(double gain, std::optional<std::int64_t> seed, ElementType dtype)
    : RandomInitializer(seed, detail::assert_float_dtype(dtype)), gain_(gain) {}

// _tf1_orthogonal.Orthogonal.__call__: the shape flattened TF's way (rows = the product of
// all dimensions but the last), then orthogonal() on the call's (key, stream).
void Orthogonal::generate(const Shape& shape, ElementType dt,
                          const std::optional<PartitionInfo>& partition_info, void* out) const {
  if (shape.size() < 2) {
    throw ValueError("The tensor to initialize must be at least two-dimensional");
  }
  detail::refuse_split("Orthogonal", shape, detail::partition_box(shape, partition_info));
  const Stream ks = call_stream(std::nullopt);
  const std::size_t size = detail::element_count(shape);
  if (size == 0) return;
  const std::int64_t cols = shape.back();
  const std::int64_t rows = static_cast<std::int64_t>(size) / cols;
  orthogonal(rows, cols, gain_, detail::fill_dtype(dt), ks, out);
}

ConvolutionDeltaOrthogonal::ConvolutionDeltaOrthogonal(double gain,
                                                       std::optional<std::int64_t> seed,
                                                       ElementType dtype)
    : RandomInitializer(seed, detail::assert_float_dtype(dtype)), gain_(gain) {}

// _tf1_orthogonal.ConvolutionDeltaOrthogonal.__call__: the shape's checks come first.
void ConvolutionDeltaOrthogonal::check_call(const Shape& shape, ElementType dtype) const {
  detail::check_shape(shape, "shape");
  if (shape.size() < 3 || shape.size() > 5) {
    throw ValueError("The tensor to initialize must be at least three-dimensional and at most "
                     "five-dimensional");
  }
  detail::check_orthogonal_filters(shape);
  check_dtype(dtype);
}

void ConvolutionDeltaOrthogonal::generate(const Shape& shape, ElementType dt,
                                          const std::optional<PartitionInfo>& partition_info,
                                          void* out) const {
  const detail::FloatEnvironment ieee;
  detail::refuse_split(name(), shape, detail::partition_box(shape, partition_info));
  const std::size_t size = detail::element_count(shape);
  std::memset(out, 0, size * static_cast<std::size_t>(element_size(dt)));
  if (size == 0) return;
  const Stream ks = call_stream(std::nullopt);
  if (dt == ElementType::kFloat64) {
    detail::delta_orthogonal<double>(shape, gain_, ks, detail::fill_dtype(dt), out);
  } else {
    detail::delta_orthogonal<float>(shape, gain_, ks, detail::fill_dtype(dt), out);
  }
}

ConvolutionOrthogonal::ConvolutionOrthogonal(int rank, double gain,
                                             std::optional<std::int64_t> seed, ElementType dtype)
    : RandomInitializer(seed, detail::assert_float_dtype(dtype)), rank_(rank), gain_(gain) {}

// _tf1_orthogonal.ConvolutionOrthogonal.__call__: the shape's checks come first.
void ConvolutionOrthogonal::check_call(const Shape& shape, ElementType dtype) const {
  detail::check_shape(shape, "shape");
  if (static_cast<int>(shape.size()) != rank_) {
    static const char* const kRankNames[] = {"three-dimensional", "four-dimensional",
                                             "five-dimensional"};
    throw ValueError(std::string("The tensor to initialize must be ") + kRankNames[rank_ - 3]);
  }
  detail::check_orthogonal_filters(shape);
  for (std::size_t k = 1; k + 2 < shape.size(); ++k) {
    if (shape[k] != shape[0]) throw ValueError("Kernel sizes must be equal.");
  }
  check_dtype(dtype);
}

void ConvolutionOrthogonal::generate(const Shape& shape, ElementType dt,
                                     const std::optional<PartitionInfo>& partition_info,
                                     void* out) const {
  const detail::FloatEnvironment ieee;
  detail::refuse_split(name(), shape, detail::partition_box(shape, partition_info));
  if (detail::element_count(shape) == 0) return;
  const Stream ks = call_stream(std::nullopt);
  if (dt == ElementType::kFloat64) {
    detail::convolution_orthogonal<double>(shape, rank_, gain_, ks, detail::fill_dtype(dt), out);
  } else {
    detail::convolution_orthogonal<float>(shape, rank_, gain_, ks, detail::fill_dtype(dt), out);
  }
}

}  // namespace weightinit
