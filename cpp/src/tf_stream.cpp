// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream: the family switch, parameters in the output dtype, boxes, threads,
// and the choice of kernel target.

#include "weightinit/tf_stream.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <string>

#include "box_runs.hpp"
#include "dispatch.hpp"
#include "float_env.hpp"
#include "store.hpp"
#include "tf_kernel.hpp"
#include "thread_pool.hpp"
#include "weightinit/cpu.hpp"
#include "weightinit/float16.hpp"

namespace weightinit {

namespace {
std::atomic<int> g_tf1_stream{static_cast<int>(StreamFamily::kWeightinit)};
}  // namespace

const char* stream_family_name(StreamFamily family) {
  return family == StreamFamily::kTensorFlow ? "tensorflow" : "weightinit";
}

StreamFamily parse_stream_family(const std::string& name) {
  if (name == "weightinit") return StreamFamily::kWeightinit;
  if (name == "tensorflow") return StreamFamily::kTensorFlow;
  throw ValueError("stream: expected \"weightinit\" or \"tensorflow\", got \"" + name + "\"");
}

void set_tf1_stream(StreamFamily family) {
  g_tf1_stream.store(static_cast<int>(family), std::memory_order_relaxed);
}

StreamFamily get_tf1_stream() {
  return static_cast<StreamFamily>(g_tf1_stream.load(std::memory_order_relaxed));
}

namespace detail {
const TfKernelTable& tf_active_kernels() {
  switch (active_target()) {
#if WEIGHTINIT_HAVE_AVX2
    case Target::kAVX2: return tf_kernels_avx2();
#endif
#if WEIGHTINIT_HAVE_AVX512
    case Target::kAVX512: return tf_kernels_avx512();
#endif
#if WEIGHTINIT_HAVE_NEON
    case Target::kNEON: return tf_kernels_neon();
#endif
    default: return tf_kernels_scalar();
  }
}
}  // namespace detail

namespace tensorflow_stream {
namespace {

#include "uniform_int-inl.hpp"

using detail::TfArgs;

const char* dtype_text(DType d) {
  switch (d) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kFloat16: return "float16";
    case DType::kBFloat16: return "bfloat16";
    case DType::kUInt32: return "int32";
    case DType::kUInt64: return "int64";
  }
  return "?";
}

// v converted to the dtype as TF converts a Python float (float16: NumPy's direct rounding;
// bfloat16: through float32, as ml_dtypes), as a float (16/32-bit types) or double.
double to_dtype(DType d, double v) {
  switch (d) {
    case DType::kFloat64: return v;
    case DType::kFloat32: return detail::to_f32(v);
    case DType::kFloat16: return detail::half_bits_to_float(detail::double_to_half_bits(v));
    default: return detail::bfloat16_bits_to_float(bfloat16_bits(detail::to_f32(v)));
  }
}

// a - b in the dtype: one rounding (16-bit types: float, then the type; exact as one
// rounding, float having more than twice their precision).
double sub_in_dtype(DType d, double a, double b) {
  switch (d) {
    case DType::kFloat64: return a - b;
    case DType::kFloat32: return static_cast<double>(static_cast<float>(a) - static_cast<float>(b));
    case DType::kFloat16:
      return detail::half_bits_to_float(
          float16_bits(static_cast<float>(a) - static_cast<float>(b)));
    default:
      return detail::bfloat16_bits_to_float(
          bfloat16_bits(static_cast<float>(a) - static_cast<float>(b)));
  }
}

double finite_param(DType d, double v, const char* argname) {
  if (!std::isfinite(v)) {
    throw ValueError(std::string(argname) + ": must be finite in " + dtype_text(d) +
                     " (the TensorFlow stream computes in the output dtype)");
  }
  return v;
}

TfArgs base_args(std::uint64_t seed, std::uint64_t seed2) {
  TfArgs a{};
  a.key0 = static_cast<std::uint32_t>(seed);
  a.key1 = static_cast<std::uint32_t>(seed >> 32);
  a.ctr2 = static_cast<std::uint32_t>(seed2);
  a.ctr3 = static_cast<std::uint32_t>(seed2 >> 32);
  a.has_add = true;
  return a;
}

void set_affine(TfArgs& a, double mul, double add) {
  a.d_mul = mul;
  a.d_add = add;
  // TF's graph optimizer (Grappler's constant folding) rewrites x + 0 to x, which keeps a
  // -0 product (the 16-bit types' underflows) negative; so does the stream.
  a.has_add = add != 0.0;
  a.f_mul = static_cast<float>(mul);  // exact: already in the dtype
  a.f_add = static_cast<float>(add);
}

// Elements per group: TF's kResultElementCount.
std::uint64_t group_size(DType d) { return dtype_size(d) == 8 ? 2 : 4; }

// The box through the library's one box engine (box_runs.hpp), whole groups from `fn`.
void fill_box_with(detail::TfGroupFn fn, const TfArgs& a, DType dtype,
                   const std::vector<std::int64_t>& global_shape,
                   const std::vector<std::int64_t>& start,
                   const std::vector<std::int64_t>& box_shape, void* out,
                   const std::vector<std::int64_t>& byte_strides) {
  const std::uint64_t total = check_box(dtype, global_shape, start, box_shape, byte_strides);
  if (total == 0) return;
  const detail::FloatEnvironment ieee;
  const std::uint64_t ge = group_size(dtype);
  const int itemsize = dtype_size(dtype);
  detail::fill_box_runs(dtype, total, global_shape, start, box_shape, out, byte_strides, FillControl{},
                        [&](std::uint64_t first, std::uint64_t count, char* dst, std::int64_t stride) {
                          detail::run_groups(
                              [&](std::uint64_t g, std::uint64_t n, char* to) { fn(a, g, n, to); },
                              ge, itemsize, first, count, dst, stride);
                        });
}

}  // namespace

void fill_law(const Law& law, std::uint64_t seed, std::uint64_t seed2, DType dtype,
              const std::vector<std::int64_t>& global_shape, const std::vector<std::int64_t>& start,
              const std::vector<std::int64_t>& box_shape, void* out,
              const std::vector<std::int64_t>& byte_strides, bool zero_min_integer) {
  if (dtype == DType::kUInt32 || dtype == DType::kUInt64) {
    throw ValueError("dtype: the TensorFlow stream writes float16, bfloat16, float32 or float64 "
                     "here (integers: fill_uniform_int)");
  }
  const detail::FloatEnvironment ieee;
  TfArgs a = base_args(seed, seed2);
  detail::TfOp op;
  switch (law.kind) {
    case Law::Kind::kUniform: {
      op = detail::kTfUniform;
      const double lo = finite_param(dtype, to_dtype(dtype, law.p0), "minval");
      const double hi = finite_param(dtype, to_dtype(dtype, law.p1), "maxval");
      if (zero_min_integer) {
        set_affine(a, hi, 0.0);
      } else {
        set_affine(a, finite_param(dtype, sub_in_dtype(dtype, hi, lo), "maxval - minval"), lo);
      }
      break;
    }
    case Law::Kind::kNormal:
    case Law::Kind::kTruncatedNormal: {
      const bool truncated = law.kind == Law::Kind::kTruncatedNormal;
      if (truncated && !(law.p2 == -2.0 && law.p3 == 2.0)) {
        throw ValueError("law: the TensorFlow stream truncates normals at -2 and 2 standard "
                         "deviations only");
      }
      op = truncated ? detail::kTfTruncatedNormal : detail::kTfNormal;
      set_affine(a, finite_param(dtype, to_dtype(dtype, law.p1), "stddev"),
                 finite_param(dtype, to_dtype(dtype, law.p0), "mean"));
      break;
    }
    default:
      throw ValueError("law: the TensorFlow stream draws TensorFlow's uniform, normal and "
                       "truncated normal (at 2 standard deviations) only");
  }
  const detail::TfGroupFn fn = detail::tf_active_kernels().fn[static_cast<int>(dtype)][op];
  fill_box_with(fn, a, dtype, global_shape, start, box_shape, out, byte_strides);
}

void fill_uniform_int(std::int64_t low, std::int64_t high, std::uint64_t seed,
                      std::uint64_t seed2, DType dtype,
                      const std::vector<std::int64_t>& global_shape,
                      const std::vector<std::int64_t>& start,
                      const std::vector<std::int64_t>& box_shape, void* out,
                      const std::vector<std::int64_t>& byte_strides) {
  if (dtype != DType::kUInt32 && dtype != DType::kUInt64) {
    throw ValueError("dtype: integer uniforms are int32 (kUInt32) or int64 (kUInt64)");
  }
  if (!(low < high)) {
    throw ValueError("Need minval < maxval, got " + std::to_string(low) + " >= " + std::to_string(high));
  }
  TfArgs a = base_args(seed, seed2);
  const UniformIntWords words = uniform_int_words(low, high);
  a.range64 = words.range64;
  a.base64 = words.base64;
  a.range32 = words.range32;
  a.base32 = words.base32;
  if (dtype == DType::kUInt32 && (low < INT32_MIN || high > INT32_MAX)) {
    throw ValueError("minval, maxval: outside the int32 range");
  }
  const detail::TfGroupFn fn =
      detail::tf_active_kernels().fn[static_cast<int>(dtype)][detail::kTfUniformInt];
  fill_box_with(fn, a, dtype, global_shape, start, box_shape, out, byte_strides);
}

}  // namespace tensorflow_stream
}  // namespace weightinit
