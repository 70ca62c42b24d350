// SPDX-License-Identifier: BSD-3-Clause
// Dense matrix kernels for the Householder QR: one table per target, same bits on all.
#pragma once

#include <cstdint>

namespace weightinit::detail {

using Index = std::int64_t;

/// One serial matrix product C = A B, C + A B or C - A B, in precision T (float or double).
///
/// A is m x k with element (i, l) at a[i * a_rs + l * a_cs]; B is k x n likewise; C is
/// m x n column-major (element (i, j) at c[i + j * ldc]). Every element of C is computed as
///     s = accumulate ? c_ij : +0;  for l = 0, 1, ..., k - 1:  s = fma(a_il, +-b_lj, s);
/// with fma the IEEE fused multiply-add (one rounding) and the minus sign when `subtract`.
/// That sequence does not depend on the target, the tiling or the caller's split of C, so
/// neither do the bits. A and B may not overlap C.
template <class T>
struct GemmArgs {
  Index m = 0, n = 0, k = 0;
  const T* a = nullptr;
  Index a_rs = 0, a_cs = 0;
  const T* b = nullptr;
  Index b_rs = 0, b_cs = 0;
  T* c = nullptr;
  Index ldc = 0;
  bool accumulate = false;
  bool subtract = false;
};

/// A target's matrix kernels. Each is serial; the caller splits work over threads.
///
/// dot(x, y, n): sixteen partial sums s_r, r = 0..15, each over the i with i mod 16 == r in
/// increasing i, as s_r = fma(x_i, y_i, s_r), with x and y taken as zero from n up to the
/// next multiple of 16; then s_r += s_{r+8}, s_r += s_{r+4}, s_r += s_{r+2}, s_0 + s_1.
/// dots(m, n, k, a, lda, b, ldb, c, ldc): c[i + j * ldc] = dot(a + i * lda, b + j * ldb, k)
/// for i < m, j < n (inner products of contiguous columns, for short and wide products).
/// axpy(t, x, y, n): y_i = fma(t, x_i, y_i).
struct MatrixKernels {
  void (*gemm_f32)(const GemmArgs<float>& args);
  void (*gemm_f64)(const GemmArgs<double>& args);
  float (*dot_f32)(const float* x, const float* y, Index n);
  double (*dot_f64)(const double* x, const double* y, Index n);
  void (*dots_f32)(Index m, Index n, Index k, const float* a, Index lda, const float* b,
                   Index ldb, float* c, Index ldc);
  void (*dots_f64)(Index m, Index n, Index k, const double* a, Index lda, const double* b,
                   Index ldb, double* c, Index ldc);
  void (*axpy_f32)(float t, const float* x, float* y, Index n);
  void (*axpy_f64)(double t, const double* x, double* y, Index n);
};

}  // namespace weightinit::detail
