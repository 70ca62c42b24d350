// SPDX-License-Identifier: BSD-3-Clause
// Stream: where a fill reads Philox, and every seed policy that decides it (docs/streams.md §2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace weightinit {

/// Which stream a key and counter feed: weightinit's own (stream v2, docs/streams.md) or
/// TensorFlow's (the values TensorFlow's CPU kernels give for the same (seed, seed2)).
enum class StreamFamily { kWeightinit = 0, kTensorFlow = 1 };

/// TF's graph seed when only an op seed is given, and the modulus of both seeds (TF's seeds
/// are int32-sized op attributes).
inline constexpr std::int64_t kDefaultGraphSeed = 87654321;
inline constexpr std::int64_t kMaxInt32 = 2147483647;

/// One random stream: the Philox key, the stream id, the first counter block, the family.
///
/// A fill reads Philox4x32-10 with key `(key mod 2^32, key >> 32)` and counter
/// `(position mod 2^32, position >> 32, stream_id mod 2^32, stream_id >> 32)`, where an
/// element's position is `offset` plus its block index in the tensor (docs/streams.md §2-3).
/// The named constructors are the seed policies of every API, each written here once:
///
/// | policy                          | key                  | stream id                   |
/// | ------------------------------- | -------------------- | --------------------------- |
/// | plain call, Generator           | seed                 | 0                           |
/// | named tensor (checkpoint)       | seed                 | BLAKE2b-64 of the UTF-8 name |
/// | TF1 op (graph seed, op seed)    | TF's seed            | TF's seed2                  |
/// | Keras integer seed              | seed mod 2^64        | 0                           |
/// | Keras SeedGenerator state (a, b)| a mod 2^bits         | b mod 2^bits                |
/// | JAX key data w (2 or 4 words)   | w[0] 2^32 + w[1]     | 0, or w[2] 2^32 + w[3]      |
/// | sub-draw k of stream s          | (same)               | s XOR (k << 56)             |
///
/// A value type: trivially copyable, immutable, thread-safe.
class Stream {
 public:
  /// Key 0, stream id 0, offset 0, weightinit's family.
  constexpr Stream() noexcept = default;
  /// Stream id 0 under `key`, from counter block 0 on (explicit: an integer is not a stream).
  constexpr explicit Stream(std::uint64_t key) noexcept : key_(key) {}
  /// The stream `stream_id` under `key`, from counter block `offset` on; `{key, id, offset}`.
  constexpr Stream(std::uint64_t key, std::uint64_t stream_id, std::uint64_t offset = 0,
                   StreamFamily family = StreamFamily::kWeightinit) noexcept
      : key_(key), stream_id_(stream_id), offset_(offset), family_(family) {}

  // --- seed policies ------------------------------------------------------------------------

  /// A named tensor (a checkpoint's parameter): key = `seed`, stream id = name_id(`name`),
  /// offset 0. So a parameter is regenerated alone from (seed, name).
  static Stream named(std::uint64_t seed, std::string_view name) noexcept;

  /// The stream id of a name: the unkeyed BLAKE2b digest with an 8-byte output (RFC 7693;
  /// not the first 8 bytes of a longer digest) of the name's bytes (UTF-8), read as a
  /// little-endian integer. Known answers: "" -> 0xb4b2797457a0a6e4,
  /// "h.0.attn.c_attn.weight" -> 0xa6ba738c8a523575.
  static std::uint64_t name_id(std::string_view name) noexcept;

  /// A TF1 random op (tf.compat.v1 get_seed, docs/streams.md §2): TF's pair (seed, seed2) is
  ///   graph seed g set:  (g mod M, op_seed mod M)
  ///   g unset:           (87654321, op_seed mod M)
  /// with M = 2^31 - 1 and the floored modulo (in [0, M) for negative seeds too); exactly
  /// (0, 0) becomes (0, M). Key = seed, stream id = seed2, offset 0, in `family` (the
  /// weightinit family draws stream v2 on them, the TensorFlow family TF's own kernels).
  /// An automatic op seed (graph seed set, none given) is the caller's counter value.
  static Stream tf1(std::optional<std::int64_t> graph_seed, std::int64_t op_seed,
                    StreamFamily family = StreamFamily::kWeightinit) noexcept;

  /// A fresh key and stream id from the OS (std::random_device): an unseeded TF1 op, as TF's
  /// own unseeded ops seed themselves. Thread-safe; throws what std::random_device throws.
  static Stream entropy(StreamFamily family = StreamFamily::kWeightinit);

  /// A Keras (TF2 / Keras 3) initializer's integer seed: key = seed mod 2^64, stream id 0.
  /// A negative std::int64_t converts to its two's complement, which is that residue.
  static constexpr Stream keras(std::uint64_t seed) noexcept { return Stream(seed); }

  /// A keras.random.SeedGenerator's state (a, b), read before the generator advances it to
  /// (a, b + 1): key = a, stream id = b, each read as an unsigned integer of the state
  /// dtype's width `bits` (8, 16, 32 or 64; a signed element is passed as its two's
  /// complement, so int32 -1 reads 2^32 - 1). So SeedGenerator(s) first gives the stream of
  /// keras(s), then stream ids 1, 2, ... Throws ValueError for another width.
  static Stream keras_state(std::uint64_t a, std::uint64_t b, int bits);

  /// A JAX key's data: its `count` uint32 words in JAX's order (jax.random.key_data).
  /// 2 words (threefry2x32): key = w[0] 2^32 + w[1], stream id 0, so jax.random.key(s)
  /// (whose data is [s >> 32, s mod 2^32]) gives the stream of seed s. 4 words (rbg,
  /// unsafe_rbg): the same key, stream id = w[2] 2^32 + w[3]. Injective: different keys
  /// give different streams. Throws TypeError for another count.
  static Stream jax(const std::uint32_t* words, std::size_t count);

  // --- derived streams ----------------------------------------------------------------------

  /// Sub-draw `k` of one call (sparse_'s row choice, the second fill of a torch-style call):
  /// stream id XOR (k << 56), same key, offset and family; k = 0 is this stream. Throws
  /// ValueError unless 0 <= k < 256.
  Stream sub_stream(std::uint64_t k) const;
  /// The same stream from counter block `offset` on.
  constexpr Stream at(std::uint64_t offset) const noexcept {
    return Stream(key_, stream_id_, offset, family_);
  }
  /// The same key, stream id and offset in `family`.
  constexpr Stream in_family(StreamFamily family) const noexcept {
    return Stream(key_, stream_id_, offset_, family);
  }

  // --- what it holds ------------------------------------------------------------------------

  /// The Philox key: k0 = key mod 2^32, k1 = key >> 32.
  constexpr std::uint64_t key() const noexcept { return key_; }
  /// Counter words c2, c3.
  constexpr std::uint64_t stream_id() const noexcept { return stream_id_; }
  /// The counter block element 0 of a tensor reads (counter words c0, c1 count from it).
  constexpr std::uint64_t offset() const noexcept { return offset_; }
  constexpr StreamFamily family() const noexcept { return family_; }

  friend constexpr bool operator==(const Stream& a, const Stream& b) noexcept {
    return a.key_ == b.key_ && a.stream_id_ == b.stream_id_ && a.offset_ == b.offset_ &&
           a.family_ == b.family_;
  }
  friend constexpr bool operator!=(const Stream& a, const Stream& b) noexcept { return !(a == b); }

 private:
  std::uint64_t key_ = 0;
  std::uint64_t stream_id_ = 0;
  std::uint64_t offset_ = 0;
  StreamFamily family_ = StreamFamily::kWeightinit;
};

namespace detail {
/// BLAKE2b (RFC 7693), unkeyed, with an `out_len`-byte digest (1 to 64) of `size` bytes at
/// `data`, written to `out`. Stream::name_id is its 8-byte form.
void blake2b(const void* data, std::size_t size, unsigned char* out, std::size_t out_len);
}  // namespace detail

}  // namespace weightinit
