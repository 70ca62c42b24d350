// SPDX-License-Identifier: BSD-3-Clause
// Philox4x32-10 (philox.hpp) across vector lanes: the round keys and, on the x86 targets, the
// ten rounds and the final packing, shared by the kernels of both stream families
// (kernels-inl.hpp, tf_stream-inl.hpp). Include inside a target namespace, after <cstdint>,
// weightinit/philox.hpp and (x86 targets) <immintrin.h>, with WEIGHTINIT_INLINE defined and
// WEIGHTINIT_PHILOX_SIMD set to 1 where the file's intrinsics are on.
//
// The x86 targets keep each 32-bit counter word in the low half of a 64-bit slot, so one
// mul_epu32 gives the whole 32x32->64 product (the upper halves carry junk that no later step
// reads), and pack the slots at the end. Callers run several independent sets of blocks at
// once: one round is a chain of multiply, shift and xor, and a single set would leave the
// vector units waiting on that chain.

// Key k of round r: philox4x32_round_key(seed key, r)[k].
struct PhiloxRoundKeys {
  std::uint32_t k[10][2];
};

WEIGHTINIT_INLINE PhiloxRoundKeys philox_round_keys(std::uint32_t key0, std::uint32_t key1) {
  PhiloxRoundKeys rk;
  for (int r = 0; r < 10; ++r) {
    const Philox4x32Key k = philox4x32_round_key({key0, key1}, r);
    rk.k[r][0] = k[0];
    rk.k[r][1] = k[1];
  }
  return rk;
}

#if WEIGHTINIT_TARGET_ISA == 2
// The ten rounds on S sets of 8 blocks (x0..x3: the counter words, one block per 64-bit slot).
template <int S>
WEIGHTINIT_INLINE void philox_rounds(__m512i (&x0)[S], __m512i (&x1)[S], __m512i (&x2)[S],
                                     __m512i (&x3)[S], const PhiloxRoundKeys& rk) {
  const __m512i m0 = _mm512_set1_epi64(kPhiloxM0), m1 = _mm512_set1_epi64(kPhiloxM1);
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(rk.k[r][0]));
    const __m512i key1 = _mm512_set1_epi32(static_cast<int>(rk.k[r][1]));
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
#elif WEIGHTINIT_TARGET_ISA == 1
// The ten rounds on S sets of 4 blocks.
template <int S>
WEIGHTINIT_INLINE void philox_rounds(__m256i (&x0)[S], __m256i (&x1)[S], __m256i (&x2)[S],
                                     __m256i (&x3)[S], const PhiloxRoundKeys& rk) {
  const __m256i m0 = _mm256_set1_epi64x(kPhiloxM0), m1 = _mm256_set1_epi64x(kPhiloxM1);
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const __m256i key0 = _mm256_set1_epi32(static_cast<int>(rk.k[r][0]));
    const __m256i key1 = _mm256_set1_epi32(static_cast<int>(rk.k[r][1]));
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
#endif
