// SPDX-License-Identifier: BSD-3-Clause
// A counter-based generator: a Philox key, stream 0, and an offset that draws advance.
#pragma once

#include <cstdint>
#include <mutex>

#include "weightinit/fill.hpp"

namespace weightinit {

/// Counter blocks a fill of `numel` elements of `dtype` reads: 16 * ceil(numel / G) with
/// G = 32 for 64-bit elements and 64 otherwise (docs/streams.md §3).
constexpr std::uint64_t blocks_for(std::uint64_t numel, DType dtype) {
  const std::uint64_t group = dtype_size(dtype) == 8 ? 32 : 64;
  return 16 * (numel / group + (numel % group != 0));
}

/// The generator behind the torch-style functions (weightinit.Generator in Python).
///
/// Holds a seed (the Philox key) and an offset in counter blocks; every draw reads stream 0
/// (or a sub-stream of it) from the offset on and moves the offset past the blocks it read,
/// so successive draws never share a block and replaying the same draws from the same seed
/// gives the same values, whatever the thread count. Thread-safe: reservations are taken
/// under a mutex, so concurrent draws get disjoint blocks.
class Generator {
 public:
  /// What torch.Generator().initial_seed() reports, chosen for familiarity only.
  static constexpr std::uint64_t kDefaultSeed = 67280421310721ull;

  explicit Generator(std::uint64_t seed = kDefaultSeed) : seed_(seed) {}
  Generator(const Generator& other) {
    const std::lock_guard<std::mutex> lock(other.mutex_);
    seed_ = other.seed_;
    offset_ = other.offset_;
  }
  Generator& operator=(const Generator&) = delete;

  /// The seed given at construction or by the last manual_seed / set_state.
  std::uint64_t initial_seed() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return seed_;
  }
  /// The counter block the next draw starts at.
  std::uint64_t offset() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return offset_;
  }
  /// Set the seed and restart at offset 0.
  void manual_seed(std::uint64_t seed) { set_state(seed, 0); }
  /// Set seed and offset (a state read with initial_seed() and offset()).
  void set_state(std::uint64_t seed, std::uint64_t offset) {
    const std::lock_guard<std::mutex> lock(mutex_);
    seed_ = seed;
    offset_ = offset;
  }

  /// The blocks [start, end) (modulo 2^64) of one draw, on key `seed`.
  struct Reservation {
    std::uint64_t seed, start, end;
  };
  /// Take the next `blocks` blocks.
  Reservation reserve(std::uint64_t blocks) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const Reservation r{seed_, offset_, offset_ + blocks};
    offset_ = r.end;
    return r;
  }
  /// Give a reservation back after a failed draw: the offset returns to its start unless
  /// another draw or a reseed happened since (then its blocks are simply skipped).
  void release(const Reservation& r) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (seed_ == r.seed && offset_ == r.end) offset_ = r.start;
  }

 private:
  mutable std::mutex mutex_;
  std::uint64_t seed_;
  std::uint64_t offset_ = 0;
};

}  // namespace weightinit
