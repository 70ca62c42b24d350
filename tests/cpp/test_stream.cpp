// SPDX-License-Identifier: BSD-3-Clause
// Stream's seed policies (stream.hpp), BLAKE2b's known answers, and a checkpoint parameter
// regenerated from (seed, name) through the public API, byte for byte.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "check.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using testing::check;
using testing::expect_error;

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  std::string s;
  char b[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    s += b;
  }
  return s;
}

void test_blake2b() {
  // RFC 7693, Appendix A: BLAKE2b-512("abc").
  unsigned char d[64];
  wi::detail::blake2b("abc", 3, d, 64);
  check(hex(d, 64) ==
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
        "BLAKE2b-512(abc), RFC 7693 Appendix A");

  // 8-byte digests read little-endian, from Python's hashlib:
  // int.from_bytes(hashlib.blake2b(b, digest_size=8).digest(), "little"). Lengths 0, 1,
  // 127, 128 (one full block), 129 (a second block), 256 (two full blocks), non-ASCII.
  std::string bytes256;
  for (int i = 0; i < 256; ++i) bytes256 += static_cast<char>(i);
  const struct {
    std::string name;
    std::uint64_t id;
  } cases[] = {
      {"", 0xb4b2797457a0a6e4},
      {"a", 0x2f42665b399ef840},
      {std::string(127, 'x'), 0xfc4f7c44afa0708e},
      {std::string(128, 'x'), 0x0224e1e874e31c90},
      {std::string(129, 'x'), 0xa3a5eed8b914de18},
      {bytes256, 0x3fad55d6feed2c2b},
      {"h.0.attn.c_attn.weight", 0xa6ba738c8a523575},
      {"\xc3\xa9", 0x2f19f3ef8bbf1acb},  // "é"
      {"\xe5\xb1\x82.\xe6\x9d\x83\xe9\x87\x8d\xf0\x9f\x99\x82", 0xd9ce14e37cb9453e},  // "层.权重🙂"
  };
  for (const auto& c : cases) {
    check(wi::Stream::name_id(c.name) == c.id,
          "name_id of " + std::to_string(c.name.size()) + " bytes");
    const wi::Stream s = wi::Stream::named(7, c.name);
    check(s == wi::Stream(7, c.id, 0), "named: key = seed, stream id = name_id, offset 0");
  }
  expect_error<wi::ValueError>("blake2b out_len", [] {
    unsigned char x[65];
    wi::detail::blake2b("", 0, x, 65);
  }, "out_len: a BLAKE2b digest has 1 to 64 bytes, got 65");
}

void test_policies() {
  using wi::Stream;
  using wi::StreamFamily;
  constexpr std::int64_t m = wi::kMaxInt32;
  // TF1 (docs/streams.md §2): (g mod M, s mod M); no graph seed: 87654321; (0, 0) -> (0, M).
  check(Stream::tf1(42, 7) == Stream(42, 7), "tf1: graph seed and op seed");
  check(Stream::tf1(std::nullopt, 7) == Stream(87654321, 7), "tf1: default graph seed");
  check(Stream::tf1(0, 0) == Stream(0, m), "tf1: (0, 0) is TF's unseeded pair");
  check(Stream::tf1(m, 2 * m) == Stream(0, m), "tf1: (M, 2M) reduces to (0, 0), then (0, M)");
  check(Stream::tf1(-1, -2) == Stream(m - 1, m - 2), "tf1: floored modulo");
  check(Stream::tf1(1, 2, StreamFamily::kTensorFlow) == Stream(1, 2, 0, StreamFamily::kTensorFlow),
        "tf1: family");
  wi::set_random_seed(5);
  const std::optional<wi::SeedPair> p = wi::get_seed(m + 3);
  check(p && p->seed == 5 && p->seed2 == 3, "get_seed: the pair of Stream::tf1");
  wi::reset_default_graph();
  const Stream e = Stream::entropy();
  check(e.offset() == 0 && e.family() == StreamFamily::kWeightinit && e != Stream::entropy(),
        "entropy: fresh words each time");

  // Keras.
  check(Stream::keras(5) == Stream(5), "keras: key = seed, stream 0");
  check(Stream::keras(static_cast<std::uint64_t>(std::int64_t{-1})) == Stream(~std::uint64_t{0}),
        "keras: seed mod 2^64");
  check(Stream::keras_state(0xffffffffffffffff, 0xfffffffffffffffe, 32) == Stream(0xffffffff, 0xfffffffe),
        "keras_state: int32 (-1, -2) reads (2^32 - 1, 2^32 - 2)");
  check(Stream::keras_state(3, 4, 64) == Stream(3, 4), "keras_state: 64-bit");
  expect_error<wi::ValueError>("keras_state bits", [] { Stream::keras_state(1, 2, 12); },
                               "bits: a SeedGenerator state has 8, 16, 32 or 64-bit elements, got 12");

  // JAX.
  const std::uint32_t two[] = {1, 2};
  const std::uint32_t four[] = {1, 2, 3, 4};
  check(Stream::jax(two, 2) == Stream((std::uint64_t{1} << 32) | 2), "jax: 2 words");
  check(Stream::jax(four, 4) == Stream((std::uint64_t{1} << 32) | 2, (std::uint64_t{3} << 32) | 4),
        "jax: 4 words");
  expect_error<wi::TypeError>("jax: 3 words", [&] { Stream::jax(four, 3); },
                              "key: key data of 3 words; weightinit maps keys of 2 words "
                              "(threefry2x32) or 4 (rbg, unsafe_rbg)");

  // Sub-streams.
  const Stream s(9, 0x55, 12);
  check(s.sub_stream(0) == s, "sub_stream 0 is the stream");
  check(s.sub_stream(1) == Stream(9, 0x55 ^ (std::uint64_t{1} << 56), 12), "sub_stream 1");
  check(s.sub_stream(255).stream_id() == (0x55 ^ (std::uint64_t{255} << 56)), "sub_stream 255");
  expect_error<wi::ValueError>("sub_stream 256", [&] { (void)s.sub_stream(256); },
                               "k: a sub-stream index is in [0, 256), got 256");
  check(s.at(3) == Stream(9, 0x55, 3), "at: another offset");

  // The fill layer draws weightinit's family only.
  float x[4];
  expect_error<std::invalid_argument>("fill of a tensorflow stream", [&] {
    wi::fill(wi::Distribution::normal(0, 1), Stream(1, 2, 0, StreamFamily::kTensorFlow),
             wi::DType::kFloat32, 0, 4, x);
  }, "stream: a \"tensorflow\" stream is drawn by tensorflow_stream::fill_law, not fill");
}

// --- a checkpoint parameter, from C++ -----------------------------------------------------

// What the safetensors header says of one tensor: its dtype, shape and byte range.
struct Entry {
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;
};

// The integers of a JSON array starting at text[at] ('[').
std::vector<std::int64_t> integers(const std::string& text, std::size_t at) {
  std::vector<std::int64_t> out;
  const std::size_t close = text.find(']', at);
  std::size_t i = at + 1;
  while (i < close) {
    std::size_t used = 0;
    out.push_back(std::stoll(text.substr(i, close - i), &used));
    i += used;
    while (i < close && (text[i] == ',' || text[i] == ' ')) ++i;
  }
  return out;
}

// The value of "key":"..." after text[from].
std::string string_after(const std::string& text, std::size_t from, const std::string& key) {
  const std::size_t k = text.find("\"" + key + "\":\"", from);
  if (k == std::string::npos) return "";
  const std::size_t start = k + key.size() + 4;
  return text.substr(start, text.find('"', start) - start);
}

// A minimal reader of the file's header (8-byte little-endian length, then JSON) for the
// flat layout weightinit writes: "name":{"dtype":...,"shape":[...],"data_offsets":[b,e]}.
Entry entry_of(const std::string& header, const std::string& name) {
  Entry e;
  const std::size_t at = header.find("\"" + name + "\":{");
  if (at == std::string::npos) return e;
  e.dtype = string_after(header, at, "dtype");
  e.shape = integers(header, header.find("\"shape\":", at) + 8);
  const std::vector<std::int64_t> range = integers(header, header.find("\"data_offsets\":", at) + 15);
  e.begin = static_cast<std::uint64_t>(range.at(0));
  e.end = static_cast<std::uint64_t>(range.at(1));
  return e;
}

void test_checkpoint(const std::string& dir) {
  // tests/data/make_stream_checkpoint.py wrote it with weightinit.checkpoint.write.
  std::ifstream in(dir + "/stream_checkpoint.safetensors", std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check(file.size() > 8, "the checkpoint file is readable");
  if (file.size() <= 8) return;
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(file[static_cast<std::size_t>(i)]);
  const std::string header = file.substr(8, n);
  const std::string data = file.substr(8 + n);
  const std::uint64_t seed = std::stoull(string_after(header, 0, "weightinit_seed"));

  const struct {
    std::string name;
    std::string dtype;
    wi::DType fill_dtype;
    wi::Law (*law)(const std::vector<std::int64_t>& shape);
  } params[] = {
      {"embed.weight", "F32", wi::DType::kFloat32,
       [](const std::vector<std::int64_t>&) { return wi::Law::normal(0.0, 0.02); }},
      {"layers.0.attn.weight", "BF16", wi::DType::kBFloat16,
       [](const std::vector<std::int64_t>& shape) {
         return wi::laws::kaiming_uniform(shape, std::sqrt(5.0), "fan_in", "leaky_relu");
       }},
      {"layers.0.mlp.weight", "F16", wi::DType::kFloat16,
       [](const std::vector<std::int64_t>&) { return wi::laws::trunc_normal(0.0, 0.02, -2.0, 2.0); }},
  };
  for (const auto& p : params) {
    const Entry e = entry_of(header, p.name);
    check(e.dtype == p.dtype, p.name + ": dtype " + e.dtype);
    if (e.dtype != p.dtype) continue;
    std::vector<unsigned char> out(e.end - e.begin);
    // Only the seed and the name decide the stream: no other parameter is read.
    wi::fill_law(p.law(e.shape), wi::Stream::named(seed, p.name), p.fill_dtype, e.shape, out.data());
    check(std::memcmp(out.data(), data.data() + e.begin, out.size()) == 0,
          p.name + ": regenerated from (seed, name), the file's bytes");
    std::vector<unsigned char> other(out.size());
    wi::fill_law(p.law(e.shape), wi::Stream::named(seed, p.name + "x"), p.fill_dtype, e.shape,
                 other.data());
    check(other != out, p.name + ": another name, other bytes");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "tests/data";
  test_blake2b();
  test_policies();
  test_checkpoint(dir);
  return testing::report();
}
