// SPDX-License-Identifier: BSD-3-Clause
// float <-> IEEE binary16 and bfloat16 bits, round to nearest even: the one definition.
#pragma once

#include <cstdint>
#include <cstring>

namespace weightinit {
namespace detail {

inline std::uint32_t float_bits(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
}

inline float bits_float(std::uint32_t x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

// IEEE binary16 from float, round to nearest even; overflow gives infinity, NaN stays NaN.
inline std::uint16_t float_to_half_bits(float f) {
  const std::uint32_t x = float_bits(f);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));
  if (ax >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520 (or inf)
  if (ax < 0x38800000u) {  // below 2^-14: a subnormal half, in units of 2^-24
    if (ax <= 0x33000000u) return sign;  // <= 2^-25: rounds to zero (the tie goes to even 0)
    const std::uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    const int shift = 126 - static_cast<int>(ax >> 23);
    std::uint32_t q = m >> shift;
    const std::uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return static_cast<std::uint16_t>(sign | q);
  }
  const std::uint32_t r = ax - 0x38000000u;  // rebias the exponent from 127 to 15
  std::uint32_t q = r >> 13;
  const std::uint32_t rem = r & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (q & 1u))) ++q;  // a carry may reach the exponent
  return static_cast<std::uint16_t>(sign | q);
}

inline float half_bits_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (man << 13));
  if (exp != 0) return bits_float(sign | ((exp + 112) << 23) | (man << 13));
  // Subnormal (or zero): man * 2^-24 is exact in float.
  const float v = static_cast<float>(man) * 5.9604644775390625e-8f;
  return sign ? -v : v;
}

// bfloat16 from float, round to nearest even; NaN stays a quiet NaN.
inline std::uint16_t float_to_bfloat16_bits(float f) {
  const std::uint32_t x = float_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
  return static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

inline float bfloat16_bits_to_float(std::uint16_t b) {
  return bits_float(static_cast<std::uint32_t>(b) << 16);
}

// NumPy's double -> float16 rounds once, directly from double (npy_double_to_half).
inline std::uint16_t double_to_half_bits(double v) {
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

}  // namespace detail

}  // namespace weightinit
