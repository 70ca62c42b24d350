// SPDX-License-Identifier: BSD-3-Clause
// float <-> IEEE binary16 and bfloat16 bits, round to nearest even: the one definition the
// kernels, the fill setup and the public 16-bit element types all use.
#pragma once

#include <cstdint>
#include <cstring>

// Inlined at every call: the kernels compiled under AVX2 / AVX-512 / NEON flags call these, and
// an out-of-line copy of an inline function compiled there would be a weak symbol that the
// linker may pick for every other caller, running those instructions on any CPU.
#if defined(_MSC_VER)
#define WEIGHTINIT_BITS_INLINE __forceinline
#else
#define WEIGHTINIT_BITS_INLINE inline __attribute__((always_inline))
#endif

namespace weightinit {

/// The IEEE binary16 bits nearest to `f`, ties to even. Values from 65520 up round to
/// infinity, NaN gives a quiet NaN with the sign and top payload bits kept.
///
/// Branch-free (integer operations, one float addition and selects), so a loop over it
/// vectorizes; every target gives the same bits. The float addition is exact or rounds
/// a value >= 1/2, so flush-to-zero and denormals-are-zero modes do not change the result.
WEIGHTINIT_BITS_INLINE std::uint16_t float16_bits(float f) {
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
WEIGHTINIT_BITS_INLINE std::uint16_t bfloat16_bits(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const std::uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
  const std::uint32_t nan = (x >> 16) | 0x40u;
  return static_cast<std::uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

namespace detail {

WEIGHTINIT_BITS_INLINE std::uint32_t float_bits(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
}

WEIGHTINIT_BITS_INLINE float bits_float(std::uint32_t x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

WEIGHTINIT_BITS_INLINE float half_bits_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (man << 13));
  if (exp != 0) return bits_float(sign | ((exp + 112) << 23) | (man << 13));
  // Subnormal (or zero): man * 2^-24 is exact in float.
  const float v = static_cast<float>(man) * 5.9604644775390625e-8f;
  return sign ? -v : v;
}

WEIGHTINIT_BITS_INLINE float bfloat16_bits_to_float(std::uint16_t b) {
  return bits_float(static_cast<std::uint32_t>(b) << 16);
}

// NumPy's double -> float16 rounds once, directly from double (npy_double_to_half).
WEIGHTINIT_BITS_INLINE std::uint16_t double_to_half_bits(double v) {
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
