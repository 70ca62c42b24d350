// SPDX-License-Identifier: BSD-3-Clause
// Fills of a caller's buffer from the stream docs/streams.md specifies.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "weightinit/stream.hpp"

namespace weightinit {

/// Output element types. Float16 is IEEE binary16, BFloat16 the top half of a float32.
/// UInt32 / UInt64 take only Distribution::bits(): the raw stream words.
enum class DType { kFloat32 = 0, kFloat64 = 1, kFloat16 = 2, kBFloat16 = 3, kUInt32 = 4, kUInt64 = 5 };

/// Bytes per element of `dtype`.
constexpr int dtype_size(DType dtype) {
  return dtype == DType::kFloat64 || dtype == DType::kUInt64   ? 8
         : dtype == DType::kFloat32 || dtype == DType::kUInt32 ? 4
                                                               : 2;
}

/// A distribution and its parameters, validated by the factory functions.
struct Distribution {
  enum class Kind { kUniform = 0, kNormal = 1, kTruncatedNormal = 2, kBits = 3 };
  Kind kind;
  double p0, p1, p2, p3;  ///< (low, high), (mean, stddev) or (mean, stddev, a, b)
  double low, high;       ///< truncated normal: the absolute interval every value lies in

  /// Uniform on [low, high): every value v has low <= v < high in the output dtype.
  /// Throws std::invalid_argument unless low, high are finite and low < high.
  static Distribution uniform(double low, double high);
  /// Normal with `mean` and `stddev`. Throws unless finite and stddev > 0.
  static Distribution normal(double mean, double stddev);
  /// Normal(mean, stddev) conditioned on a <= (v - mean) / stddev <= b. The bounds are in
  /// standard deviations, may be infinite on one side, and need a < b; every value lies in
  /// [mean + a * stddev, mean + b * stddev] in the output dtype. Exact inverse-CDF law.
  static Distribution truncated_normal(double mean, double stddev, double a, double b);
  /// Normal(mean, stddev) conditioned on low <= v <= high: the same law with absolute bounds
  /// (as torch's trunc_normal_ takes them); every value lies in [low, high] in the output
  /// dtype, exactly, whatever rounding (low - mean) / stddev suffers.
  static Distribution truncated_normal_between(double mean, double stddev, double low,
                                               double high);
  /// The raw stream words (for integer distributions built above the core): element i of a
  /// UInt32 output is the word a 32-bit float element i reads, of a UInt64 output the two
  /// words (low first) a float64 element i reads.
  static Distribution bits();
};

/// Optional per-call control of a fill: a way to stop it early. The default runs to the end.
///
/// Every thread of the fill checks for a stop between slices of at most
/// kFillSliceElements elements (well under a millisecond of work each), so a stop lands
/// within about a millisecond plus the poll interval. A stopped fill throws FillCancelled
/// after every thread has stopped writing; `out` then holds an unspecified mix of its old
/// contents and the fill's values (each element is one or the other).
struct FillControl {
  /// Stops the fill once it reads true. Any thread may set it, at any time.
  const std::atomic<bool>* cancel = nullptr;
  /// Called on the thread that called fill, at most once per `poll_interval` (never for a
  /// fill that ends sooner). Returning true stops the fill; an exception it throws stops the
  /// fill and is rethrown by fill in place of FillCancelled. With a poll callback, a fill of
  /// 2^20 elements or more runs on get_num_threads() pool threads while the calling thread
  /// only polls, so a poll that blocks for a while (on Python's GIL, say) delays no work.
  std::function<bool()> poll;
  std::chrono::milliseconds poll_interval{20};
};

/// Elements one thread writes between two checks of FillControl.
inline constexpr std::uint64_t kFillSliceElements = std::uint64_t{1} << 18;

/// Thrown by fill and fill_box when FillControl stopped them.
class FillCancelled : public std::runtime_error {
 public:
  FillCancelled() : std::runtime_error("fill: cancelled; the output's contents are unspecified") {}
};

/// Fill out[0, count) with elements first .. first+count-1 of the flat tensor.
///
/// Element i depends only on (stream, i, distribution, dtype): never on threads, target,
/// chunking or call order. `stream` is of weightinit's family (a TensorFlow-family stream
/// is drawn by tensorflow_stream::fill_law; here it is a ValueError). `out` must hold `count` elements of `dtype`; nothing else is
/// written and no temporary proportional to `count` is allocated. Thread-safe.
/// Throws std::invalid_argument (naming the argument) on bad parameters, before writing
/// anything: among them any law whose values can leave the finite range of `dtype`
/// (docs/robustness.md). Throws std::runtime_error if the OS refuses a worker thread
/// (nothing is written then), FillCancelled if `control` stopped it.
void fill(const Distribution& dist, const Stream& stream, DType dtype, std::uint64_t first,
          std::uint64_t count, void* out, const FillControl& control = FillControl());

/// Check a box as fill_box does (ranks, the box inside the shape, at most 2^63 elements,
/// distinct elements under the strides) and return its element count. Throws
/// std::invalid_argument naming the problem.
std::uint64_t check_box(DType dtype, const std::vector<std::int64_t>& global_shape,
                        const std::vector<std::int64_t>& start,
                        const std::vector<std::int64_t>& box_shape,
                        const std::vector<std::int64_t>& byte_strides);

/// Fill a box of a row-major tensor of `global_shape`: the elements with
/// start[k] <= index[k] < start[k] + box_shape[k], written at out + sum(index'[k] * byte_strides[k])
/// where index' = index - start. Equals the same slice of `fill` over the whole tensor.
/// Throws std::invalid_argument on a box outside the shape, an element count over 2^63, or
/// strides under which two elements share memory (an expanded or as_strided view); and as
/// `fill` does.
void fill_box(const Distribution& dist, const Stream& stream, DType dtype,
              const std::vector<std::int64_t>& global_shape, const std::vector<std::int64_t>& start,
              const std::vector<std::int64_t>& box_shape, void* out,
              const std::vector<std::int64_t>& byte_strides,
              const FillControl& control = FillControl());

}  // namespace weightinit
