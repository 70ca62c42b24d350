// SPDX-License-Identifier: BSD-3-Clause
// The seed policies of Stream (stream.hpp), and BLAKE2b for the stream ids of names.
#include "weightinit/stream.hpp"

#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include "weightinit/laws.hpp"  // ValueError, TypeError

namespace weightinit {
namespace detail {
namespace {

// BLAKE2b, written from RFC 7693 (Saarinen, Aumasson, 2015): §2.1 parameters, §2.6 the
// initialization vector (SHA-512's), §2.7 the message schedule SIGMA, §3.1 G, §3.2 F,
// §3.3 padding and the parameter block. Unkeyed, sequential mode only.
constexpr std::uint64_t kIv[8] = {
    0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
    0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

// Rounds 10 and 11 reuse rows 0 and 1 (SIGMA[i mod 10]).
constexpr unsigned char kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};

constexpr std::size_t kBlockBytes = 128;

constexpr std::uint64_t rotr(std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

// Message words are little-endian (§2.4), whatever the host's byte order.
std::uint64_t load_le(const unsigned char* p) {
  std::uint64_t w = 0;
  for (int i = 7; i >= 0; --i) w = (w << 8) | p[i];
  return w;
}

void g(std::uint64_t* v, int a, int b, int c, int d, std::uint64_t x, std::uint64_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = rotr(v[d] ^ v[a], 32);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 24);
  v[a] = v[a] + v[b] + y;
  v[d] = rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 63);
}

// The compression function F: `bytes` is the message length so far (the 128-bit counter t;
// its high word is 0 for any length a size_t holds), `last` the final-block flag.
void compress(std::uint64_t* h, const unsigned char* block, std::uint64_t bytes, bool last) {
  std::uint64_t m[16];
  for (int i = 0; i < 16; ++i) m[i] = load_le(block + 8 * i);
  std::uint64_t v[16];
  for (int i = 0; i < 8; ++i) {
    v[i] = h[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= bytes;
  if (last) v[14] = ~v[14];
  for (int r = 0; r < 12; ++r) {
    const unsigned char* s = kSigma[r % 10];
    g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
}

// The state after the whole message: h[0..7], whose little-endian bytes are the digest.
void blake2b_state(const unsigned char* data, std::size_t size, std::size_t out_len,
                   std::uint64_t* h) {
  for (int i = 0; i < 8; ++i) h[i] = kIv[i];
  h[0] ^= 0x01010000 ^ static_cast<std::uint64_t>(out_len);  // depth 1, fanout 1, no key
  std::size_t done = 0;
  // Every full block but the last is compressed as it comes; the last (full or partial,
  // one zero block for an empty message) is zero-padded and flagged.
  while (size - done > kBlockBytes) {
    done += kBlockBytes;
    compress(h, data + done - kBlockBytes, done, false);
  }
  unsigned char last[kBlockBytes] = {};
  if (size > done) std::memcpy(last, data + done, size - done);
  compress(h, last, size, true);
}

}  // namespace

void blake2b(const void* data, std::size_t size, unsigned char* out, std::size_t out_len) {
  if (out_len < 1 || out_len > 64) {
    throw ValueError("out_len: a BLAKE2b digest has 1 to 64 bytes, got " + std::to_string(out_len));
  }
  std::uint64_t h[8];
  blake2b_state(static_cast<const unsigned char*>(data), size, out_len, h);
  for (std::size_t i = 0; i < out_len; ++i) {
    out[i] = static_cast<unsigned char>(h[i / 8] >> (8 * (i % 8)));
  }
}

}  // namespace detail

namespace {

// The floored modulo a mod m (in [0, m) for m > 0): TF's reduction of seeds.
constexpr std::int64_t floor_mod(std::int64_t a, std::int64_t m) {
  const std::int64_t r = a % m;
  return r < 0 ? r + m : r;
}

}  // namespace

std::uint64_t Stream::name_id(std::string_view name) noexcept {
  // The 8-byte digest read little-endian is the first state word: no byte shuffling.
  std::uint64_t h[8];
  detail::blake2b_state(reinterpret_cast<const unsigned char*>(name.data()), name.size(), 8, h);
  return h[0];
}

Stream Stream::named(std::uint64_t seed, std::string_view name) noexcept {
  return Stream(seed, name_id(name));
}

Stream Stream::tf1(std::optional<std::int64_t> graph_seed, std::int64_t op_seed,
                   StreamFamily family) noexcept {
  const std::int64_t seed = graph_seed ? floor_mod(*graph_seed, kMaxInt32) : kDefaultGraphSeed;
  std::int64_t seed2 = floor_mod(op_seed, kMaxInt32);
  if (seed == 0 && seed2 == 0) seed2 = kMaxInt32;  // TF's kernels read (0, 0) as "unseeded"
  return Stream(static_cast<std::uint64_t>(seed), static_cast<std::uint64_t>(seed2), 0, family);
}

Stream Stream::entropy(StreamFamily family) {
  std::random_device device;
  auto word = [&device] {
    return (static_cast<std::uint64_t>(device()) << 32) ^ static_cast<std::uint64_t>(device());
  };
  const std::uint64_t key = word();
  return Stream(key, word(), 0, family);
}

Stream Stream::keras_state(std::uint64_t a, std::uint64_t b, int bits) {
  if (bits != 8 && bits != 16 && bits != 32 && bits != 64) {
    throw ValueError("bits: a SeedGenerator state has 8, 16, 32 or 64-bit elements, got " +
                     std::to_string(bits));
  }
  const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  return Stream(a & mask, b & mask);
}

Stream Stream::jax(const std::uint32_t* words, std::size_t count) {
  if (count != 2 && count != 4) {
    throw TypeError("key: key data of " + std::to_string(count) +
                    " words; weightinit maps keys of 2 words (threefry2x32) or 4 (rbg, "
                    "unsafe_rbg)");
  }
  const std::uint64_t key = (std::uint64_t{words[0]} << 32) | words[1];
  const std::uint64_t id = count == 4 ? (std::uint64_t{words[2]} << 32) | words[3] : 0;
  return Stream(key, id);
}

Stream Stream::sub_stream(std::uint64_t k) const {
  if (k >= 256) {
    throw ValueError("k: a sub-stream index is in [0, 256), got " + std::to_string(k));
  }
  return Stream(key_, stream_id_ ^ (k << 56), offset_, family_);
}

}  // namespace weightinit
