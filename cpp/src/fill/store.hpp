// SPDX-License-Identifier: BSD-3-Clause
// One element from a double, as NumPy stores it; sign flips. For constants and mirrored laws.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "weightinit/fill.hpp"
#include "weightinit/float16.hpp"

namespace weightinit::detail {

// float(x) for a double, also outside float's range (a plain cast would be undefined there).
inline float to_f32(double x) {
  const double kMax = std::numeric_limits<float>::max();
  // Values at or beyond FLT_MAX + half an ulp (2^128 - 2^103) round to infinity.
  if (std::fabs(x) >= 0x1.ffffffp127) return x > 0 ? std::numeric_limits<float>::infinity()
                                                   : -std::numeric_limits<float>::infinity();
  if (std::fabs(x) > kMax) return x > 0 ? std::numeric_limits<float>::max()
                                        : -std::numeric_limits<float>::max();
  return static_cast<float>(x);
}

// Store the double v at p as NumPy's np.full / astype from float64 do: float32 and float16
// round once from double; ml_dtypes' bfloat16 goes through float32 first.
inline void store_double(DType t, void* p, double v) {
  switch (t) {
    case DType::kFloat32: {
      const float f = to_f32(v);
      std::memcpy(p, &f, 4);
      break;
    }
    case DType::kFloat64: std::memcpy(p, &v, 8); break;
    case DType::kFloat16: {
      const std::uint16_t h = double_to_half_bits(v);
      std::memcpy(p, &h, 2);
      break;
    }
    case DType::kBFloat16: {
      const std::uint16_t b = bfloat16_bits(to_f32(v));
      std::memcpy(p, &b, 2);
      break;
    }
    default: break;  // raw words: no value to store
  }
}

// Flip the sign bit of the IEEE element of `size` bytes at p (exact negation).
inline void negate_element(void* p, int size) {
  const std::uint16_t one = 1;
  unsigned char low_first;
  std::memcpy(&low_first, &one, 1);
  auto* bytes = static_cast<unsigned char*>(p);
  bytes[low_first ? size - 1 : 0] ^= 0x80u;
}

}  // namespace weightinit::detail
