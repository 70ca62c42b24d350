// SPDX-License-Identifier: BSD-3-Clause
// Argument checks, the once-per-fill setup, chunking by counter group, and dispatch.

#include "weightinit/fill.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "box_runs.hpp"
#include "dispatch.hpp"
#include "float_env.hpp"
#include "normal_cdf.hpp"
#include "stream_reach.hpp"
#include "setup.hpp"
#include "thread_pool.hpp"
#include "weightinit/cpu.hpp"
#include "weightinit/float16.hpp"

namespace weightinit {
namespace {

using detail::KernelArgs;
using detail::kBlocksPerGroup;

const char* dtype_name(DType d) {
  switch (d) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kFloat16: return "float16";
    case DType::kBFloat16: return "bfloat16";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
  }
  return "?";
}

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

std::string show(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// A computed (not given) value, to 6 digits.
std::string show6(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// --- values representable in the output dtype ----------------------------------------------

std::uint16_t encode16(DType d, float v) {
  return d == DType::kBFloat16 ? bfloat16_bits(v) : float16_bits(v);
}

double decode16(DType d, std::uint16_t h) {
  if (d == DType::kBFloat16) {
    const std::uint32_t x = std::uint32_t{h} << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
  }
  const int sign = (h >> 15) ? -1 : 1;
  const int exp = (h >> 10) & 0x1f;
  const int man = h & 0x3ff;
  if (exp == 0x1f) return sign * std::numeric_limits<double>::infinity();
  if (exp == 0) return sign * std::ldexp(static_cast<double>(man), -24);
  return sign * std::ldexp(static_cast<double>(man | 0x400), exp - 25);
}

// The representable neighbour of v (in dtype d) in direction +1 or -1.
double step(DType d, double v, int dir) {
  const double inf = std::numeric_limits<double>::infinity();
  switch (d) {
    case DType::kFloat64: return std::nextafter(v, dir * inf);
    case DType::kFloat32:
      return std::nextafter(static_cast<float>(v), static_cast<float>(dir * inf));
    default: {
      std::uint16_t h = encode16(d, static_cast<float>(v));
      const bool neg = (h & 0x8000u) != 0;
      const std::uint16_t mag = h & 0x7fffu;
      if (mag == 0) return dir > 0 ? decode16(d, 1) : decode16(d, 0x8001u);
      // Moving away from zero increases the magnitude.
      const bool away = (dir > 0) != neg;
      h = static_cast<std::uint16_t>((h & 0x8000u) | (away ? mag + 1 : mag - 1));
      return decode16(d, h);
    }
  }
}

double nearest(DType d, double v) {
  switch (d) {
    case DType::kFloat64: return v;
    case DType::kFloat32: return static_cast<float>(v);
    default: return decode16(d, encode16(d, static_cast<float>(v)));  // the 16-bit types
  }
}

// Largest value of dtype d that is <= v (or < v when strict).
double round_down(DType d, double v, bool strict) {
  double c = nearest(d, v);
  while (c > v || (strict && c == v)) c = step(d, c, -1);
  for (double up = step(d, c, +1); up < v || (!strict && up == v); up = step(d, c, +1)) c = up;
  return c;
}

// Smallest value of dtype d that is >= v.
double round_up(DType d, double v) {
  double c = nearest(d, v);
  while (c < v) c = step(d, c, +1);
  for (double down = step(d, c, -1); down >= v; down = step(d, c, -1)) c = down;
  return c;
}

double max_finite(DType d) {
  switch (d) {
    case DType::kFloat64: return std::numeric_limits<double>::max();
    case DType::kFloat32: return std::numeric_limits<float>::max();
    case DType::kFloat16: return 65504.0;
    case DType::kBFloat16: return decode16(d, 0x7f7f);
    default: return 0;
  }
}

// The finite range of dtype d, for messages: "float16 range [-65504, 65504]".
std::string range_text(DType d) {
  return std::string(dtype_name(d)) + " range [" + show(-max_finite(d)) + ", " + show(max_finite(d)) +
         "]";
}

struct Setup {
  KernelArgs args;
  detail::Transform transform;
};

Setup make_setup(const Distribution& dist, const Stream& s, DType dtype) {
  Setup out{};
  KernelArgs& a = out.args;
  if (s.family() != StreamFamily::kWeightinit) {
    fail("stream: a \"tensorflow\" stream is drawn by tensorflow_stream::fill_law, not fill");
  }
  a.key0 = static_cast<std::uint32_t>(s.key());
  a.key1 = static_cast<std::uint32_t>(s.key() >> 32);
  a.stream0 = static_cast<std::uint32_t>(s.stream_id());
  a.stream1 = static_cast<std::uint32_t>(s.stream_id() >> 32);
  a.offset = s.offset();
  const bool wide = dtype == DType::kFloat64;
  const double inf = std::numeric_limits<double>::infinity();
  const double fmax = std::numeric_limits<float>::max();
  double clamp_lo = -inf, clamp_hi = inf;
  const bool words_out = dtype == DType::kUInt32 || dtype == DType::kUInt64;
  if ((dist.kind == Distribution::Kind::kBits) != words_out) {
    fail("dtype: raw stream words go to uint32/uint64 outputs only, and only they");
  }

  if (dist.kind == Distribution::Kind::kBits) {
    out.transform = detail::kBits;
    return out;
  }
  const double dmax = max_finite(dtype);
  if (dist.kind == Distribution::Kind::kUniform) {
    const double lo = dist.p0, hi = dist.p1;
    // One policy for every dtype: [low, high) must lie in the dtype's finite range, or some
    // values would have to be clamped onto its largest value (or become inf).
    if (lo < -dmax || hi > dmax || (!wide && (std::fabs(lo) > fmax || std::fabs(hi) > fmax))) {
      fail("low, high: [" + show(lo) + ", " + show(hi) + ") is outside the " + range_text(dtype));
    }
    clamp_lo = round_up(dtype, lo);
    clamp_hi = round_down(dtype, hi, /*strict=*/true);
    if (!(clamp_lo <= clamp_hi) || clamp_lo >= hi || clamp_hi < lo) {
      fail("low, high: no " + std::string(dtype_name(dtype)) + " value lies in [" + show(lo) +
           ", " + show(hi) + ")");
    }
    a.d_lo = lo;
    a.d_range = hi - lo;
    a.f_lo = static_cast<float>(lo);
    a.f_range = static_cast<float>(hi) - static_cast<float>(lo);
    if (!std::isfinite(wide ? a.d_range : static_cast<double>(a.f_range))) {
      fail("low, high: high - low overflows " + std::string(wide ? "float64" : "float32"));
    }
    out.transform = detail::kUniform;
  } else {
    const double mean = dist.p0, sd = dist.p1;
    double ta = -inf, tb = inf;
    const bool truncated = dist.kind == Distribution::Kind::kTruncatedNormal;
    if (truncated) {
      ta = dist.p2;
      tb = dist.p3;
    }
    if (!wide && (std::fabs(mean) > fmax || sd > fmax)) {
      fail("mean, stddev: outside the float32 range");
    }
    // The law's kernel constants and transform (docs/streams.md §5).
    out.transform = detail::normal_law_setup(ta, tb, wide, a);
    a.d_mean = mean;
    a.d_std = sd;
    a.f_mean = static_cast<float>(mean);
    a.f_std = static_cast<float>(sd);
    if (truncated) {
      if (dist.low > -inf) clamp_lo = round_up(dtype, dist.low);
      if (dist.high < inf) clamp_hi = round_down(dtype, dist.high, /*strict=*/false);
      // Only the dtype's finite values count: a window beyond them holds none.
      clamp_lo = std::max(clamp_lo, -max_finite(dtype));
      clamp_hi = std::min(clamp_hi, max_finite(dtype));
    }
    if (!(clamp_lo <= clamp_hi)) {
      fail("a, b: no " + std::string(dtype_name(dtype)) + " value lies in [" + show(dist.low) +
           ", " + show(dist.high) + "]");
    }
    // Overflow: draws reach z in [max(a, -reach), min(b, reach)] (stream_reach.hpp), so values
    // mean + stddev * z, widened by the kernels' error and cut by the law's own bounds; those
    // must lie in the dtype's finite range.
    {
      const double z_hi = std::min(tb, detail::upper_reach(ta));
      const double z_lo = std::max(ta, -detail::upper_reach(-tb));
      auto bound = [&](double z) {
        const double x = mean + sd * z;
        const double e = (std::fabs(mean) + sd * std::fabs(z)) * detail::kReachMargin;
        return z < 0 ? x - e : x + e;
      };
      const double lo_v = std::max(bound(z_lo), truncated ? dist.low : -inf);
      const double hi_v = std::min(bound(z_hi), truncated ? dist.high : inf);
      if (lo_v < -dmax || hi_v > dmax) {
        fail("mean, stddev: values reach [" + show6(lo_v) + ", " + show6(hi_v) + "], outside the " +
             range_text(dtype));
      }
    }
  }
  a.d_clamp_lo = clamp_lo;
  a.d_clamp_hi = clamp_hi;
  a.f_clamp_lo = static_cast<float>(clamp_lo);
  a.f_clamp_hi = static_cast<float>(clamp_hi);
  return out;
}

// --- writing one run of consecutive elements ------------------------------------------------

// Tasks hold at least kChunkElements (a multiple of every group); large fills are cut into
// kTasksPerThread contiguous pieces per thread, so each thread first-touches its own long
// stretch of fresh pages instead of interleaving page faults with the others.
constexpr std::uint64_t kChunkElements = 1u << 16;
constexpr std::uint64_t kTasksPerThread = 4;
// From this size on, a fill with FillControl::poll keeps its calling thread for polling.
constexpr std::uint64_t kPollOnlyElements = std::uint64_t{1} << 20;


}  // namespace

namespace detail {
LawSetup law_setup(const Distribution& dist, DType dtype) {
  const Setup s = make_setup(dist, Stream(), dtype);
  return {s.args, s.transform};
}
}  // namespace detail

Distribution Distribution::uniform(double low, double high) {
  if (!std::isfinite(low)) fail("low: must be finite, got " + show(low));
  if (!std::isfinite(high)) fail("high: must be finite, got " + show(high));
  if (!(low < high)) fail("low, high: need low < high, got [" + show(low) + ", " + show(high) + ")");
  return {Kind::kUniform, low, high, 0, 0, 0, 0};
}

Distribution Distribution::bits() { return {Kind::kBits, 0, 0, 0, 0, 0, 0}; }

Distribution Distribution::normal(double mean, double stddev) {
  if (!std::isfinite(mean)) fail("mean: must be finite, got " + show(mean));
  if (!std::isfinite(stddev) || !(stddev > 0)) {
    fail("stddev: must be finite and > 0, got " + show(stddev));
  }
  return {Kind::kNormal, mean, stddev, 0, 0, 0, 0};
}

Distribution Distribution::truncated_normal(double mean, double stddev, double a, double b) {
  Distribution d = normal(mean, stddev);
  if (std::isnan(a)) fail("a: must not be NaN");
  if (std::isnan(b)) fail("b: must not be NaN");
  if (!(a < b)) fail("a, b: need a < b, got [" + show(a) + ", " + show(b) + "]");
  d.kind = Kind::kTruncatedNormal;
  d.p2 = a;
  d.p3 = b;
  d.low = mean + stddev * a;  // -inf and +inf stay infinite
  d.high = mean + stddev * b;
  return d;
}

Distribution Distribution::truncated_normal_between(double mean, double stddev, double low,
                                                    double high) {
  Distribution d = normal(mean, stddev);
  if (std::isnan(low)) fail("low: must not be NaN");
  if (std::isnan(high)) fail("high: must not be NaN");
  if (!(low < high)) fail("low, high: need low < high, got [" + show(low) + ", " + show(high) + "]");
  double a = (low - mean) / stddev, b = (high - mean) / stddev;
  if (!(a < b)) {  // a window narrower than the rounding of its standard score
    a = std::nextafter(a, -std::numeric_limits<double>::infinity());
    b = std::nextafter(b, std::numeric_limits<double>::infinity());
  }
  d = truncated_normal(mean, stddev, a, b);
  d.low = low;
  d.high = high;
  return d;
}

std::uint64_t check_box(DType dtype, const std::vector<std::int64_t>& global_shape,
                        const std::vector<std::int64_t>& start,
                        const std::vector<std::int64_t>& box_shape,
                        const std::vector<std::int64_t>& byte_strides) {
  const std::size_t rank = global_shape.size();
  if (start.size() != rank || box_shape.size() != rank || byte_strides.size() != rank) {
    fail("shape: global shape, start, box shape and strides need the same rank");
  }
  std::uint64_t total = 1, box_total = 1;
  const std::uint64_t kMax = std::uint64_t{1} << 63;
  for (std::size_t k = 0; k < rank; ++k) {
    if (global_shape[k] < 0) fail("shape: dimensions must be non-negative");
    if (start[k] < 0 || box_shape[k] < 0 || start[k] > global_shape[k] ||
        box_shape[k] > global_shape[k] - start[k]) {
      fail("partition: box [" + std::to_string(start[k]) + ", +" + std::to_string(box_shape[k]) +
           ") outside dimension " + std::to_string(k) + " of size " +
           std::to_string(global_shape[k]));
    }
    const auto g = static_cast<std::uint64_t>(global_shape[k]);
    if (g != 0 && total > kMax / g) fail("shape: more than 2^63 elements");
    total *= g;
    box_total *= static_cast<std::uint64_t>(box_shape[k]);
  }
  if (box_total == 0) return 0;
  // Distinct elements: sorted by |stride|, each axis must step over everything the smaller
  // ones span. Overlapping views (expand, as_strided) would make the bits depend on which
  // thread writes last.
  {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> axes;  // (|stride|, extent)
    for (std::size_t k = 0; k < rank; ++k) {
      if (box_shape[k] > 1) {
        const std::int64_t st = byte_strides[k];
        axes.emplace_back(static_cast<std::uint64_t>(st < 0 ? -st : st),
                          static_cast<std::uint64_t>(box_shape[k]));
      }
    }
    std::sort(axes.begin(), axes.end());
    std::uint64_t span = static_cast<std::uint64_t>(dtype_size(dtype));
    for (const auto& [stride, extent] : axes) {
      if (stride < span) fail("out: its elements overlap in memory (an expanded or as_strided view)");
      span = stride * (extent - 1) + span;
    }
  }
  return box_total;
}

void fill_box(const Distribution& dist, const Stream& stream, DType dtype,
              const std::vector<std::int64_t>& global_shape, const std::vector<std::int64_t>& start,
              const std::vector<std::int64_t>& box_shape, void* out,
              const std::vector<std::int64_t>& byte_strides, const FillControl& control) {
  const std::uint64_t box_total = check_box(dtype, global_shape, start, box_shape, byte_strides);
  if (box_total == 0) return;
  const detail::FloatEnvironment ieee;  // the setup and the caller's share of the tasks
  const Setup setup = make_setup(dist, stream, dtype);
  const detail::GroupFn fn = detail::active_kernels().fn[static_cast<int>(dtype)][setup.transform];
  const std::uint64_t ge = static_cast<std::uint64_t>(kBlocksPerGroup) * (dtype_size(dtype) == 8 ? 2 : 4);
  const int itemsize = dtype_size(dtype);
  detail::fill_box_runs(dtype, box_total, global_shape, start, box_shape, out, byte_strides, control,
                        [&](std::uint64_t first, std::uint64_t count, char* dst, std::int64_t stride) {
                          detail::run_groups(
                              [&](std::uint64_t g, std::uint64_t n, char* to) { fn(setup.args, g, n, to); },
                              ge, itemsize, first, count, dst, stride);
                        });
}

namespace detail {

void fill_box_runs(DType dtype, std::uint64_t box_total, const std::vector<std::int64_t>& global_shape,
                   const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& box_shape,
                   void* out, const std::vector<std::int64_t>& byte_strides, const FillControl& control,
                   const RunFn& run) {
  const std::size_t rank = global_shape.size();
  const int itemsize = dtype_size(dtype);
  // Merge trailing axes while the box spans them whole and the buffer is dense across them,
  // so a contiguous tensor is one long run.
  std::vector<std::int64_t> gs(global_shape), st(start), bs(box_shape), str(byte_strides);
  if (rank == 0) {  // a scalar is a tensor of one element
    gs = {1};
    st = {0};
    bs = {1};
    str = {itemsize};
  }
  while (gs.size() >= 2) {
    const std::size_t n = gs.size();
    if (st[n - 1] != 0 || bs[n - 1] != gs[n - 1] || str[n - 2] != str[n - 1] * bs[n - 1]) break;
    gs[n - 2] *= gs[n - 1];
    st[n - 2] *= gs[n - 1];
    bs[n - 2] *= bs[n - 1];
    str[n - 2] = str[n - 1];
    gs.pop_back();
    st.pop_back();
    bs.pop_back();
    str.pop_back();
  }
  const std::size_t r = gs.size();
  std::vector<std::uint64_t> gstride(r);  // element strides of the global tensor
  std::uint64_t acc = 1;
  for (std::size_t k = r; k-- > 0;) {
    gstride[k] = acc;
    acc *= static_cast<std::uint64_t>(gs[k]);
  }
  const std::uint64_t row = static_cast<std::uint64_t>(bs[r - 1]);

  // Tasks cover `chunk` consecutive box elements (row-major in the box), which may span
  // several rows; any split gives the same bits because every element is drawn alone. Each
  // task runs in slices of kFillSliceElements, checking for a stop in between, so a long
  // contiguous stretch per thread (page faults stay local) still stops within a slice.
  const int threads = get_num_threads();
  const std::uint64_t pieces = static_cast<std::uint64_t>(threads) * kTasksPerThread;
  const std::uint64_t chunk =
      std::max(kChunkElements, (box_total + pieces - 1) / pieces / kChunkElements * kChunkElements);
  const bool controlled = control.cancel != nullptr || static_cast<bool>(control.poll);
  detail::Interrupt interrupt(control.cancel, control.poll, control.poll_interval);
  auto task = [&](std::size_t t) {
    std::uint64_t e = t * chunk;
    const std::uint64_t end = std::min<std::uint64_t>(e + chunk, box_total);
    while (e < end) {
      if (controlled && interrupt.should_stop()) return;
      const std::uint64_t slice_end = std::min(end, e + kFillSliceElements);
      while (e < slice_end) {
        std::uint64_t rest = e / row, col = e % row;
        std::uint64_t flat = static_cast<std::uint64_t>(st[r - 1]) + col;
        std::int64_t offset = static_cast<std::int64_t>(col) * str[r - 1];
        for (std::size_t k = r - 1; k-- > 0;) {
          const std::uint64_t idx = rest % static_cast<std::uint64_t>(bs[k]);
          rest /= static_cast<std::uint64_t>(bs[k]);
          flat += (static_cast<std::uint64_t>(st[k]) + idx) * gstride[k];
          offset += static_cast<std::int64_t>(idx) * str[k];
        }
        const std::uint64_t n = std::min(row - col, slice_end - e);
        run(flat, n, static_cast<char*>(out) + offset, str[r - 1]);
        e += n;
      }
    }
  };
  const std::size_t ntasks = static_cast<std::size_t>((box_total + chunk - 1) / chunk);
  // A long fill with a poll callback leaves the work to the pool's workers and only polls:
  // a poll that blocks (Python's GIL) then delays no work. Short fills rarely poll at all.
  const bool caller_polls = static_cast<bool>(control.poll) && box_total >= kPollOnlyElements;
  detail::parallel_for(ntasks, threads, task, controlled ? &interrupt : nullptr, !caller_polls);
  if (interrupt.stopped()) {
    if (interrupt.error()) std::rethrow_exception(interrupt.error());
    throw FillCancelled();
  }
}

}  // namespace detail

void fill(const Distribution& dist, const Stream& stream, DType dtype, std::uint64_t first,
          std::uint64_t count, void* out, const FillControl& control) {
  if (count == 0) return;
  const std::uint64_t kMax = std::uint64_t{1} << 63;
  if (first >= kMax || count > kMax - first) fail("first, count: beyond 2^63 elements");
  fill_box(dist, stream, dtype, {static_cast<std::int64_t>(first + count)},
           {static_cast<std::int64_t>(first)}, {static_cast<std::int64_t>(count)}, out,
           {dtype_size(dtype)}, control);
}

}  // namespace weightinit
