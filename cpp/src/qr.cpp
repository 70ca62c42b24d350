// SPDX-License-Identifier: BSD-3-Clause
// Blocked Householder QR in double: the sign-fixed Q of a tall matrix (for Orthogonal).

#include "qr.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "float_env.hpp"
#include "thread_pool.hpp"

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define WEIGHTINIT_QR_SSE2 1
#else
#define WEIGHTINIT_QR_SSE2 0
#endif

namespace weightinit::detail {
namespace {

using Index = std::int64_t;

// Panel width: the Y of a 1024-row panel (256 KiB) stays in L2 while it updates the rest.
constexpr Index kPanel = 32;
// Columns per task of a blocked update; every element is owned by exactly one task.
constexpr Index kTaskColumns = 32;
// Register tile of the matrix product: kTileRows x kTileCols accumulators.
constexpr Index kTileRows = 4;
constexpr Index kTileCols = 4;

// Sum of x[i] * y[i]. Four partial sums break the add latency chain; the order is fixed,
// so the result is too.
double dot(const double* x, const double* y, Index n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  Index i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  for (; i < n; ++i) s0 += x[i] * y[i];
  return (s0 + s1) + (s2 + s3);
}

// One kTileRows x kTileCols tile of C = A B or C - A B (see gemm). SSE2 is part of every
// x86-64 CPU; elsewhere the plain loops. Both accumulate each element's products in the
// same order with separate multiplies and adds, so they give the same bits.
template <bool kSubtract>
void gemm_tile(Index depth, const double* a, Index lda, const double* b, Index ldb, double* c,
               Index ldc) {
#if WEIGHTINIT_QR_SSE2
  static_assert(kTileRows == 4 && kTileCols == 4, "the SSE2 tile is 4 x 4");
  __m128d acc[kTileCols][2];
  for (auto& col : acc) col[0] = col[1] = _mm_setzero_pd();
  const double* b0 = b;
  const double* b1 = b + ldb;
  const double* b2 = b + 2 * ldb;
  const double* b3 = b + 3 * ldb;
  for (Index k = 0; k < depth; ++k) {
    const __m128d a0 = _mm_loadu_pd(a + k * lda);
    const __m128d a1 = _mm_loadu_pd(a + k * lda + 2);
    const __m128d v0 = _mm_set1_pd(b0[k]);
    const __m128d v1 = _mm_set1_pd(b1[k]);
    const __m128d v2 = _mm_set1_pd(b2[k]);
    const __m128d v3 = _mm_set1_pd(b3[k]);
    acc[0][0] = _mm_add_pd(acc[0][0], _mm_mul_pd(a0, v0));
    acc[0][1] = _mm_add_pd(acc[0][1], _mm_mul_pd(a1, v0));
    acc[1][0] = _mm_add_pd(acc[1][0], _mm_mul_pd(a0, v1));
    acc[1][1] = _mm_add_pd(acc[1][1], _mm_mul_pd(a1, v1));
    acc[2][0] = _mm_add_pd(acc[2][0], _mm_mul_pd(a0, v2));
    acc[2][1] = _mm_add_pd(acc[2][1], _mm_mul_pd(a1, v2));
    acc[3][0] = _mm_add_pd(acc[3][0], _mm_mul_pd(a0, v3));
    acc[3][1] = _mm_add_pd(acc[3][1], _mm_mul_pd(a1, v3));
  }
  for (Index jj = 0; jj < kTileCols; ++jj) {
    double* cj = c + jj * ldc;
    for (int h = 0; h < 2; ++h) {
      const __m128d old = _mm_loadu_pd(cj + 2 * h);
      _mm_storeu_pd(cj + 2 * h, kSubtract ? _mm_sub_pd(old, acc[jj][h]) : acc[jj][h]);
    }
  }
#else
  double acc[kTileCols][kTileRows] = {};
  for (Index k = 0; k < depth; ++k) {
    const double* ak = a + k * lda;
    for (Index jj = 0; jj < kTileCols; ++jj) {
      const double bv = b[k + jj * ldb];
      for (Index ii = 0; ii < kTileRows; ++ii) acc[jj][ii] += ak[ii] * bv;
    }
  }
  for (Index jj = 0; jj < kTileCols; ++jj) {
    double* cj = c + jj * ldc;
    for (Index ii = 0; ii < kTileRows; ++ii) cj[ii] = kSubtract ? cj[ii] - acc[jj][ii] : acc[jj][ii];
  }
#endif
}

// C (rows x cols, column-major) = A B or C - A B, A rows x depth, B depth x cols, both
// column-major. Each element accumulates its products in order k = 0, 1, ... from zero and
// is then stored or subtracted, whatever tile it falls in.
template <bool kSubtract>
void gemm(Index rows, Index cols, Index depth, const double* a, Index lda, const double* b,
          Index ldb, double* c, Index ldc) {
  Index j = 0;
  for (; j + kTileCols <= cols; j += kTileCols) {
    Index i = 0;
    for (; i + kTileRows <= rows; i += kTileRows) {
      gemm_tile<kSubtract>(depth, a + i, lda, b + j * ldb, ldb, c + i + j * ldc, ldc);
    }
    for (; i < rows; ++i) {
      for (Index jj = 0; jj < kTileCols; ++jj) {
        double acc = 0;
        for (Index k = 0; k < depth; ++k) acc += a[i + k * lda] * b[k + (j + jj) * ldb];
        double& cij = c[i + (j + jj) * ldc];
        cij = kSubtract ? cij - acc : acc;
      }
    }
  }
  for (; j < cols; ++j) {
    for (Index i = 0; i < rows; ++i) {
      double acc = 0;
      for (Index k = 0; k < depth; ++k) acc += a[i + k * lda] * b[k + j * ldb];
      double& cij = c[i + j * ldc];
      cij = kSubtract ? cij - acc : acc;
    }
  }
}

// One panel's block reflector H = H_0 H_1 ... H_{kb-1} = I - Y T Y^T (compact WY).
struct BlockReflector {
  Index k0 = 0;           // first row and column of the panel
  Index kb = 0;           // panel width
  Index rows = 0;         // m - k0
  std::vector<double> y;  // rows x kb, column-major, unit diagonal, zeros above it
  std::vector<double> yt; // y transposed: kb x rows, column-major
  std::vector<double> t;  // kb x kb upper triangular, column-major
};

// Apply H^T (transpose = true) or H to the rows k0.. of columns [c0, c0 + nc) of the
// column-major matrix `mat` (leading dimension ld): M <- M - Y (T' (Y^T M)), T' = T^T or T.
void apply_block(const BlockReflector& h, bool transpose, double* mat, Index ld, Index c0,
                 Index nc, std::vector<double>& w) {
  const Index kb = h.kb;
  double* m = mat + h.k0 + c0 * ld;
  w.resize(static_cast<std::size_t>(kb * nc));
  gemm<false>(kb, nc, h.rows, h.yt.data(), kb, m, ld, w.data(), kb);
  for (Index j = 0; j < nc; ++j) {
    double* wj = w.data() + j * kb;
    if (transpose) {  // w <- T^T w, T upper: row p uses w[0..p], so go downwards
      for (Index p = kb; p-- > 0;) {
        double s = 0;
        for (Index q = 0; q <= p; ++q) s += h.t[q + p * kb] * wj[q];
        wj[p] = s;
      }
    } else {  // w <- T w: row p uses w[p..kb), so go upwards
      for (Index p = 0; p < kb; ++p) {
        double s = 0;
        for (Index q = p; q < kb; ++q) s += h.t[p + q * kb] * wj[q];
        wj[p] = s;
      }
    }
  }
  gemm<true>(h.rows, nc, kb, h.y.data(), h.rows, w.data(), kb, m, ld);
}

// Apply H^T or H to columns [c_begin, c_end) of `mat`, split into column blocks over threads.
void apply_block_parallel(const BlockReflector& h, bool transpose, double* mat, Index ld,
                          Index c_begin, Index c_end, int threads) {
  const Index nc = c_end - c_begin;
  if (nc <= 0) return;
  const auto ntasks = static_cast<std::size_t>((nc + kTaskColumns - 1) / kTaskColumns);
  detail::parallel_for(ntasks, threads, [&](std::size_t task) {
    std::vector<double> w;
    const Index c0 = c_begin + static_cast<Index>(task) * kTaskColumns;
    apply_block(h, transpose, mat, ld, c0, std::min(kTaskColumns, c_end - c0), w);
  });
}

// Householder reflectors of the panel's columns (unblocked), leaving v below the diagonal
// (v[0] = 1 implied) and returning tau and beta = R[j, j] for each column.
void factor_panel(double* a, Index m, Index k0, Index kb, double* tau, double* beta) {
  for (Index j = k0; j < k0 + kb; ++j) {
    double* x = a + j + j * m;  // x = A[j:m, j]
    const Index len = m - j;
    const double alpha = x[0];
    const double tail = len > 1 ? dot(x + 1, x + 1, len - 1) : 0.0;
    if (tail == 0) {  // already upper triangular: H = I
      tau[j] = 0;
      beta[j] = alpha;
      continue;
    }
    // beta = -sign(alpha) ||x|| avoids cancellation in alpha - beta (as LAPACK's dlarfg).
    const double norm = std::sqrt(alpha * alpha + tail);
    const double b = alpha >= 0 ? -norm : norm;
    tau[j] = (b - alpha) / b;
    const double scale = 1.0 / (alpha - b);
    for (Index i = 1; i < len; ++i) x[i] *= scale;
    beta[j] = b;
    // H_j = I - tau v v^T on the panel's remaining columns.
    x[0] = 1.0;
    for (Index c = j + 1; c < k0 + kb; ++c) {
      double* y = a + j + c * m;
      const double s = tau[j] * dot(x, y, len);
      for (Index i = 0; i < len; ++i) y[i] -= s * x[i];
    }
    x[0] = alpha;  // the diagonal is not needed again; Y is built with an explicit 1
  }
}

BlockReflector make_block(const double* a, Index m, Index k0, Index kb, const double* tau) {
  BlockReflector h;
  h.k0 = k0;
  h.kb = kb;
  h.rows = m - k0;
  h.y.assign(static_cast<std::size_t>(h.rows * kb), 0.0);
  for (Index p = 0; p < kb; ++p) {
    double* yp = h.y.data() + p * h.rows;
    yp[p] = 1.0;
    const double* col = a + (k0 + p) * m + k0;
    for (Index i = p + 1; i < h.rows; ++i) yp[i] = col[i];
  }
  h.yt.resize(h.y.size());
  for (Index p = 0; p < kb; ++p) {
    for (Index i = 0; i < h.rows; ++i) h.yt[p + i * kb] = h.y[i + p * h.rows];
  }
  // T (forward, columnwise; Schreiber & Van Loan): T[p, p] = tau_p and
  // T[0:p, p] = -tau_p T[0:p, 0:p] (Y[:, 0:p]^T y_p).
  h.t.assign(static_cast<std::size_t>(kb * kb), 0.0);
  std::vector<double> z(static_cast<std::size_t>(kb));
  for (Index p = 0; p < kb; ++p) {
    const double tp = tau[k0 + p];
    const double* yp = h.y.data() + p * h.rows;
    for (Index q = 0; q < p; ++q) {
      // y_p is zero above row p, so the product starts there.
      z[q] = -tp * dot(h.y.data() + q * h.rows + p, yp + p, h.rows - p);
    }
    for (Index q = 0; q < p; ++q) {
      double s = 0;
      for (Index r = q; r < p; ++r) s += h.t[q + r * kb] * z[r];
      h.t[q + p * kb] = s;
    }
    h.t[p + p * kb] = tp;
  }
  return h;
}

}  // namespace

void orthonormal_factor(double* a, std::int64_t m, std::int64_t n, int threads) {
  const FloatEnvironment ieee;
  std::vector<double> tau(static_cast<std::size_t>(n)), beta(static_cast<std::size_t>(n));
  std::vector<BlockReflector> blocks;
  for (Index k0 = 0; k0 < n; k0 += kPanel) {
    const Index kb = std::min(kPanel, n - k0);
    factor_panel(a, m, k0, kb, tau.data(), beta.data());
    blocks.push_back(make_block(a, m, k0, kb, tau.data()));
    // A[k0:, k0+kb:] <- H^T A[k0:, k0+kb:]
    apply_block_parallel(blocks.back(), /*transpose=*/true, a, m, k0 + kb, n, threads);
  }
  // Q = H_0 H_1 ... [I; 0], accumulated backwards: block b touches only rows and columns
  // from its k0 on, because the later blocks leave the unit columns before it unchanged.
  std::vector<double> q(static_cast<std::size_t>(m * n), 0.0);
  for (Index j = 0; j < n; ++j) q[static_cast<std::size_t>(j + j * m)] = 1.0;
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    apply_block_parallel(*it, /*transpose=*/false, q.data(), m, it->k0, n, threads);
  }
  // Column j times sign(R[j, j]) makes the factorization unique (Mezzadri 2007).
  for (Index j = 0; j < n; ++j) {
    const double s = beta[j] > 0 ? 1.0 : beta[j] < 0 ? -1.0 : 0.0;
    const double* src = q.data() + j * m;
    double* dst = a + j * m;
    for (Index i = 0; i < m; ++i) dst[i] = src[i] * s;
  }
}

}  // namespace weightinit::detail
