// SPDX-License-Identifier: BSD-3-Clause
// The matrix kernels (matrix.hpp), written once over a small vector type per target.
// targets/target-inl.hpp includes this file under its target's instruction-set flags, with
// WEIGHTINIT_TARGET_ISA picking the vector type. Everything here has internal linkage.
//
// Every output element is one fixed chain of fused multiply-adds (matrix.hpp): the vector
// lanes are independent elements, so a wider vector or another tile shape changes which
// elements are computed together, never how one is computed.

#if !defined(WEIGHTINIT_TARGET_ISA) || !defined(WEIGHTINIT_TARGET_NS)
#error "include matrix-inl.hpp through targets/target-inl.hpp"
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#include <new>

#if WEIGHTINIT_TARGET_ISA == 1 || WEIGHTINIT_TARGET_ISA == 2
#include <immintrin.h>
#elif WEIGHTINIT_TARGET_ISA == 3
#include <arm_neon.h>
#endif

#include "linalg/matrix.hpp"

namespace weightinit::detail::WEIGHTINIT_TARGET_NS::linalg {

#include "kernels/fma-inl.hpp"

namespace {

// --- vector types: load, store, broadcast, fused multiply-add -------------------------------

#if WEIGHTINIT_TARGET_ISA == 2
struct VecF32 {
  using T = float;
  using V = __m512;
  static constexpr int kLanes = 16;
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V zero() { return _mm512_setzero_ps(); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
};
struct VecF64 {
  using T = double;
  using V = __m512d;
  static constexpr int kLanes = 8;
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V zero() { return _mm512_setzero_pd(); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
};
// Tiles: 2 vectors down x 8 columns, 16 accumulators of the 32 registers. Inner products:
// 16 accumulators too (a float sum of 16 parts is one vector, a double one two).
constexpr int kVecsF32 = 2, kColsF32 = 8, kVecsF64 = 2, kColsF64 = 8;
constexpr int kDotRowsF32 = 4, kDotColsF32 = 4, kDotRowsF64 = 2, kDotColsF64 = 4;
#elif WEIGHTINIT_TARGET_ISA == 1
struct VecF32 {
  using T = float;
  using V = __m256;
  static constexpr int kLanes = 8;
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V zero() { return _mm256_setzero_ps(); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};
struct VecF64 {
  using T = double;
  using V = __m256d;
  static constexpr int kLanes = 4;
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V zero() { return _mm256_setzero_pd(); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
};
// 2 x 6 tiles: 12 accumulators, 2 loads and a broadcast within the 16 registers.
constexpr int kVecsF32 = 2, kColsF32 = 6, kVecsF64 = 2, kColsF64 = 6;
constexpr int kDotRowsF32 = 2, kDotColsF32 = 2, kDotRowsF64 = 1, kDotColsF64 = 2;
#elif WEIGHTINIT_TARGET_ISA == 3
struct VecF32 {
  using T = float;
  using V = float32x4_t;
  static constexpr int kLanes = 4;
  static V load(const T* p) { return vld1q_f32(p); }
  static void store(T* p, V v) { vst1q_f32(p, v); }
  static V set1(T x) { return vdupq_n_f32(x); }
  static V zero() { return vdupq_n_f32(0.0f); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }  // c + a * b, one rounding
};
struct VecF64 {
  using T = double;
  using V = float64x2_t;
  static constexpr int kLanes = 2;
  static V load(const T* p) { return vld1q_f64(p); }
  static void store(T* p, V v) { vst1q_f64(p, v); }
  static V set1(T x) { return vdupq_n_f64(x); }
  static V zero() { return vdupq_n_f64(0.0); }
  static V fma(V a, V b, V c) { return vfmaq_f64(c, a, b); }
};
constexpr int kVecsF32 = 2, kColsF32 = 8, kVecsF64 = 2, kColsF64 = 8;
constexpr int kDotRowsF32 = 2, kDotColsF32 = 2, kDotRowsF64 = 1, kDotColsF64 = 2;
#else
template <class Scalar>
struct VecScalar {
  using T = Scalar;
  using V = Scalar;
  static constexpr int kLanes = 1;
  static V load(const T* p) { return *p; }
  static void store(T* p, V v) { *p = v; }
  static V set1(T x) { return x; }
  static V zero() { return T(0); }
  static V fma(V a, V b, V c) { return fma_exact(a, b, c); }
};
using VecF32 = VecScalar<float>;
using VecF64 = VecScalar<double>;
constexpr int kVecsF32 = 4, kColsF32 = 4, kVecsF64 = 4, kColsF64 = 4;
constexpr int kDotRowsF32 = 1, kDotColsF32 = 1, kDotRowsF64 = 1, kDotColsF64 = 1;
#endif

// Cache blocking (BLIS's loops, Van Zee and van de Geijn 2015): a kc-deep slice of B (at most
// kKc rows, kNc columns) is reused across the rows of C; a panel of it (kc x NR, in L1) meets
// every strip of a packed block of A (in L2).
constexpr Index kKc = 256;
constexpr Index kNc = 4096;
// A's packed block (mc x kc) fills about half of a 2 MiB L2 whatever kc is: a shallow
// product (kc = 128, the block reflector updates) sweeps long stretches of C's columns.
constexpr Index kABlockBytes = 1 << 20;

template <class T>
Index mc_block(Index kc, Index mr) {
  const Index rows = kABlockBytes / (static_cast<Index>(sizeof(T)) * kc);
  return std::max<Index>(mr, rows / mr * mr);
}

// --- the register tile ----------------------------------------------------------------------

// C[0:MR, 0:NR] (column-major, ldc) += A B over kc steps. A's step l is the MR values at
// a + l * MR (a packed strip). B's step l is b[l * NR + j] for a packed panel (kDirectB
// false), or b[l + j * ldb], column j read in place (kDirectB true). With `zero` the old C
// is not read.
template <class VT, int MV, int NR, bool kDirectB>
WEIGHTINIT_FMA_INLINE void tile(Index kc, const typename VT::T* a, const typename VT::T* b,
                                Index ldb, typename VT::T* c, Index ldc, bool zero) {
  using T = typename VT::T;
  using V = typename VT::V;
  constexpr int L = VT::kLanes;
  constexpr int MR = MV * L;
  V acc[NR][MV];
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
  for (int j = 0; j < NR; ++j) {
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (int v = 0; v < MV; ++v) acc[j][v] = zero ? VT::zero() : VT::load(c + j * ldc + v * L);
  }
  const T* bcol[NR];
  for (int j = 0; j < NR; ++j) bcol[j] = kDirectB ? b + j * ldb : b + j;
  for (Index l = 0; l < kc; ++l) {
    V av[MV];
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (int v = 0; v < MV; ++v) av[v] = VT::load(a + v * L);
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
    for (int j = 0; j < NR; ++j) {
      const V bj = VT::set1(kDirectB ? bcol[j][l] : b[j]);
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
      for (int v = 0; v < MV; ++v) acc[j][v] = VT::fma(av[v], bj, acc[j][v]);
    }
    a += MR;
    if (!kDirectB) b += NR;
  }
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
  for (int j = 0; j < NR; ++j) {
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (int v = 0; v < MV; ++v) VT::store(c + j * ldc + v * L, acc[j][v]);
  }
}

// --- packing --------------------------------------------------------------------------------

// B[pc:pc+kc, jc+q0:jc+q1] (q0, q1 multiples of NR but for a last partial panel) into panels
// of NR columns (l-major inside a panel), zero past column nc. Row-contiguous B is read row
// by row (each row once, front to back), column-contiguous B through small transposes.
template <class T, int NR>
void pack_b(const GemmArgs<T>& g, Index pc, Index kc, Index jc, Index nc, Index q0, Index q1,
            T* out) {
  const Index full = std::min(q1, nc / NR * NR);
  if (g.b_cs == 1) {
    for (Index l = 0; l < kc; ++l) {
      const T* row = g.b + (pc + l) * g.b_rs + jc;
      for (Index q = q0; q < full; q += NR) {
        T* dst = out + (q - q0) * kc + l * NR;
        for (int jj = 0; jj < NR; ++jj) dst[jj] = row[q + jj];
      }
    }
  } else if (g.b_rs == 1) {
    for (Index q = q0; q < full; q += NR) {
      T* dst = out + (q - q0) * kc;
      const T* src = g.b + pc + (jc + q) * g.b_cs;
      Index l = 0;
      for (; l + 8 <= kc; l += 8) {
        T block[8][NR];
        for (int jj = 0; jj < NR; ++jj) {
          for (int u = 0; u < 8; ++u) block[u][jj] = src[jj * g.b_cs + l + u];
        }
        for (int u = 0; u < 8; ++u) {
          for (int jj = 0; jj < NR; ++jj) dst[(l + u) * NR + jj] = block[u][jj];
        }
      }
      for (; l < kc; ++l) {
        for (int jj = 0; jj < NR; ++jj) dst[l * NR + jj] = src[jj * g.b_cs + l];
      }
    }
  } else {
    for (Index q = q0; q < full; q += NR) {
      T* dst = out + (q - q0) * kc;
      for (int jj = 0; jj < NR; ++jj) {
        const T* col = g.b + pc * g.b_rs + (jc + q + jj) * g.b_cs;
        for (Index l = 0; l < kc; ++l) dst[l * NR + jj] = col[l * g.b_rs];
      }
    }
  }
  if (full < q1) {
    T* dst = out + (full - q0) * kc;
    for (Index jj = 0; jj < NR; ++jj) {
      const T* col = g.b + pc * g.b_rs + (jc + full + jj) * g.b_cs;
      for (Index l = 0; l < kc; ++l) dst[l * NR + jj] = full + jj < nc ? col[l * g.b_rs] : T(0);
    }
  }
}

// A[ic:ic+mc, pc:pc+kc] into strips of MR rows (l-major inside a strip), negated when
// subtracting, zero past row mc. Column-contiguous A is read column by column, front to back.
template <class T, int MR>
void pack_a(const GemmArgs<T>& g, Index ic, Index mc, Index pc, Index kc, T* out) {
  const Index full = mc / MR * MR;
  const T sign = g.subtract ? T(-1) : T(1);
  if (g.a_rs == 1) {
    for (Index l = 0; l < kc; ++l) {
      const T* col = g.a + ic + (pc + l) * g.a_cs;
      for (Index q = 0; q < full; q += MR) {
        T* dst = out + q * kc + l * MR;
        for (int ii = 0; ii < MR; ++ii) dst[ii] = sign * col[q + ii];
      }
    }
  } else {
    for (Index q = 0; q < full; q += MR) {
      T* dst = out + q * kc;
      for (int ii = 0; ii < MR; ++ii) {
        const T* row = g.a + (ic + q + ii) * g.a_rs + pc * g.a_cs;
        for (Index l = 0; l < kc; ++l) dst[l * MR + ii] = sign * row[l * g.a_cs];
      }
    }
  }
  if (full < mc) {
    T* dst = out + full * kc;
    for (Index ii = 0; ii < MR; ++ii) {
      const T* row = g.a + (ic + full + ii) * g.a_rs + pc * g.a_cs;
      for (Index l = 0; l < kc; ++l) {
        dst[l * MR + ii] = full + ii < mc ? sign * row[l * g.a_cs] : T(0);
      }
    }
  }
}

// Memory kept between calls (one per thread), grown on demand, its contents kept only while
// it does not grow. Not std::vector: its out-of-line members, compiled under this file's
// instruction-set flags, would be weak symbols the linker may pick for every other caller;
// this class, in this target's anonymous namespace, has internal linkage.
template <class T>
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(data_); }

  // At least n elements.
  T* get(std::size_t n) {
    if (n > size_) {
      void* grown = std::malloc(n * sizeof(T));
      if (grown == nullptr) throw std::bad_alloc();
      std::free(data_);
      data_ = static_cast<T*>(grown);
      size_ = n;
    }
    return data_;
  }

  // At least n elements, all zero (as long as only this is used).
  const T* zeros(std::size_t n) {
    if (n > size_ || !zeroed_) {
      get(n);
      std::memset(static_cast<void*>(data_), 0, size_ * sizeof(T));
      zeroed_ = true;
    }
    return data_;
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  bool zeroed_ = false;
};

// A buffer of at least n elements starting on a 64-byte boundary: vector loads from packed
// panels then never straddle two cache lines (which halves their throughput).
template <class T>
T* scratch(Scratch<T>& buf, Index n) {
  constexpr std::size_t kSlack = 64 / sizeof(T);
  T* data = buf.get(static_cast<std::size_t>(n) + kSlack);
  const auto address = reinterpret_cast<std::uintptr_t>(data);
  return data + ((64 - address % 64) % 64) / sizeof(T);
}

// --- the product ----------------------------------------------------------------------------

// BLIS's loops: a kc-deep slice of B (packed, or read in place when its columns are
// contiguous) meets packed blocks of A, the A block in L2 and one panel of B in L1.
template <class VT, int MV, int NR>
void gemm(const GemmArgs<typename VT::T>& g) {
  using T = typename VT::T;
  constexpr int MR = MV * VT::kLanes;
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0) {
    if (!g.accumulate) {
      for (Index j = 0; j < g.n; ++j) std::fill(g.c + j * g.ldc, g.c + j * g.ldc + g.m, T(0));
    }
    return;
  }
  // Per-thread packing buffers, kept between calls.
  thread_local Scratch<T> b_buf, a_buf;
  const bool direct_b = g.b_rs == 1;
  const Index kc_max = std::min(kKc, g.k);
  const Index nc_max = direct_b ? NR : (std::min(kNc, g.n) + NR - 1) / NR * NR;
  T* bp = scratch(b_buf, kc_max * nc_max);
  alignas(64) T edge[MR * NR];
  for (Index jc = 0; jc < g.n; jc += kNc) {
    const Index nc = std::min(kNc, g.n - jc);
    for (Index pc = 0; pc < g.k; pc += kKc) {
      const Index kc = std::min(kKc, g.k - pc);
      const Index full = nc / NR * NR;
      if (!direct_b) {
        pack_b<T, NR>(g, pc, kc, jc, nc, 0, (nc + NR - 1) / NR * NR, bp);
      } else if (full < nc) {
        pack_b<T, NR>(g, pc, kc, jc, nc, full, full + NR, bp);  // the last, partial panel
      }
      const bool zero = !g.accumulate && pc == 0;
      const Index mc_step = mc_block<T>(kc, MR);
      T* ap = scratch(a_buf, kc * ((std::min(mc_step, g.m) + MR - 1) / MR * MR));
      for (Index ic = 0; ic < g.m; ic += mc_step) {
        const Index mc = std::min(mc_step, g.m - ic);
        pack_a<T, MR>(g, ic, mc, pc, kc, ap);
        for (Index jr = 0; jr < nc; jr += NR) {
          const Index nr = std::min<Index>(NR, nc - jr);
          const bool in_place = direct_b && nr == NR;
          const T* b = in_place ? g.b + pc + (jc + jr) * g.b_cs : bp + (direct_b ? 0 : jr * kc);
          for (Index ir = 0; ir < mc; ir += MR) {
            const Index mr = std::min<Index>(MR, mc - ir);
            const T* a = ap + ir * kc;
            T* c = g.c + (ic + ir) + (jc + jr) * g.ldc;
            T* out = c;
            Index ldo = g.ldc;
            if (mr < MR || nr < NR) {
              // A partial tile runs on a full one; the padding is computed and dropped.
              out = edge;
              ldo = MR;
              if (!zero) {
                for (Index j = 0; j < nr; ++j) {
                  for (Index i = 0; i < mr; ++i) edge[i + j * MR] = c[i + j * g.ldc];
                }
              }
            }
            if (in_place) {
              tile<VT, MV, NR, true>(kc, a, b, g.b_cs, out, ldo, zero);
            } else {
              tile<VT, MV, NR, false>(kc, a, b, 0, out, ldo, zero);
            }
            if (out == edge) {
              for (Index j = 0; j < nr; ++j) {
                for (Index i = 0; i < mr; ++i) c[i + j * g.ldc] = edge[i + j * MR];
              }
            }
          }
        }
      }
    }
  }
}

// --- vector helpers of the unblocked Householder steps --------------------------------------

// The sixteen partial sums of dot() as kParts / kLanes vectors, reduced in dot()'s order.
constexpr int kParts = 16;

template <class VT>
typename VT::T reduce_parts(const typename VT::V* acc) {
  using T = typename VT::T;
  constexpr int NV = kParts / VT::kLanes;
  alignas(64) T s[kParts];
  for (int v = 0; v < NV; ++v) VT::store(s + v * VT::kLanes, acc[v]);
  for (int half = kParts / 2; half >= 2; half /= 2) {
    for (int r = 0; r < half; ++r) s[r] += s[r + half];
  }
  return s[0] + s[1];
}

// The partial sums of dot(x[r], y[s], n) for an R x S block of columns, over rows
// [begin, end) (begin a multiple of 16): each column is loaded once per group of 16 rows and
// used S (or R) times. The last group of the columns (end == n) is zero-padded.
template <class VT, int R, int S>
WEIGHTINIT_FMA_INLINE void dots_run(const typename VT::T* const* x, const typename VT::T* const* y,
                                    Index begin, Index end, Index n,
                                    typename VT::V (&acc)[R][S][kParts / VT::kLanes]) {
  using T = typename VT::T;
  using V = typename VT::V;
  constexpr int L = VT::kLanes;
  constexpr int NV = kParts / L;
  auto step = [&](const T* const* xs, const T* const* ys, Index i) {
    V xv[R][NV], yv[S][NV];
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (int r = 0; r < R; ++r) {
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
      for (int v = 0; v < NV; ++v) xv[r][v] = VT::load(xs[r] + i + v * L);
    }
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (int s = 0; s < S; ++s) {
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
      for (int v = 0; v < NV; ++v) yv[s][v] = VT::load(ys[s] + i + v * L);
    }
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (int r = 0; r < R; ++r) {
#if defined(__GNUC__)
#pragma GCC unroll 4
#endif
      for (int s = 0; s < S; ++s) {
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
        for (int v = 0; v < NV; ++v) acc[r][s][v] = VT::fma(xv[r][v], yv[s][v], acc[r][s][v]);
      }
    }
  };
  Index i = begin;
  for (; i + kParts <= end; i += kParts) step(x, y, i);
  if (i < end && end == n) {  // the tail, zero-padded to a full group
    alignas(64) T pad[R + S][kParts] = {};
    const T* xs[R];
    const T* ys[S];
    for (int r = 0; r < R; ++r) {
      for (Index q = 0; i + q < n; ++q) pad[r][q] = x[r][i + q];
      xs[r] = pad[r];
    }
    for (int s = 0; s < S; ++s) {
      for (Index q = 0; i + q < n; ++q) pad[R + s][q] = y[s][i + q];
      ys[s] = pad[R + s];
    }
    step(xs, ys, 0);
  }
}

template <class VT>
typename VT::T dot(const typename VT::T* x, const typename VT::T* y, Index n) {
  typename VT::V acc[1][1][kParts / VT::kLanes];
  for (auto& v : acc[0][0]) v = VT::zero();
  dots_run<VT, 1, 1>(&x, &y, 0, n, n, acc);
  return reduce_parts<VT>(acc[0][0]);
}

// Rows per pass of dots(): a pass holds every output's partial sums in a buffer, so a block's
// columns are read from L1 and L2 within a pass however long they are.
constexpr Index kDotsChunk = 512;

template <class VT, int R, int S>
void dots(Index m, Index n, Index k, const typename VT::T* a, Index lda, const typename VT::T* b,
          Index ldb, typename VT::T* c, Index ldc) {
  using T = typename VT::T;
  using V = typename VT::V;
  constexpr int L = VT::kLanes;
  constexpr int NV = kParts / L;
  if (m <= 0 || n <= 0) return;
  // Blocks past the edge of C read a column of zeros; their outputs are dropped.
  thread_local Scratch<T> zero_buf;
  const T* zeros = zero_buf.zeros(static_cast<std::size_t>(std::max<Index>(k, 1)));
  const Index bm = (m + R - 1) / R, bn = (n + S - 1) / S;
  thread_local Scratch<T> part_buf;  // each output's kParts partial sums between passes
  T* parts = part_buf.get(static_cast<std::size_t>(bm * bn * R * S * kParts));
  for (Index begin = 0; begin < std::max<Index>(k, 1); begin += kDotsChunk) {
    const Index end = std::min(k, begin + kDotsChunk);
    for (Index bj = 0; bj < bn; ++bj) {
      const T* ys[S];
      for (int s = 0; s < S; ++s) {
        const Index j = bj * S + s;
        ys[s] = j < n ? b + j * ldb : zeros;
      }
      for (Index bi = 0; bi < bm; ++bi) {
        const T* xs[R];
        for (int r = 0; r < R; ++r) {
          const Index i = bi * R + r;
          xs[r] = i < m ? a + i * lda : zeros;
        }
        V acc[R][S][NV];
        T* saved = parts + (bj * bm + bi) * R * S * kParts;
        for (int r = 0; r < R; ++r) {
          for (int s = 0; s < S; ++s) {
            for (int v = 0; v < NV; ++v) {
              const T* from = saved + (r * S + s) * kParts + v * L;
              acc[r][s][v] = begin == 0 ? VT::zero() : VT::load(from);
            }
          }
        }
        dots_run<VT, R, S>(xs, ys, begin, end, k, acc);
        if (end < k) {
          for (int r = 0; r < R; ++r) {
            for (int s = 0; s < S; ++s) {
              for (int v = 0; v < NV; ++v) {
                VT::store(saved + (r * S + s) * kParts + v * L, acc[r][s][v]);
              }
            }
          }
          continue;
        }
        for (int r = 0; r < R; ++r) {
          for (int s = 0; s < S; ++s) {
            const Index i = bi * R + r, j = bj * S + s;
            if (i < m && j < n) c[i + j * ldc] = reduce_parts<VT>(acc[r][s]);
          }
        }
      }
    }
  }
}

template <class VT>
void axpy(typename VT::T t, const typename VT::T* x, typename VT::T* y, Index n) {
  using T = typename VT::T;
  using V = typename VT::V;
  constexpr int L = VT::kLanes;
  const V tv = VT::set1(t);
  Index i = 0;
  for (; i + L <= n; i += L) VT::store(y + i, VT::fma(tv, VT::load(x + i), VT::load(y + i)));
  if (i < n) {
    alignas(64) T xs[L] = {}, ys[L] = {};
    for (Index r = 0; i + r < n; ++r) {
      xs[r] = x[i + r];
      ys[r] = y[i + r];
    }
    VT::store(ys, VT::fma(tv, VT::load(xs), VT::load(ys)));
    for (Index r = 0; i + r < n; ++r) y[i + r] = ys[r];
  }
}

void gemm_f32(const GemmArgs<float>& g) { gemm<VecF32, kVecsF32, kColsF32>(g); }
void gemm_f64(const GemmArgs<double>& g) { gemm<VecF64, kVecsF64, kColsF64>(g); }
float dot_f32(const float* x, const float* y, Index n) { return dot<VecF32>(x, y, n); }
double dot_f64(const double* x, const double* y, Index n) { return dot<VecF64>(x, y, n); }
void dots_f32(Index m, Index n, Index k, const float* a, Index lda, const float* b, Index ldb,
              float* c, Index ldc) {
  dots<VecF32, kDotRowsF32, kDotColsF32>(m, n, k, a, lda, b, ldb, c, ldc);
}
void dots_f64(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb,
              double* c, Index ldc) {
  dots<VecF64, kDotRowsF64, kDotColsF64>(m, n, k, a, lda, b, ldb, c, ldc);
}
void axpy_f32(float t, const float* x, float* y, Index n) { axpy<VecF32>(t, x, y, n); }
void axpy_f64(double t, const double* x, double* y, Index n) { axpy<VecF64>(t, x, y, n); }

// The table targets/target-inl.hpp gathers into the target's TargetKernels.
MatrixKernels make_matrix_table() {
  return {gemm_f32, gemm_f64, dot_f32, dot_f64, dots_f32, dots_f64, axpy_f32, axpy_f64};
}

}  // namespace

}  // namespace weightinit::detail::WEIGHTINIT_TARGET_NS::linalg
