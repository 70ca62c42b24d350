// SPDX-License-Identifier: BSD-3-Clause
// Blocked Householder QR (geqrf + orgqr) on the matrix kernels, threaded by output tiles.

#include "linalg/householder.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "runtime/thread_pool.hpp"

namespace weightinit::detail {
namespace {

// Columns per block reflector: the trailing matrix is read and written twice per block, so
// wider blocks mean fewer passes, at the price of more work in the panels (measured on
// 4096 x 2048: 128 beats 64, 96, 192 and 256).
constexpr Index kBlock = 128;
// Panels are split in halves recursively down to this width, then factored column by column.
constexpr Index kLeaf = 8;
// The panel's columns start on 64-byte boundaries (a multiple of this many elements apart):
// its inner products then load whole cache lines.
constexpr Index kAlign = 16;
// Output tiles of a threaded product are multiples of this many rows or columns.
constexpr Index kTileQuantum = 64;
// Products smaller than this (in multiply-adds) run on the calling thread.
constexpr double kMinParallelWork = 1 << 20;

bool worth_threads(Index m, Index n, Index k) {
  return static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) >=
         kMinParallelWork;
}

template <class T>
using View = MatrixView<T>;

template <class T>
struct Ops;
template <>
struct Ops<float> {
  static void gemm(const MatrixKernels& k, const GemmArgs<float>& g) { k.gemm_f32(g); }
  static float dot(const MatrixKernels& k, const float* x, const float* y, Index n) {
    return k.dot_f32(x, y, n);
  }
  static void dots(const MatrixKernels& k, Index m, Index n, Index d, const float* a, Index lda,
                   const float* b, Index ldb, float* c, Index ldc) {
    k.dots_f32(m, n, d, a, lda, b, ldb, c, ldc);
  }
  static void axpy(const MatrixKernels& k, float t, const float* x, float* y, Index n) {
    k.axpy_f32(t, x, y, n);
  }
};
template <>
struct Ops<double> {
  static void gemm(const MatrixKernels& k, const GemmArgs<double>& g) { k.gemm_f64(g); }
  static double dot(const MatrixKernels& k, const double* x, const double* y, Index n) {
    return k.dot_f64(x, y, n);
  }
  static void dots(const MatrixKernels& k, Index m, Index n, Index d, const double* a, Index lda,
                   const double* b, Index ldb, double* c, Index ldc) {
    k.dots_f64(m, n, d, a, lda, b, ldb, c, ldc);
  }
  static void axpy(const MatrixKernels& k, double t, const double* x, double* y, Index n) {
    k.axpy_f64(t, x, y, n);
  }
};

template <class T>
class Householder {
 public:
  Householder(T* a, Index n, Index k, Layout layout, const MatrixKernels& kernels, int threads)
      : a_(layout == Layout::kRowMajor ? View<T>{a, k, 1} : View<T>{a, 1, n}),
        n_(n),
        k_(k),
        row_major_(layout == Layout::kRowMajor),
        kernels_(kernels),
        threads_(threads),
        nblocks_((k + kBlock - 1) / kBlock),
        tau_(static_cast<std::size_t>(k)),
        beta_(static_cast<std::size_t>(k)),
        t_(static_cast<std::size_t>(nblocks_ * kBlock * kBlock)),
        panel_(static_cast<std::size_t>((n + kAlign) * std::min(kBlock, k) + kAlign)),
        w_(static_cast<std::size_t>(kBlock * std::max(k, kBlock))),
        w2_(static_cast<std::size_t>(kBlock * std::max(k, kBlock))) {}

  void run(unsigned char* negative) {
    factor();
    form_q();
    for (Index j = 0; j < k_; ++j) negative[j] = beta_[static_cast<std::size_t>(j)] < 0 ? 1 : 0;
  }

 private:
  void gemm(Index m, Index n, Index k, View<const T> a, View<const T> b, View<T> c,
            bool accumulate, bool subtract) {
    product(m, n, k, a, b, c, accumulate, subtract, kernels_, threads_);
  }

  // C (m x n, column-major) = A^T B with A (k x m) and B (k x n) column-major: every element
  // one dot() of two columns, split over threads by columns of C.
  void inner(Index m, Index n, Index k, View<const T> a, View<const T> b, View<T> c) {
    Index tasks = 1;
    if (threads_ > 1 && worth_threads(m, n, k)) {
      tasks = std::min<Index>(static_cast<Index>(threads_), n / 4);
    }
    if (tasks <= 1) {
      Ops<T>::dots(kernels_, m, n, k, a.p, a.cs, b.p, b.cs, c.p, c.cs);
      return;
    }
    const Index chunk = (n + tasks - 1) / tasks;
    parallel_for(static_cast<std::size_t>(tasks), threads_, [&](std::size_t task) {
      const Index j0 = static_cast<Index>(task) * chunk;
      const Index cols = std::min(chunk, n - j0);
      if (cols <= 0) return;
      Ops<T>::dots(kernels_, m, cols, k, a.p, a.cs, b.p + j0 * b.cs, b.cs, c.p + j0 * c.cs, c.cs);
    });
  }

  // C (m x nc) <- H^T C (transpose) or H C, H = I - V T V^T with V m x jb and T jb x jb upper
  // triangular (zeros below the diagonal stored): W = V^T C, W2 = op(T) W, C -= V W2. W
  // takes C's layout, so that its product with C reads C's contiguous direction. Inside a
  // panel (column-major, at most 64 columns each side) W is a block of inner products of long
  // columns: dots() reads each column once per four outputs, where tiles would be padded.
  void apply_block(View<const T> v, View<const T> t, bool transpose, View<T> c, Index m,
                   Index nc, Index jb, bool in_panel) {
    const bool rows = c.cs == 1;
    const View<T> w = rows ? View<T>{w_.data(), nc, 1} : View<T>{w_.data(), 1, jb};
    const View<T> w2 = rows ? View<T>{w2_.data(), nc, 1} : View<T>{w2_.data(), 1, jb};
    if (in_panel) {
      inner(jb, nc, m, v, c, w);
    } else {
      gemm(jb, nc, m, v.t(), c, w, false, false);
    }
    gemm(jb, nc, jb, transpose ? t.t() : t, w, w2, false, false);
    gemm(m, nc, jb, v, w2, c, true, true);
  }

  View<T> t_block(Index block) { return {t_.data() + block * kBlock * kBlock, 1, kBlock}; }

  // Householder vectors of columns c0 .. c0 + w of the column-major panel p (m rows), one at
  // a time, and their T. Leaves v_j with an explicit 1 on the diagonal and zeros above.
  void leaf(View<T> p, Index m, Index c0, Index w, View<T> t, Index j0) {
    for (Index j = 0; j < w; ++j) {
      const Index col = c0 + j;
      T* x = p.at(col, col);
      const Index len = m - col;
      const T alpha = x[0];
      const T tail = len > 1 ? Ops<T>::dot(kernels_, x + 1, x + 1, len - 1) : T(0);
      T tau = 0, beta = alpha;
      if (tail != 0) {
        // beta = -sign(alpha) ||x|| keeps alpha - beta free of cancellation (LAPACK's larfg).
        const T norm = std::sqrt(alpha * alpha + tail);
        beta = alpha >= 0 ? -norm : norm;
        tau = (beta - alpha) / beta;
        const T scale = T(1) / (alpha - beta);
        for (Index i = 1; i < len; ++i) x[i] *= scale;
      }
      x[0] = 1;
      for (Index c = col + 1; c < c0 + w; ++c) {
        T* y = p.at(col, c);
        const T s = Ops<T>::dot(kernels_, x, y, len);
        Ops<T>::axpy(kernels_, -(tau * s), x, y, len);
      }
      for (Index r = c0; r < col; ++r) *p.at(r, col) = 0;
      tau_[static_cast<std::size_t>(j0 + col)] = tau;
      beta_[static_cast<std::size_t>(j0 + col)] = beta;
    }
    // T (forward, columnwise): T[p, p] = tau_p, T[0:p, p] = -tau_p T[0:p, 0:p] V[:, 0:p]^T v_p,
    // the products over v_p's rows only (it is zero above them).
    T z[kLeaf];
    for (Index q = 0; q < w; ++q) {
      const T tq = tau_[static_cast<std::size_t>(j0 + c0 + q)];
      const Index row = c0 + q;
      for (Index r = 0; r < q; ++r) {
        z[r] = Ops<T>::dot(kernels_, p.at(row, c0 + r), p.at(row, c0 + q), m - row);
      }
      for (Index r = 0; r < q; ++r) {
        T s = 0;
        for (Index u = r; u < q; ++u) s += *t.at(r, u) * z[u];
        *t.at(r, q) = -tq * s;
      }
      *t.at(q, q) = tq;
    }
  }

  // Columns c0 .. c0 + w of the panel p (global column j0 + c0 on), recursively: factor the
  // left half, apply it to the right half, factor that, and join the two T's:
  // T12 = -T11 (V1^T V2) T22.
  void factor_panel(View<T> p, Index m, Index c0, Index w, View<T> t, Index j0) {
    if (w <= kLeaf) {
      leaf(p, m, c0, w, t.sub(c0, c0), j0);
      return;
    }
    const Index w1 = std::min(w - 1, ((w / 2 + kLeaf - 1) / kLeaf) * kLeaf);
    const Index w2 = w - w1;
    factor_panel(p, m, c0, w1, t, j0);
    apply_block(p.sub(c0, c0), t.sub(c0, c0), true, p.sub(c0, c0 + w1), m - c0, w2, w1, true);
    factor_panel(p, m, c0 + w1, w2, t, j0);
    for (Index j = c0 + w1; j < c0 + w; ++j) {
      for (Index i = c0; i < c0 + w1; ++i) *p.at(i, j) = 0;
    }
    const View<T> z{w_.data(), 1, w1}, u{w2_.data(), 1, w1};
    inner(w1, w2, m - c0, p.sub(c0, c0), p.sub(c0, c0 + w1), z);
    gemm(w1, w2, w1, t.sub(c0, c0), z, u, false, false);
    gemm(w1, w2, w2, u, t.sub(c0 + w1, c0 + w1), t.sub(c0, c0 + w1), false, true);
  }

  // Panel rows j0.. of columns j0 .. j0 + jb into the column-major workspace, and back.
  View<T> load_panel(Index j0, Index jb) {
    const Index m = n_ - j0;
    const auto address = reinterpret_cast<std::uintptr_t>(panel_.data());
    T* base = panel_.data() + ((64 - address % 64) % 64) / sizeof(T);
    const View<T> p{base, 1, (m + kAlign - 1) / kAlign * kAlign};
    copy_block(a_.sub(j0, j0), p, m, jb);
    return p;
  }
  void store_panel(View<T> p, Index j0, Index jb) { copy_block(p, a_.sub(j0, j0), n_ - j0, jb); }
  // to = from (m x n), in blocks of rows over the threads.
  void copy_block(View<const T> from, View<T> to, Index m, Index n) {
    constexpr Index kRows = 512;
    const auto tasks = static_cast<std::size_t>((m + kRows - 1) / kRows);
    parallel_for(tasks, m * n >= (Index{1} << 16) ? threads_ : 1, [&](std::size_t task) {
      const Index r0 = static_cast<Index>(task) * kRows;
      copy_rows(from.sub(r0, 0), to.sub(r0, 0), std::min(kRows, m - r0), n);
    });
  }
  static void copy_rows(View<const T> from, View<T> to, Index m, Index n) {
    if (from.rs == 1 && to.rs == 1) {
      for (Index j = 0; j < n; ++j) std::copy(from.at(0, j), from.at(m, j), to.at(0, j));
      return;
    }
    if (from.cs == 1 && to.cs == 1) {
      for (Index i = 0; i < m; ++i) std::copy(from.at(i, 0), from.at(i, n), to.at(i, 0));
      return;
    }
    // A transposing copy, sixteen rows at a time: their lines stay in L1 while the columns
    // are written.
    for (Index i0 = 0; i0 < m; i0 += 16) {
      const Index i1 = std::min(m, i0 + 16);
      for (Index j = 0; j < n; ++j) {
        for (Index i = i0; i < i1; ++i) *to.at(i, j) = *from.at(i, j);
      }
    }
  }

  // geqrf: the block reflectors, V stored in the matrix (explicit unit diagonal, zeros above
  // it within each panel), T in t_, R's diagonal in beta_. R itself is not kept.
  void factor() {
    for (Index b = 0; b < nblocks_; ++b) {
      const Index j0 = b * kBlock, jb = std::min(kBlock, k_ - j0), m = n_ - j0;
      const View<T> t = t_block(b);
      std::fill(t_.begin() + b * kBlock * kBlock, t_.begin() + (b + 1) * kBlock * kBlock, T(0));
      const View<T> p = load_panel(j0, jb);
      factor_panel(p, m, 0, jb, t, j0);
      store_panel(p, j0, jb);
      if (j0 + jb < k_) apply_block(p, t, true, a_.sub(j0, j0 + jb), m, k_ - j0 - jb, jb, false);
    }
  }

  // orgqr: Q = H_0 H_1 ... H_last [I; 0], last block first. Block b acts on rows j0.. only,
  // and on columns j0.. only, because every later block left the columns before it at e_j.
  void form_q() {
    for (Index b = nblocks_; b-- > 0;) {
      const Index j0 = b * kBlock, jb = std::min(kBlock, k_ - j0), m = n_ - j0;
      const View<T> t = t_block(b);
      const View<T> v = a_.sub(j0, j0);  // V as geqrf left it
      if (j0 + jb < k_) apply_block(v, t, false, a_.sub(j0, j0 + jb), m, k_ - j0 - jb, jb, false);
      // The block's own columns: H [I; 0] = E - V (T V1^T), V1 the top jb x jb of V.
      const View<T> mt{w2_.data(), 1, jb};
      gemm(jb, jb, jb, t, v.t(), mt, false, false);
      form_block_columns(j0, jb, mt);
    }
  }

  // Columns j0 .. j0 + jb of Q from the V stored there: zero above row j0 (the blocks before
  // fill those rows in), E - V M from row j0 on, a block of rows at a time through a copy
  // of its V (the result overwrites it).
  void form_block_columns(Index j0, Index jb, View<const T> mt) {
    constexpr Index kRows = 256;
    for (Index i = 0; i < j0; ++i) {
      for (Index j = j0; j < j0 + jb; ++j) *a_.at(i, j) = 0;
    }
    const Index m = n_ - j0;
    const auto tasks = static_cast<std::size_t>((m + kRows - 1) / kRows);
    const int threads = worth_threads(m, jb, jb) ? threads_ : 1;
    parallel_for(tasks, threads, [&](std::size_t task) {
      const Index r0 = static_cast<Index>(task) * kRows, rows = std::min(kRows, m - r0);
      std::vector<T> buf(static_cast<std::size_t>(rows * jb));
      const View<T> block = a_.sub(j0 + r0, j0);
      const View<T> v = row_major_ ? View<T>{buf.data(), jb, 1} : View<T>{buf.data(), 1, rows};
      copy_rows(block, v, rows, jb);
      for (Index i = 0; i < rows; ++i) {
        for (Index j = 0; j < jb; ++j) *block.at(i, j) = r0 + i == j ? T(1) : T(0);
      }
      product<T>(rows, jb, jb, v, mt, block, true, true, kernels_, 1);
    });
  }

  View<T> a_;
  Index n_, k_;
  bool row_major_;
  const MatrixKernels& kernels_;
  int threads_;
  Index nblocks_;
  std::vector<T> tau_, beta_, t_, panel_, w_, w2_;
};

}  // namespace

template <class T>
void product(Index m, Index n, Index k, MatrixView<const T> a, MatrixView<const T> b,
             MatrixView<T> c, bool accumulate, bool subtract, const MatrixKernels& kernels,
             int threads) {
  if (m <= 0 || n <= 0) return;
  if (c.rs != 1) {  // the kernels write column-major C (every C here has rs or cs 1)
    product(n, m, k, b.t(), a.t(), c.t(), accumulate, subtract, kernels, threads);
    return;
  }
  GemmArgs<T> g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a.p;
  g.a_rs = a.rs;
  g.a_cs = a.cs;
  g.b = b.p;
  g.b_rs = b.rs;
  g.b_cs = b.cs;
  g.c = c.p;
  g.ldc = c.cs;
  g.accumulate = accumulate;
  g.subtract = subtract;
  const bool split_rows = m >= n;
  const Index extent = split_rows ? m : n;
  Index tasks = 1;
  if (threads > 1 && worth_threads(m, n, k)) {
    const Index quanta = (extent + kTileQuantum - 1) / kTileQuantum;
    tasks = std::min<Index>(4 * static_cast<Index>(threads), quanta);
  }
  if (tasks <= 1) {
    Ops<T>::gemm(kernels, g);
    return;
  }
  const Index per_task = (extent + tasks - 1) / tasks;
  const Index chunk = (per_task + kTileQuantum - 1) / kTileQuantum * kTileQuantum;
  tasks = (extent + chunk - 1) / chunk;
  parallel_for(static_cast<std::size_t>(tasks), threads, [&](std::size_t task) {
    const Index begin = static_cast<Index>(task) * chunk;
    const Index size = std::min(chunk, extent - begin);
    GemmArgs<T> part = g;
    if (split_rows) {
      part.m = size;
      part.a = g.a + begin * g.a_rs;
      part.c = g.c + begin;
    } else {
      part.n = size;
      part.b = g.b + begin * g.b_cs;
      part.c = g.c + begin * g.ldc;
    }
    Ops<T>::gemm(kernels, part);
  });
}

template <class T>
void householder_q(T* a, Index n, Index k, Layout layout, unsigned char* negative,
                   const MatrixKernels& kernels, int threads) {
  Householder<T>(a, n, k, layout, kernels, threads).run(negative);
}

template void product<float>(Index, Index, Index, MatrixView<const float>,
                             MatrixView<const float>, MatrixView<float>, bool, bool,
                             const MatrixKernels&, int);
template void product<double>(Index, Index, Index, MatrixView<const double>,
                              MatrixView<const double>, MatrixView<double>, bool, bool,
                              const MatrixKernels&, int);
template void householder_q<float>(float*, Index, Index, Layout, unsigned char*,
                                   const MatrixKernels&, int);
template void householder_q<double>(double*, Index, Index, Layout, unsigned char*,
                                    const MatrixKernels&, int);

}  // namespace weightinit::detail
