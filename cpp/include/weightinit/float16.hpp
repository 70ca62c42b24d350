// SPDX-License-Identifier: BSD-3-Clause
// float32 -> IEEE binary16 and bfloat16 bits, round to nearest even: the one definition the
// kernels, the fill setup and the public 16-bit element types all use.
#pragma once

#include <cstdint>
#include <cstring>

namespace weightinit {

/// The IEEE binary16 bits nearest to `f`, ties to even. Values from 65520 up round to
/// infinity, NaN gives a quiet NaN with the sign and top payload bits kept.
///
/// Branch-free (integer operations, one float addition and selects), so a loop over it
/// vectorizes; every target gives the same bits. The float addition is exact or rounds
/// a value >= 1/2, so flush-to-zero and denormals-are-zero modes do not change the result.
inline std::uint16_t float16_bits(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t ax = x & 0x7fffffffu;
  // Normal range: round the 13 dropped bits to nearest even and rebias the exponent from 127
  // to 15; anything from 65520 up carries into the infinity pattern or past it, so cap there.
  std::uint32_t normal = (ax + 0x0fffu + ((ax >> 13) & 1u) - 0x38000000u) >> 13;
  normal = normal > 0x7c00u ? 0x7c00u : normal;
  // Below 2^-14: adding 0.5 puts the binary16 subnormal quantum 2^-24 at float32's last
  // mantissa bit, so the FPU's own rounding does round-to-nearest-even.
  float a;
  std::memcpy(&a, &ax, sizeof a);
  const float shifted = a + 0.5f;
  std::uint32_t sb;
  std::memcpy(&sb, &shifted, sizeof sb);
  const std::uint32_t sub = sb - 0x3f000000u;
  const std::uint32_t nan = 0x7e00u | ((ax >> 13) & 0x3ffu);
  const std::uint32_t mag = ax > 0x7f800000u ? nan : ax < 0x38800000u ? sub : normal;
  return static_cast<std::uint16_t>(mag | sign);
}

/// The bfloat16 bits (the top half of a float32) nearest to `f`, ties to even; values that
/// round past the largest finite bfloat16 become infinity, NaN gives a quiet NaN.
/// Branch-free like float16_bits.
inline std::uint16_t bfloat16_bits(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const std::uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
  const std::uint32_t nan = (x >> 16) | 0x40u;
  return static_cast<std::uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

}  // namespace weightinit
