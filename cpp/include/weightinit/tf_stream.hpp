// SPDX-License-Identifier: BSD-3-Clause
// The TensorFlow stream: TensorFlow's own CPU random ops, bit for bit (docs/streams.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "weightinit/fill.hpp"
#include "weightinit/laws.hpp"

namespace weightinit {

/// "weightinit" or "tensorflow".
const char* stream_family_name(StreamFamily family);
/// The family of a name ("weightinit", "tensorflow"). Throws ValueError naming `stream`.
StreamFamily parse_stream_family(const std::string& name);

/// The process-wide stream of TF1 random initializers built without one (default
/// kWeightinit). Thread-safe; read at every call.
void set_tf1_stream(StreamFamily family);
StreamFamily get_tf1_stream();

namespace tensorflow_stream {

/// Write the box of a tensor of `global_shape` (see fill_box in fill.hpp for the box and the
/// strides) as TensorFlow's random op for `law`, seeded (seed, seed2) as TF's get_seed gives
/// them, followed by its scaling in the output dtype, would produce it in its first run:
///   Law::uniform(lo, hi):          RandomUniform, x * (f(hi) - f(lo)) + f(lo)
///                                  (with `zero_min_integer`, TF's path for an integer 0
///                                  minval: x * f(hi), no addition);
///   Law::normal(mean, sd):          RandomStandardNormal, z * f(sd) + f(mean);
///   Law::truncated_normal(mean, sd, -2, 2): TruncatedNormal, t * f(sd) + f(mean),
/// where f rounds to the dtype and every operation is one rounding in the dtype, and an
/// addition of zero is skipped (TF's graph optimizer removes it, so a -0 product stays -0).
/// dtype:
/// float32, float64, float16 or bfloat16. Element i of the whole tensor is the same whatever
/// box, thread count or kernel target writes it. Throws ValueError for another law, a
/// parameter that is not finite in the dtype, or a bad box (as fill_box).
void fill_law(const Law& law, std::uint64_t seed, std::uint64_t seed2, DType dtype,
              const std::vector<std::int64_t>& global_shape, const std::vector<std::int64_t>& start,
              const std::vector<std::int64_t>& box_shape, void* out,
              const std::vector<std::int64_t>& byte_strides, bool zero_min_integer = false);

/// TensorFlow's RandomUniformInt over [low, high) (low < high; ValueError otherwise):
/// low + (w mod (high - low)) from one word per int32 element (dtype kUInt32, the element's
/// two's complement bits) or two words, low first, per int64 element (kUInt64). Box as
/// fill_law.
void fill_uniform_int(std::int64_t low, std::int64_t high, std::uint64_t seed,
                      std::uint64_t seed2, DType dtype,
                      const std::vector<std::int64_t>& global_shape,
                      const std::vector<std::int64_t>& start,
                      const std::vector<std::int64_t>& box_shape, void* out,
                      const std::vector<std::int64_t>& byte_strides);

}  // namespace tensorflow_stream
}  // namespace weightinit
