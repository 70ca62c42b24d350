// SPDX-License-Identifier: BSD-3-Clause
// The bits of a float or double and back (memcpy: no aliasing, no libm), for the kernels of
// both stream families (math-inl.hpp, tf_math-inl.hpp). Include inside a target namespace,
// after <cstdint> and <cstring>, with WEIGHTINIT_INLINE defined; internal linkage, so no
// wide-ISA copy can be picked up by another target.

namespace {

WEIGHTINIT_INLINE float f32_from_bits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
WEIGHTINIT_INLINE std::uint32_t bits_from_f32(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
WEIGHTINIT_INLINE double f64_from_bits(std::uint64_t u) {
  double f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
WEIGHTINIT_INLINE std::uint64_t bits_from_f64(double f) {
  std::uint64_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

}  // namespace
