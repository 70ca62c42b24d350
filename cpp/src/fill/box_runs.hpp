// SPDX-License-Identifier: BSD-3-Clause
// The one engine that writes a box of a tensor: runs of consecutive elements over the thread
// pool, with cancellation, for every stream family (fill.cpp's and tf_stream.cpp's kernels).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "weightinit/fill.hpp"

namespace weightinit::detail {

/// Writes elements [first, first + count) of the flat tensor to dst, `stride` bytes apart.
using RunFn = std::function<void(std::uint64_t first, std::uint64_t count, char* dst, std::int64_t stride)>;

/// The box [start, start + box_shape) of the global tensor into `out` (byte strides, checked
/// by check_box, whose count `box_total` is), cut into runs of consecutive elements over the
/// pool's threads; `control` cancels or polls. Any cut gives the same bits, since every element
/// depends on its position alone.
void fill_box_runs(DType dtype, std::uint64_t box_total, const std::vector<std::int64_t>& global_shape,
                   const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& box_shape,
                   void* out, const std::vector<std::int64_t>& byte_strides, const FillControl& control,
                   const RunFn& run);

/// One run from a kernel that writes whole groups of `ge` elements (`draw(group, n, dst)`:
/// groups group .. group + n - 1, densely): whole groups straight into the output, partial
/// groups and strided runs through a scratch buffer.
template <class Draw>
void run_groups(const Draw& draw, std::uint64_t ge, int itemsize, std::uint64_t first,
                std::uint64_t count, char* dst, std::int64_t stride) {
  constexpr std::uint64_t kScratchGroups = 32, kMaxGroupBytes = 256;
  alignas(64) char scratch[kScratchGroups * kMaxGroupBytes];
  const auto size = static_cast<std::uint64_t>(itemsize);
  while (count > 0) {
    const std::uint64_t group = first / ge, skip = first % ge;
    if (skip == 0 && stride == itemsize && count >= ge) {
      const std::uint64_t n = count / ge;
      draw(group, n, dst);
      first += n * ge;
      count -= n * ge;
      dst += static_cast<std::int64_t>(n * ge) * stride;
      continue;
    }
    const std::uint64_t want = std::min<std::uint64_t>((skip + count + ge - 1) / ge, kScratchGroups);
    draw(group, want, scratch);
    const std::uint64_t n = std::min(count, want * ge - skip);
    const char* src = scratch + skip * size;
    if (stride == itemsize) {
      std::memcpy(dst, src, n * size);
    } else {
      for (std::uint64_t i = 0; i < n; ++i) {
        std::memcpy(dst + static_cast<std::int64_t>(i) * stride, src + i * size, size);
      }
    }
    first += n;
    count -= n;
    dst += static_cast<std::int64_t>(n) * stride;
  }
}

}  // namespace weightinit::detail
