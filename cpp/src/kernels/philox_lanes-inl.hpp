// SPDX-License-Identifier: BSD-3-Clause
// Philox4x32-10 (philox.hpp) across vector lanes: the one driver that runs it over groups of
// 16 blocks, for the kernels of both stream families (kernels-inl.hpp, tf_stream-inl.hpp).
// Include inside a target's namespace (targets/target-inl.hpp), after <cstdint>,
// weightinit/philox.hpp and (x86 targets) <immintrin.h>, with WEIGHTINIT_INLINE defined.
//
// Both families count blocks the same way: counter = (block low, block high, word 2, word 3),
// words 2 and 3 fixed for a draw (stream v2: the stream id; TF: `seed2`). What differs stays
// with them: which blocks a group reads (consecutive, or one per truncated-normal window:
// the stride) and what the words become.
//
// The generic loop is the reference (philox4x32, which the known-answer test covers). The x86
// targets keep each 32-bit counter word in the low half of a 64-bit slot, so one mul_epu32
// gives the whole 32x32->64 product (the upper halves carry junk that no later step reads),
// and pack the slots at the end. They run several independent sets of blocks at once: one
// round is a chain of multiply, shift and xor, and a single set would leave the vector units
// waiting on that chain.

// Blocks per group: one lane each of the widest vector (16 words of 32 bits).
constexpr int kPhiloxLanes = 16;

// What every block of one draw shares: the key, its round keys and counter words 2 and 3.
struct PhiloxLanes {
  Philox4x32Key key;
  std::uint32_t ctr2, ctr3;
  std::uint32_t rk[10][2];  // round r's key: philox4x32_round_key(key, r)
};

WEIGHTINIT_INLINE PhiloxLanes philox_lanes(std::uint32_t key0, std::uint32_t key1,
                                           std::uint32_t ctr2, std::uint32_t ctr3) {
  PhiloxLanes p;
  p.key = {key0, key1};
  p.ctr2 = ctr2;
  p.ctr3 = ctr3;
  for (int r = 0; r < 10; ++r) {
    const Philox4x32Key k = philox4x32_round_key(p.key, r);
    p.rk[r][0] = k[0];
    p.rk[r][1] = k[1];
  }
  return p;
}

// philox_blocks<NG, Stride>(p, first, w): the blocks b = first + Stride (16 g + j) (mod 2^64)
// for groups g < NG and lanes j < 16; word k of block (g, j) lands at w[(4 g + k) 16 + j]
// (w aligned to 64 bytes). kPhiloxGroups: the NG that keeps the target's units busy.
#if WEIGHTINIT_TARGET_ISA == 2
constexpr int kPhiloxGroups = 2;  // 2 groups = 4 sets of 8 blocks in flight

// The ten rounds on S sets of 8 blocks (x0..x3: the counter words, one block per 64-bit slot).
template <int S>
WEIGHTINIT_INLINE void philox_rounds(__m512i (&x0)[S], __m512i (&x1)[S], __m512i (&x2)[S],
                                     __m512i (&x3)[S], const PhiloxLanes& p) {
  const __m512i m0 = _mm512_set1_epi64(kPhiloxM0), m1 = _mm512_set1_epi64(kPhiloxM1);
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(p.rk[r][0]));
    const __m512i key1 = _mm512_set1_epi32(static_cast<int>(p.rk[r][1]));
#pragma GCC unroll 4
    for (int i = 0; i < S; ++i) {
      const __m512i p0 = _mm512_mul_epu32(x0[i], m0), p1 = _mm512_mul_epu32(x2[i], m1);
      // 0x96: a ^ b ^ c
      x0[i] = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p1, 32), x1[i], key0, 0x96);
      x2[i] = _mm512_ternarylogic_epi32(_mm512_srli_epi64(p0, 32), x3[i], key1, 0x96);
      x1[i] = p1;
      x3[i] = p0;
    }
  }
}

// The low halves of the 64-bit slots of lo (blocks 0-7) and hi (blocks 8-15), in order.
WEIGHTINIT_INLINE __m512i philox_pack_low(__m512i lo, __m512i hi) {
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  return _mm512_permutex2var_epi32(lo, even, hi);
}

template <int NG, std::uint64_t Stride = 1>
WEIGHTINIT_INLINE void philox_blocks(const PhiloxLanes& p, std::uint64_t first, std::uint32_t* w) {
  constexpr int kSets = 2 * NG;  // set i: blocks 8 i .. 8 i + 7 of the draw
  constexpr long long s = static_cast<long long>(Stride);
  __m512i x0[kSets], x1[kSets], x2[kSets], x3[kSets];
  for (int i = 0; i < kSets; ++i) {
    const std::uint64_t set_first = first + Stride * static_cast<std::uint64_t>(8 * i);
    x0[i] = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(set_first)),
                             _mm512_set_epi64(7 * s, 6 * s, 5 * s, 4 * s, 3 * s, 2 * s, s, 0));
    x1[i] = _mm512_srli_epi64(x0[i], 32);
    x2[i] = _mm512_set1_epi64(p.ctr2);
    x3[i] = _mm512_set1_epi64(p.ctr3);
  }
  philox_rounds(x0, x1, x2, x3, p);
  for (int g = 0; g < NG; ++g) {
    std::uint32_t* wg = w + 4 * kPhiloxLanes * g;
    _mm512_store_si512(wg + 0 * kPhiloxLanes, philox_pack_low(x0[2 * g], x0[2 * g + 1]));
    _mm512_store_si512(wg + 1 * kPhiloxLanes, philox_pack_low(x1[2 * g], x1[2 * g + 1]));
    _mm512_store_si512(wg + 2 * kPhiloxLanes, philox_pack_low(x2[2 * g], x2[2 * g + 1]));
    _mm512_store_si512(wg + 3 * kPhiloxLanes, philox_pack_low(x3[2 * g], x3[2 * g + 1]));
  }
}
#elif WEIGHTINIT_TARGET_ISA == 1
constexpr int kPhiloxGroups = 1;  // one group = 4 sets of 4 blocks in flight

// The ten rounds on S sets of 4 blocks.
template <int S>
WEIGHTINIT_INLINE void philox_rounds(__m256i (&x0)[S], __m256i (&x1)[S], __m256i (&x2)[S],
                                     __m256i (&x3)[S], const PhiloxLanes& p) {
  const __m256i m0 = _mm256_set1_epi64x(kPhiloxM0), m1 = _mm256_set1_epi64x(kPhiloxM1);
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const __m256i key0 = _mm256_set1_epi32(static_cast<int>(p.rk[r][0]));
    const __m256i key1 = _mm256_set1_epi32(static_cast<int>(p.rk[r][1]));
#pragma GCC unroll 4
    for (int i = 0; i < S; ++i) {
      const __m256i p0 = _mm256_mul_epu32(x0[i], m0), p1 = _mm256_mul_epu32(x2[i], m1);
      x0[i] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), key0), x1[i]);
      x2[i] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), key1), x3[i]);
      x1[i] = p1;
      x3[i] = p0;
    }
  }
}

// The low halves of the 64-bit slots of lo (blocks 0-3) and hi (blocks 4-7), in order.
WEIGHTINIT_INLINE __m256i philox_pack_low(__m256i lo, __m256i hi) {
  const __m256 mixed = _mm256_shuffle_ps(_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi), 0x88);
  return _mm256_permute4x64_epi64(_mm256_castps_si256(mixed), 0xD8);
}

template <int NG, std::uint64_t Stride = 1>
WEIGHTINIT_INLINE void philox_blocks(const PhiloxLanes& p, std::uint64_t first, std::uint32_t* w) {
  constexpr int kSets = 4 * NG;  // set i: blocks 4 i .. 4 i + 3 of the draw
  constexpr long long s = static_cast<long long>(Stride);
  __m256i x0[kSets], x1[kSets], x2[kSets], x3[kSets];
  for (int i = 0; i < kSets; ++i) {
    x0[i] = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(first)),
                             _mm256_set_epi64x((4 * i + 3) * s, (4 * i + 2) * s, (4 * i + 1) * s,
                                               4 * i * s));
    x1[i] = _mm256_srli_epi64(x0[i], 32);
    x2[i] = _mm256_set1_epi64x(p.ctr2);
    x3[i] = _mm256_set1_epi64x(p.ctr3);
  }
  philox_rounds(x0, x1, x2, x3, p);
  for (int i = 0; i < kSets; i += 2) {
    // Blocks 4 i .. 4 i + 7: group i / 4, lanes 4 (i mod 4) on; a row of 16 words is 2 vectors.
    __m256i* v = reinterpret_cast<__m256i*>(w + 4 * kPhiloxLanes * (i / 4) + 4 * (i % 4));
    _mm256_store_si256(v + 0, philox_pack_low(x0[i], x0[i + 1]));
    _mm256_store_si256(v + 2, philox_pack_low(x1[i], x1[i + 1]));
    _mm256_store_si256(v + 4, philox_pack_low(x2[i], x2[i + 1]));
    _mm256_store_si256(v + 6, philox_pack_low(x3[i], x3[i + 1]));
  }
}
#else
constexpr int kPhiloxGroups = 1;

template <int NG, std::uint64_t Stride = 1>
WEIGHTINIT_INLINE void philox_blocks(const PhiloxLanes& p, std::uint64_t first, std::uint32_t* w) {
  for (int g = 0; g < NG; ++g) {
    for (int j = 0; j < kPhiloxLanes; ++j) {
      const std::uint64_t b = first + Stride * static_cast<std::uint64_t>(kPhiloxLanes * g + j);
      const Philox4x32Ctr x = philox4x32(
          {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32), p.ctr2, p.ctr3},
          p.key);
      for (int k = 0; k < 4; ++k) {
        w[(4 * g + k) * kPhiloxLanes + j] = x[static_cast<std::size_t>(k)];
      }
    }
  }
}
#endif
