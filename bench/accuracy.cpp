// SPDX-License-Identifier: BSD-3-Clause
// Accuracy of the normal and truncated-normal transforms, against references that share no
// code with the library.
//
//   accuracy f32 normal|A,B [--stride S] [--start W] [--threads N] [--target T] [--vs T2]
//       Every 32-bit word (or every S-th, from W) through the kernel of the float32 law
//       N(0, 1) truncated to [A, B] (A, B may be inf, -inf), against the exact quantile
//       interval of the word: word w stands for the probabilities
//       [Φ(A) + w 2^-32 Δ, Φ(A) + (w + 1) 2^-32 Δ], Δ = Φ(B) - Φ(A), so its value should lie
//       in [Q(lo), Q(hi)]. Prints the worst distance outside that interval in float32 ulps,
//       the descents of the output as the word grows, distinct values, and the words that
//       give exactly 0. --vs T2 also compares every word's bits with target T2 (with
//       --identity 1 only that, no reference: a fast exhaustive bit-identity check).
//       --bits31 1: stream v1's float path, where a word stands for k = w >> 1 of 2^31.
//   accuracy f64 normal|A,B [--samples N] [--seed S] [--target T] [--bits52 1]
//       float64: N words from the stream (seed S) plus the extreme words, against a
//       long-double reference (below) at the element's probability (W + 1/2) 2^-64
//       (--bits52 1: stream v1's (k + 1/2) 2^-52 from the top 52 bits); prints the worst ulp.
//   accuracy ref-dump FILE [--samples N]
//       Writes the float64 reference on a sample of words to FILE (text), for the mpmath
//       cross-check in bench/accuracy_mpmath.py.
//
// References. float32: Wichura's AS 241 (PPND16, about 1e-16 relative) in double with the
// C library's log and sqrt, fed the centred value q = u - 1/2 and the tails u, 1 - u in
// double, from law constants computed in long double with glibc's erfl / erfcl; that is
// 10^8 times finer than a float32 ulp. float64: the same start, then one Newton step on Φ in long double
// (x87, 64-bit significand) with glibc's erfcl / erfl / expl, which leaves about 1e-19
// relative. bench/accuracy_mpmath.py checks both references against mpmath.
//
// Build: cmake -DWEIGHTINIT_BUILD_BENCH=ON (or the tests, which run strided sweeps with
// --max-ulp / --max-descents: exit status 1 above them). Run full sweeps niced: they keep
// two cores busy for many minutes.

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/dispatch.hpp"
#include "fill/setup.hpp"
#include "weightinit/weightinit.hpp"

namespace {

using weightinit::DType;
using weightinit::Distribution;

// --- the reference quantile -------------------------------------------------------------

// AS 241 PPND16 (Wichura, Applied Statistics 37(3), 1988): central region in q = p - 1/2.
double ppnd16_central(double q) {
  const double r = 0.180625 - q * q;
  return q *
         (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
              45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
           133.14166789178437745) * r + 3.387132872796366608) /
         (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
              21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
           42.313330701600911252) * r + 1.0);
}

// PPND16's tails: the quantile magnitude for a tail probability t < 0.075.
double ppnd16_tail(double t) {
  double r = std::sqrt(-std::log(t));
  if (r <= 5.0) {
    r -= 1.6;
    return (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r +
                 0.24178072517745061177) * r + 1.27045825245236838258) * r +
               3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r +
            1.42343711074968357734) /
           (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
                 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
               0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r +
            1.0);
  }
  r -= 5.0;
  return (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
               0.0012426609473880784386) * r + 0.026532189526576123093) * r +
             0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r +
          6.6579046435011037772) /
         (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
               1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
             0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r +
          1.0);
}

// A law N(0, 1) on [a, b] in long double: Φ(a), Φ(-b), Δ and c = 1/2 - Φ(a), each from the
// side that keeps its relative precision.
struct RefLaw {
  long double pa, qb, delta, c, m;  // m = Δ/2 - c: the centred value at U = 1/2
};

long double phi_lower(long double x) {  // Φ(x)
  if (x == -INFINITY) return 0.0L;
  if (x == INFINITY) return 1.0L;
  return 0.5L * std::erfc(-x / std::sqrt(2.0L));
}

long double half_minus_phi(long double x) {  // 1/2 - Φ(x) = -erf(x / sqrt 2) / 2
  if (x == -INFINITY) return 0.5L;
  if (x == INFINITY) return -0.5L;
  return -0.5L * std::erf(x / std::sqrt(2.0L));
}

RefLaw ref_law(double a, double b) {
  RefLaw r;
  r.pa = phi_lower(a);
  r.qb = phi_lower(-static_cast<long double>(b));
  r.c = half_minus_phi(a);
  if (a < 0 && b > 0) {
    r.delta = half_minus_phi(a) - half_minus_phi(b);  // both terms' signs differ: a sum
  } else if (a >= 0) {
    r.delta = phi_lower(-static_cast<long double>(a)) - r.qb;
  } else {
    r.delta = phi_lower(b) - r.pa;
  }
  r.m = r.delta / 2 - r.c;
  if (a == -INFINITY && b == INFINITY) r.m = 0;
  return r;
}

// The quantile of the law at position U (in [0, 1]) of its probability mass; Uc = 1 - U
// and Qc = U - 1/2, each exact where it is small (the caller forms all three from the word).
double ref_quantile(const RefLaw& law, long double U, long double Uc, long double Qc) {
  const long double q = Qc * law.delta + law.m;
  if (std::fabs(static_cast<double>(q)) <= 0.425) return ppnd16_central(static_cast<double>(q));
  if (q < 0) {
    const long double t = law.pa + U * law.delta;
    return t <= 0 ? -INFINITY : -ppnd16_tail(static_cast<double>(t));
  }
  const long double t = law.qb + Uc * law.delta;
  return t <= 0 ? INFINITY : ppnd16_tail(static_cast<double>(t));
}

// The law's constants rounded to double, for the float32 sweeps (2^32 evaluations).
struct RefLawD {
  double pa, qb, delta, m;
};

RefLawD ref_law_d(const RefLaw& l) {
  return {static_cast<double>(l.pa), static_cast<double>(l.qb), static_cast<double>(l.delta),
          static_cast<double>(l.m)};
}

// The quantile at the lower boundary of 32-bit word w (w = 2^32: the top), in double: U,
// 1 - U and U - 1/2 are exact, and m is 0 for windows symmetric about 0, so the centred
// value keeps its relative precision (the sweeps' laws have m = 0 or |q| >= |m| - Δ/2 > 0).
double ref_boundary32(const RefLawD& law, std::uint64_t w) {
  const double U = static_cast<double>(w) * 0x1p-32;
  const double q = (static_cast<double>(w) - 0x1p31) * 0x1p-32 * law.delta + law.m;
  if (std::fabs(q) <= 0.425) return ppnd16_central(q);
  if (q < 0) {
    const double t = law.pa + U * law.delta;
    return t <= 0 ? -INFINITY : -ppnd16_tail(t);
  }
  const double t = law.qb + static_cast<double>((std::uint64_t{1} << 32) - w) * 0x1p-32 * law.delta;
  return t <= 0 ? INFINITY : ppnd16_tail(t);
}

// float64 reference: the quantile at U, refined by one Newton step in long double.
long double ref_quantile_ld(const RefLaw& law, long double U, long double Uc, long double Qc) {
  const long double z0 = ref_quantile(law, U, Uc, Qc);
  if (!std::isfinite(static_cast<double>(z0))) return z0;
  const long double sqrt2 = std::sqrt(2.0L);
  const long double density = std::exp(-0.5L * z0 * z0) / std::sqrt(2.0L * 3.14159265358979323846264338327950288L);
  const long double q = Qc * law.delta + law.m;
  long double resid;  // Φ(z0) - u, from the side where it keeps its precision
  if (std::fabs(q) <= 0.425L) {
    resid = 0.5L * std::erf(z0 / sqrt2) - q;
  } else if (q < 0) {
    resid = 0.5L * std::erfc(-z0 / sqrt2) - (law.pa + U * law.delta);
  } else {
    resid = (law.qb + Uc * law.delta) - 0.5L * std::erfc(z0 / sqrt2);
  }
  return z0 - resid / density;
}

// Spacing of the float32 (or float64) numbers at the magnitude of x.
double ulp32(double x) {
  const double ax = std::fabs(x);
  if (ax < 0x1p-126) return 0x1p-149;
  int e;
  std::frexp(ax, &e);  // ax = m 2^e, m in [1/2, 1)
  return std::ldexp(1.0, e - 24);
}

long double ulp64(long double x) {
  const long double ax = std::fabs(x);
  if (ax < 0x1p-1022L) return 0x1p-1074L;
  int e;
  std::frexp(ax, &e);
  return std::ldexp(1.0L, e - 53);
}

// --- the kernel under test ----------------------------------------------------------------

struct Options {
  std::string mode, law = "normal";
  double a = -INFINITY, b = INFINITY;
  std::uint64_t stride = 1, start = 0, samples = 10000000, seed = 12345;
  int threads = 2;
  bool bits52 = false, bits31 = false, per_word = false, identity = false;
  double max_ulp = INFINITY;                               // --max-ulp: fail above
  std::uint64_t max_descents = ~std::uint64_t{0};          // --max-descents: fail above
  std::string target, vs, file;
};

Distribution law_of(const Options& o) {
  if (o.a == -INFINITY && o.b == INFINITY) return Distribution::normal(0.0, 1.0);
  return Distribution::truncated_normal(0.0, 1.0, o.a, o.b);
}

weightinit::detail::WordsFn words_fn(const std::string& target, DType dtype,
                                     weightinit::detail::Transform tr) {
  if (!target.empty()) weightinit::set_active_target(weightinit::parse_target(target));
  return weightinit::detail::active_kernels().words[static_cast<int>(dtype)][tr];
}

constexpr std::uint64_t kBlock = 1u << 16;  // words per block (a multiple of the group, 64)

struct Stats32 {
  double worst = 0;
  std::uint64_t worst_word = 0;
  float worst_value = 0;
  double worst_lo = 0, worst_hi = 0;
  std::uint64_t over1 = 0, over2 = 0, over4 = 0;
  std::uint64_t descents = 0;
  double worst_descent = 0;  // ulps
  std::uint64_t descent_word = 0;
  std::uint64_t zeros = 0, words = 0, mismatches = 0;
  float min = INFINITY, max = -INFINITY;

  void merge(const Stats32& o) {
    if (o.worst > worst) {
      worst = o.worst;
      worst_word = o.worst_word;
      worst_value = o.worst_value;
      worst_lo = o.worst_lo;
      worst_hi = o.worst_hi;
    }
    over1 += o.over1;
    over2 += o.over2;
    over4 += o.over4;
    descents += o.descents;
    if (o.worst_descent > worst_descent) {
      worst_descent = o.worst_descent;
      descent_word = o.descent_word;
    }
    zeros += o.zeros;
    words += o.words;
    mismatches += o.mismatches;
    min = std::fmin(min, o.min);
    max = std::fmax(max, o.max);
  }
};

int run_f32(const Options& o) {
  const Distribution dist = law_of(o);
  const weightinit::detail::LawSetup setup = weightinit::detail::law_setup(dist, DType::kFloat32);
  const auto fn = words_fn(o.target, DType::kFloat32, setup.transform);
  const std::string target = weightinit::target_name(weightinit::active_target());
  const auto fn_vs = o.vs.empty() ? nullptr : words_fn(o.vs, DType::kFloat32, setup.transform);
  const RefLawD law = ref_law_d(ref_law(o.a, o.b));
  const std::uint64_t total = ((std::uint64_t{1} << 32) - o.start + o.stride - 1) / o.stride;
  const std::uint64_t nblocks = (total + kBlock - 1) / kBlock;
  // Distinct values: one bit per float32 bit pattern (512 MiB), exhaustive sweeps only.
  const bool distinct = o.stride == 1 && o.start == 0 && !o.identity;
  std::vector<std::atomic<std::uint64_t>> seen(distinct ? (std::uint64_t{1} << 26) : 0);
  std::atomic<std::uint64_t> next{0};
  std::mutex mu;
  Stats32 all;
  auto worker = [&]() {
    Stats32 st;
    std::vector<std::uint32_t> w(kBlock + 64);
    std::vector<float> y(kBlock + 64), y2(kBlock + 64);
    for (std::uint64_t blk; (blk = next.fetch_add(1)) < nblocks;) {
      // Element 0 is the word before the block (for the descent check), then the block.
      const std::uint64_t first = blk * kBlock;
      const std::uint64_t n = std::min(kBlock, total - first);
      const std::uint64_t ngroups = (n + 1 + 63) / 64;
      for (std::uint64_t i = 0; i < ngroups * 64; ++i) {
        const std::uint64_t k = first + i;  // sample index + 1
        const std::uint64_t word = o.start + (k == 0 ? 0 : (k - 1)) * o.stride;
        w[i] = static_cast<std::uint32_t>(std::min<std::uint64_t>(word, 0xffffffffu));
      }
      fn(setup.args, w.data(), ngroups, y.data());
      if (fn_vs != nullptr) {
        fn_vs(setup.args, w.data(), ngroups, y2.data());
        for (std::uint64_t i = 1; i <= n; ++i) {
          st.mismatches += static_cast<std::uint64_t>(std::memcmp(&y[i], &y2[i], 4) != 0);
        }
      }
      if (o.identity) {
        st.words += n;
        continue;
      }
      // Per word: descents, zeros, range, distinct values.
      for (std::uint64_t i = 1; i <= n; ++i) {
        const float v = y[i];
        if (!(first == 0 && i == 1) && v < y[i - 1]) {
          ++st.descents;
          const double d = (static_cast<double>(y[i - 1]) - v) / ulp32(v);
          if (d > st.worst_descent) {
            st.worst_descent = d;
            st.descent_word = w[i];
          }
        }
        st.zeros += v == 0;
        st.min = std::fmin(st.min, v);
        st.max = std::fmax(st.max, v);
        if (distinct) {
          std::uint32_t bits;
          std::memcpy(&bits, &v, 4);
          seen[bits >> 6].fetch_or(std::uint64_t{1} << (bits & 63), std::memory_order_relaxed);
        }
      }
      // Distance outside the word's interval [Q(lo), Q(hi)]. A run of consecutive words with
      // the same value v is within e ulps of every word's interval if and only if it is so
      // for the largest lower end (the run's last word) and the smallest upper end (its
      // first word), Q being monotone: two references per run, not per word. Runs that
      // reach beyond 1 ulp are then counted word by word.
      auto error_of = [&](float v, double lo, double hi) {
        double err = 0;
        if (v < lo) err = (lo - v) / ulp32(lo);
        if (v > hi) err = std::fmax(err, (v - hi) / ulp32(hi));  // a run: lo may pass hi
        return v == v ? err : INFINITY;
      };
      auto bounds = [&](std::uint32_t word, double& lo, double& hi) {
        if (o.bits31) {  // the word stands for k = w >> 1: boundaries 2k and 2k + 2
          lo = ref_boundary32(law, word & ~1u);
          hi = ref_boundary32(law, (word & ~1u) + std::uint64_t{2});
        } else {
          lo = ref_boundary32(law, word);
          hi = ref_boundary32(law, std::uint64_t{word} + 1);
        }
      };
      const bool runs = o.stride == 1 && !o.bits31 && !o.per_word;
      for (std::uint64_t i = 1; i <= n;) {
        std::uint64_t j = i;
        if (runs) {
          while (j < n && std::memcmp(&y[j + 1], &y[i], 4) == 0) ++j;
        }
        const float v = y[i];
        double lo, hi, lo_i, hi_i;
        bounds(w[j], lo, hi);
        bounds(w[i], lo_i, hi_i);
        const double err = error_of(v, lo, hi_i);
        auto note = [&](double e, std::uint32_t word, double l, double h) {
          if (e > st.worst) {
            st.worst = e;
            st.worst_word = word;
            st.worst_value = v;
            st.worst_lo = l;
            st.worst_hi = h;
          }
        };
        if (err <= 0.5) {
          // Every word of the run is within 1 ulp (the ulp of its own interval's ends is at
          // least half the run's).
          note(err, w[i], lo_i, hi_i);
        } else {
          for (std::uint64_t k = i; k <= j; ++k) {
            double l, h;
            bounds(w[k], l, h);
            const double e = error_of(v, l, h);
            note(e, w[k], l, h);
            st.over1 += e > 1;
            st.over2 += e > 2;
            st.over4 += e > 4;
          }
        }
        i = j + 1;
      }
      st.words += n;
    }
    std::lock_guard<std::mutex> lock(mu);
    all.merge(st);
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < o.threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  std::uint64_t ndistinct = 0;
  for (auto& s : seen) ndistinct += static_cast<std::uint64_t>(__builtin_popcountll(s.load()));

  const char* kernel = setup.transform == weightinit::detail::kNormalWide  ? "double"
                       : setup.transform == weightinit::detail::kNormalFar ? "far (log-space)"
                                                                           : "float";
  std::printf("law: N(0,1) on [%g, %g], float32, %s kernel, target %s\n", o.a, o.b, kernel,
              target.c_str());
  std::printf("words: %llu (from %llu, stride %llu)\n", static_cast<unsigned long long>(all.words),
              static_cast<unsigned long long>(o.start), static_cast<unsigned long long>(o.stride));
  std::printf("worst: %.3f ulp outside the word's interval, word %llu gives %.9g, interval [%.17g, %.17g]\n",
              all.worst, static_cast<unsigned long long>(all.worst_word), all.worst_value,
              all.worst_lo, all.worst_hi);
  std::printf("words over 1 / 2 / 4 ulp: %llu / %llu / %llu\n",
              static_cast<unsigned long long>(all.over1), static_cast<unsigned long long>(all.over2),
              static_cast<unsigned long long>(all.over4));
  std::printf("descents: %llu (largest %.3f ulp, at word %llu)\n",
              static_cast<unsigned long long>(all.descents), all.worst_descent,
              static_cast<unsigned long long>(all.descent_word));
  if (distinct) std::printf("distinct values: %llu\n", static_cast<unsigned long long>(ndistinct));
  std::printf("words giving 0: %llu\n", static_cast<unsigned long long>(all.zeros));
  std::printf("range: [%.9g, %.9g]\n", all.min, all.max);
  if (fn_vs != nullptr) {
    std::printf("words whose bits differ from target %s: %llu\n", o.vs.c_str(),
                static_cast<unsigned long long>(all.mismatches));
  }
  const bool ok = all.mismatches == 0 && (o.identity || (all.worst <= o.max_ulp &&
                                                          all.descents <= o.max_descents));
  if (!ok) std::printf("FAIL\n");
  return ok ? 0 : 1;
}

// --- float64 ------------------------------------------------------------------------------

// The extreme 64-bit words: both ends, around the middle, and powers of two.
std::vector<std::uint64_t> extreme_words() {
  std::vector<std::uint64_t> out;
  for (std::uint64_t k = 0; k < 64; ++k) {
    out.push_back(k);
    out.push_back(~k);
    out.push_back((std::uint64_t{1} << 63) + k);
    out.push_back((std::uint64_t{1} << 63) - 1 - k);
    out.push_back(std::uint64_t{1} << k);
    out.push_back(~(std::uint64_t{1} << k));
    out.push_back((std::uint64_t{1} << k) - 1);
  }
  return out;
}

// The probability a float64 element's 64-bit word W stands for: U = (W + 1/2) 2^-64 and
// Uc = 1 - U, each rounded to long double (exact where it is below 1/2). bits52: the top 52
// bits only, U = (k + 1/2) 2^-52 (stream v1).
void element_u64(std::uint64_t w, bool bits52, long double& U, long double& Uc, long double& Qc) {
  if (bits52) {
    const std::uint64_t k = w >> 12;
    U = (static_cast<long double>(k) + 0.5L) * 0x1p-52L;
    Uc = (static_cast<long double>((std::uint64_t{1} << 52) - 1 - k) + 0.5L) * 0x1p-52L;
    Qc = (static_cast<long double>(static_cast<std::int64_t>(k) - (std::int64_t{1} << 51)) + 0.5L) * 0x1p-52L;
    return;
  }
  U = (static_cast<long double>(w) + 0.5L) * 0x1p-64L;
  Uc = (static_cast<long double>(~w) + 0.5L) * 0x1p-64L;
  // W - 2^63 as a signed integer; plus 1/2 it has at most 64 significant bits.
  Qc = (static_cast<long double>(static_cast<std::int64_t>(w ^ (std::uint64_t{1} << 63))) + 0.5L) * 0x1p-64L;
}

int run_f64(const Options& o) {
  const Distribution dist = law_of(o);
  const weightinit::detail::LawSetup setup = weightinit::detail::law_setup(dist, DType::kFloat64);
  const auto fn = words_fn(o.target, DType::kFloat64, setup.transform);
  const RefLaw law = ref_law(o.a, o.b);
  std::vector<std::uint64_t> words = extreme_words();
  const std::uint64_t n_extreme = words.size();
  const std::uint64_t n = (o.samples + 31) / 32 * 32;
  words.resize(n_extreme + n);
  weightinit::fill(Distribution::bits(), {o.seed, 0, 0}, DType::kUInt64, 0, n,
                   words.data() + n_extreme);
  words.resize((words.size() + 31) / 32 * 32, 0);
  std::vector<double> y(words.size());
  fn(setup.args, words.data(), words.size() / 32, y.data());
  double worst = 0, worst_value = 0;
  long double worst_ref = 0;
  std::uint64_t worst_word = 0, over[9] = {};
  double sum = 0;
  for (std::size_t i = 0; i < n_extreme + n; ++i) {
    const std::uint64_t w = words[i];
    long double U, Uc, Qc;
    element_u64(w, o.bits52, U, Uc, Qc);
    const long double ref = ref_quantile_ld(law, U, Uc, Qc);
    const double err = static_cast<double>(std::fabs(y[i] - ref) / ulp64(ref));
    sum += err;
    for (int k = 0; k < 9; ++k) over[k] += err > k;
    if (err > worst) {
      worst = err;
      worst_word = w;
      worst_value = y[i];
      worst_ref = ref;
    }
  }
  std::printf("law: N(0,1) on [%g, %g], float64, target %s\n", o.a, o.b,
              weightinit::target_name(weightinit::active_target()));
  std::printf("words: %llu stream words (seed %llu) + %llu extreme words\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(o.seed),
              static_cast<unsigned long long>(n_extreme));
  std::printf("worst: %.3f ulp, word 0x%016llx gives %.17g, reference %.21Lg\n", worst,
              static_cast<unsigned long long>(worst_word), worst_value, worst_ref);
  std::printf("mean: %.3f ulp; words over 1..8 ulp:", sum / static_cast<double>(n_extreme + n));
  for (int k = 1; k < 9; ++k) std::printf(" %llu", static_cast<unsigned long long>(over[k]));
  std::printf("\n");
  if (worst > o.max_ulp) std::printf("FAIL\n");
  return worst <= o.max_ulp ? 0 : 1;
}

// A sample of the float64 reference, for bench/accuracy_mpmath.py: "word hex, reference".
int run_ref_dump(const Options& o) {
  const RefLaw law = ref_law(o.a, o.b);
  std::vector<std::uint64_t> words = extreme_words();
  const std::uint64_t n_extreme = words.size();
  words.resize(n_extreme + (o.samples + 31) / 32 * 32);
  weightinit::fill(Distribution::bits(), {o.seed, 0, 0}, DType::kUInt64, 0,
                   words.size() - n_extreme, words.data() + n_extreme);
  std::FILE* f = std::fopen(o.file.c_str(), "w");
  if (f == nullptr) {
    std::perror(o.file.c_str());
    return 1;
  }
  const RefLawD law_d = ref_law_d(law);
  std::fprintf(f, "# a b: %.17g %.17g\n", o.a, o.b);
  for (std::uint64_t w : words) {
    long double U, Uc, Qc;
    element_u64(w, false, U, Uc, Qc);
    // Also the float32 reference at the lower boundary of the top 32 bits as a word.
    const std::uint32_t w32 = static_cast<std::uint32_t>(w >> 32);
    std::fprintf(f, "%016llx %.21Lg %08x %.17g\n", static_cast<unsigned long long>(w),
                 ref_quantile_ld(law, U, Uc, Qc), w32, ref_boundary32(law_d, w32));
  }
  std::fclose(f);
  return 0;
}

double parse_bound(const std::string& s) {
  if (s == "inf") return INFINITY;
  if (s == "-inf") return -INFINITY;
  return std::stod(s);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc < 3) {
    std::fprintf(stderr, "usage: accuracy f32|f64 normal|A,B [options] | accuracy ref-dump FILE\n");
    return 2;
  }
  o.mode = argv[1];
  int i = 2;
  if (o.mode == "ref-dump") {
    o.file = argv[2];
  } else {
    o.law = argv[2];
    if (o.law != "normal") {
      const std::size_t comma = o.law.find(',');
      o.a = parse_bound(o.law.substr(0, comma));
      o.b = parse_bound(o.law.substr(comma + 1));
    }
  }
  for (i = 3; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--stride") o.stride = std::stoull(v);
    else if (k == "--start") o.start = std::stoull(v);
    else if (k == "--threads") o.threads = std::stoi(v);
    else if (k == "--target") o.target = v;
    else if (k == "--vs") o.vs = v;
    else if (k == "--samples") o.samples = std::stoull(v);
    else if (k == "--seed") o.seed = std::stoull(v);
    else if (k == "--bits52") o.bits52 = v == "1";
    else if (k == "--bits31") o.bits31 = v == "1";
    else if (k == "--per-word") o.per_word = v == "1";
    else if (k == "--identity") o.identity = v == "1";
    else if (k == "--max-ulp") o.max_ulp = std::stod(v);
    else if (k == "--max-descents") o.max_descents = std::stoull(v);
    else if (k == "--law") {
      const std::size_t comma = v.find(',');
      o.a = parse_bound(v.substr(0, comma));
      o.b = parse_bound(v.substr(comma + 1));
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (o.mode == "f32") return run_f32(o);
  if (o.mode == "f64") return run_f64(o);
  if (o.mode == "ref-dump") return run_ref_dump(o);
  std::fprintf(stderr, "unknown mode %s\n", o.mode.c_str());
  return 2;
}
