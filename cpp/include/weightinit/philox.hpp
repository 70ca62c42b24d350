// SPDX-License-Identifier: BSD-3-Clause
// Philox4x32 counter-based generator (Salmon et al., SC'11), header-only.
#pragma once

#include <array>
#include <cstdint>

namespace weightinit {

/// Four 32-bit counter words; word 0 is the least significant of the 128-bit counter.
using Philox4x32Ctr = std::array<std::uint32_t, 4>;
/// Two 32-bit key words.
using Philox4x32Key = std::array<std::uint32_t, 2>;

namespace detail {
// Multipliers and Weyl key increments from Random123's philox.h.
inline constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
inline constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;
inline constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;

}  // namespace detail

/// One Philox4x32 round: the S-box on `ctr` under `key` (the key is not bumped here).
///
/// Every Philox loop in the library (this header's `philox4x32` and the kernels' generic
/// loop) goes through this function, so the known-answer test covers it.
constexpr Philox4x32Ctr philox4x32_round(const Philox4x32Ctr& ctr, const Philox4x32Key& key) {
  const std::uint64_t p0 = std::uint64_t{detail::kPhiloxM0} * ctr[0];
  const std::uint64_t p1 = std::uint64_t{detail::kPhiloxM1} * ctr[2];
  return {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
          static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
}

/// The key after `round` bumps by the Weyl constants (round 0 uses the seed's key).
constexpr Philox4x32Key philox4x32_round_key(Philox4x32Key key, int round) {
  return {key[0] + static_cast<std::uint32_t>(round) * detail::kPhiloxW0,
          key[1] + static_cast<std::uint32_t>(round) * detail::kPhiloxW1};
}

/// One Philox4x32 block: `rounds` rounds of the Philox S-box on `ctr` under `key`.
///
/// The key is bumped by the Weyl constants between rounds (never after the last).
/// Pure function: no state, thread-safe, constexpr. `rounds` = 10 is Philox4x32-10.
constexpr Philox4x32Ctr philox4x32(Philox4x32Ctr ctr, Philox4x32Key key, int rounds = 10) {
  for (int r = 0; r < rounds; ++r) {
    if (r != 0) {
      key[0] += detail::kPhiloxW0;
      key[1] += detail::kPhiloxW1;
    }
    ctr = philox4x32_round(ctr, key);
  }
  return ctr;
}

/// The stream's key for a 64-bit seed: (low 32 bits, high 32 bits).
constexpr Philox4x32Key philox_key(std::uint64_t seed) {
  return {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
}

/// The stream's counter: a 64-bit block position in words 0-1, a 64-bit stream id in 2-3.
constexpr Philox4x32Ctr philox_ctr(std::uint64_t position, std::uint64_t stream) {
  return {static_cast<std::uint32_t>(position), static_cast<std::uint32_t>(position >> 32),
          static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32)};
}

// Random123 known answer (tests/kat_vectors): philox4x32_10 with zero counter and key.
static_assert(philox4x32({0, 0, 0, 0}, {0, 0})[0] == 0x6627e8d5u, "Philox4x32-10 known answer");

}  // namespace weightinit
