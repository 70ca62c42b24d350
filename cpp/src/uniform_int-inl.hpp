// SPDX-License-Identifier: BSD-3-Clause
// TF1's integer uniform (RandomUniform of int32 / int64; TF's RandomUniformInt op), written
// once for both streams: included inside a namespace (a kernel target's, or an anonymous one)
// by tf_stream-inl.hpp, tf_stream.cpp and initializers.cpp. Needs <cstdint>.

// Element = low + (w mod (high - low)), w the element's raw word: 32 bits for int32, 64 for
// int64 (TF's UniformDistribution<..., int32/int64>), in unsigned arithmetic, exact in two's
// complement, so the result lies in [low, high) for any low < high of the type. As TF's, it
// leans to low values by up to 2^-32 / 2^-64 of the range's relative bias when the range does
// not divide 2^32 / 2^64.
struct UniformIntWords {
  std::uint64_t range64, base64;  // high - low and low, as unsigned 64-bit words
  std::uint32_t range32, base32;  // their low 32 bits (int32 outputs)
};

// The words of [low, high); callers check low < high (and the int32 range) with TF's text.
constexpr UniformIntWords uniform_int_words(std::int64_t low, std::int64_t high) noexcept {
  const std::uint64_t range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  const auto base = static_cast<std::uint64_t>(low);
  return {range, base, static_cast<std::uint32_t>(range), static_cast<std::uint32_t>(base)};
}

constexpr std::uint32_t uniform_int_word(std::uint32_t w, std::uint32_t range,
                                         std::uint32_t base) noexcept {
  return static_cast<std::uint32_t>(w % range + base);
}

constexpr std::uint64_t uniform_int_word(std::uint64_t w, std::uint64_t range,
                                         std::uint64_t base) noexcept {
  return w % range + base;
}
