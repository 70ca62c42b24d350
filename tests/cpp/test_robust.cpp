// SPDX-License-Identifier: BSD-3-Clause
// ctest: the library under misuse, faults and load. Refusals (overflow, far-tail and
// unresolvable windows), the reach constants against the kernels' own quantile function,
// cancellation, thread bounds and release, thread-start failure, and a pool stress test
// (concurrent fills, thread counts and targets changing underneath, cancellations), which
// .ci/run also runs under ThreadSanitizer.
//
//   test_robust [--stress-only] [--stress-rounds N]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "normal_cdf.hpp"
#include "stream_reach.hpp"
#include "thread_pool.hpp"
#include "weightinit/weightinit.hpp"

// The kernels' own elementary functions, compiled here for the host (scalar) target.
namespace kernel_math {
#include "math-inl.hpp"
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WEIGHTINIT_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WEIGHTINIT_TEST_SANITIZED 1
#endif
#endif
#ifndef WEIGHTINIT_TEST_SANITIZED
#define WEIGHTINIT_TEST_SANITIZED 0
#endif

namespace wi = weightinit;
using Clock = std::chrono::steady_clock;

namespace {

int g_failures = 0;
int g_checks = 0;

void check(bool ok, const std::string& what) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

// The message of the std::invalid_argument `fn` throws, or "" if it throws nothing.
template <class Fn>
std::string refusal(Fn&& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what()[0] != '\0' ? e.what() : "?";
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

const char* name(wi::DType d) {
  switch (d) {
    case wi::DType::kFloat32: return "float32";
    case wi::DType::kFloat64: return "float64";
    case wi::DType::kFloat16: return "float16";
    case wi::DType::kBFloat16: return "bfloat16";
    default: return "words";
  }
}

double decode(wi::DType d, const unsigned char* p) {
  switch (d) {
    case wi::DType::kFloat32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case wi::DType::kFloat64: {
      double f;
      std::memcpy(&f, p, 8);
      return f;
    }
    case wi::DType::kBFloat16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      const std::uint32_t x = std::uint32_t{h} << 16;
      float f;
      std::memcpy(&f, &x, 4);
      return f;
    }
    default: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      const int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
      const double sign = (h >> 15) ? -1.0 : 1.0;
      if (exp == 0x1f) return man ? std::nan("") : sign * HUGE_VAL;
      if (exp == 0) return sign * std::ldexp(man, -24);
      return sign * std::ldexp(man | 0x400, exp - 25);
    }
  }
}

double max_finite(wi::DType d) {
  switch (d) {
    case wi::DType::kFloat32: return std::numeric_limits<float>::max();
    case wi::DType::kFloat64: return std::numeric_limits<double>::max();
    case wi::DType::kBFloat16: return 3.3895313892515355e38;
    default: return 65504.0;
  }
}

// Fill `count` values of `dtype` and decode them.
std::vector<double> draw(const wi::Distribution& d, wi::DType dtype, std::uint64_t count,
                         std::uint64_t seed = 1) {
  std::vector<unsigned char> buf(count * static_cast<std::size_t>(wi::dtype_size(dtype)));
  wi::fill(d, {seed, 0, 0}, dtype, 0, count, buf.data());
  std::vector<double> out(count);
  for (std::uint64_t i = 0; i < count; ++i) out[i] = decode(dtype, buf.data() + i * wi::dtype_size(dtype));
  return out;
}

constexpr wi::DType kFloats[] = {wi::DType::kFloat16, wi::DType::kBFloat16, wi::DType::kFloat32,
                                 wi::DType::kFloat64};

// --- the reach bound against the kernels ------------------------------------------------

void test_reach() {
  using wi::detail::kReachMargin;
  using wi::detail::upper_reach;
  const double inf = std::numeric_limits<double>::infinity();
  // The float32 kernel's largest |z|: its smallest tail input x = t 2^33 = 1 (t = 2^-33).
  const double z_f32 = kernel_math::quantile_abs_f32(1.0f, false);
  std::printf("reach: float32 kernel |z| <= %.8f, bound %.6f\n", z_f32, upper_reach(-inf));
  check(std::fabs(z_f32 - 6.33795786) < 1e-6, "float32 kernel's largest |z| is 6.33795786");
  check(z_f32 * (1 + kReachMargin) < upper_reach(-inf), "float32 kernel within the reach bound");
  // The float64 kernel's largest |z|: t = 2^-65 (word 0 of 64 bits, U = 2^-65).
  const double t64 = 0x1p-65;
  const double z_f64 = kernel_math::ndtri_abs_f64(0.5 - t64, kernel_math::sqrt_f64(-kernel_math::log_f64(t64)));
  std::printf("reach: float64 kernel |z| <= %.6f\n", z_f64);
  check(std::fabs(z_f64 - 9.1553) < 1e-3, "float64 kernel's largest |z| is 9.1553");
  check(z_f64 * (1 + kReachMargin) < upper_reach(-inf), "float64 kernel within the reach bound");
  // The bound for one-sided windows [a, inf): the tail beyond it holds at most 2^-65 of the
  // window's mass (ln S, our own, in log space for far windows).
  for (double a : {-3.0, 0.0, 0.5, 2.0, 5.0, 10.0, 37.0, 100.0, 1e4}) {
    const double r = upper_reach(a);
    const double ratio = wi::detail::log_normal_sf(r) - wi::detail::log_normal_sf(std::max(a, 0.0));
    check(ratio < -65 * 0.6931471805599453, "reach bound leaves at most 2^-65 of [" + std::to_string(a) + ", inf)");
  }
}

// --- one overflow policy ------------------------------------------------------------------

void test_overflow_policy() {
  for (wi::DType d : kFloats) {
    const double m = max_finite(d);
    const std::string range = std::string(name(d)) + " range [";
    const double zmax = wi::detail::upper_reach(-std::numeric_limits<double>::infinity());
    // Normal: refused just above the reach, accepted just below it, and never inf.
    const double sd_over = m / zmax * (1 + 0x1p-16), sd_under = m / zmax * (1 - 0x1p-16);
    std::string msg = refusal([&] { draw(wi::Distribution::normal(0, sd_over), d, 64); });
    check(contains(msg, "mean, stddev: values reach") && contains(msg, range),
          std::string("normal beyond the reach refused, naming the range: ") + name(d) + ": " + msg);
    msg = refusal([&] { draw(wi::Distribution::normal(m * 0.999, m * 0.01), d, 64); });
    check(contains(msg, range), std::string("normal near the top refused: ") + name(d));
    bool finite = true;
    for (double v : draw(wi::Distribution::normal(0, sd_under), d, 1 << 16)) finite = finite && std::isfinite(v);
    check(finite, std::string("normal just inside the reach: all finite: ") + name(d));
    // Uniform: [low, high) must lie in the range.
    if (d == wi::DType::kFloat64) {  // every finite bound is in range; the width may not be
      msg = refusal([&] { draw(wi::Distribution::uniform(-m, m), d, 64); });
      check(contains(msg, "high - low overflows float64"), "uniform wider than float64: " + msg);
    } else {
      msg = refusal([&] { draw(wi::Distribution::uniform(-m * 1.001, 0), d, 64); });
      check(contains(msg, "low, high") && contains(msg, range), std::string("uniform below the range: ") + name(d));
      msg = refusal([&] { draw(wi::Distribution::uniform(0, m * 1.001), d, 64); });
      check(contains(msg, range), std::string("uniform above the range: ") + name(d));
    }
    // Up to the top of the range (float32 arithmetic must hold high - low).
    finite = true;
    for (double v : draw(wi::Distribution::uniform(d == wi::DType::kFloat16 ? -m : 0, m), d, 1 << 16)) {
      finite = finite && std::isfinite(v) && v < m;
    }
    check(finite, std::string("uniform up to the largest finite value: finite, below high: ") + name(d));
    // Truncated normal: the law's bounds clamp first, then the reach counts.
    msg = refusal([&] { draw(wi::Distribution::truncated_normal(0, m / 1.5, -2, 2), d, 64); });
    check(contains(msg, range), std::string("truncated normal with bounds beyond the range: ") + name(d));
    finite = true;
    for (double v : draw(wi::Distribution::truncated_normal(0, m / 2.5, -2, 2), d, 1 << 14)) {
      finite = finite && std::isfinite(v);
    }
    check(finite, std::string("truncated normal inside the range: ") + name(d));
    finite = true;  // bounds far beyond the range, the reach inside it: accepted
    for (double v : draw(wi::Distribution::truncated_normal(0, sd_under, -1e3, 1e3), d, 1 << 14)) {
      finite = finite && std::isfinite(v);
    }
    check(finite, std::string("truncated normal, unreachable bounds: ") + name(d));
  }
  // A one-sided tail reaches further than the untruncated normal: [5, inf) up to
  // sqrt(25 + 132 ln 2) = 10.79.
  const double z_tail = wi::detail::upper_reach(5);
  check(z_tail > 10.7 && z_tail < 10.9, "one-sided tail reach bound is about 10.79");
  const double inf = std::numeric_limits<double>::infinity();
  check(contains(refusal([&] { draw(wi::Distribution::truncated_normal(0, 65504 / z_tail * 1.001, 5, inf),
                                     wi::DType::kFloat16, 64); }),
                 "float16 range"),
        "one-sided tail beyond float16 refused");
  bool finite = true;
  for (double v : draw(wi::Distribution::truncated_normal(0, 65504 / z_tail * 0.999, 5, inf),
                       wi::DType::kFloat16, 1 << 16)) {
    finite = finite && std::isfinite(v);
  }
  check(finite, "one-sided tail inside float16 accepted, finite");
}

// --- windows at any distance ------------------------------------------------------------

// Values of dtype d (float32 or float64) in [a, b], counted up to `cap`.
int values_in(wi::DType d, double a, double b, int cap) {
  const double inf = std::numeric_limits<double>::infinity();
  auto next = [&](double x) {
    return d == wi::DType::kFloat64 ? std::nextafter(x, inf)
                                    : static_cast<double>(std::nextafter(static_cast<float>(x), HUGE_VALF));
  };
  double x = d == wi::DType::kFloat64 ? a : static_cast<double>(static_cast<float>(a));
  if (x < a) x = next(x);
  int values = 0;
  for (; x <= b && values < cap; ++values) x = next(x);
  return values;
}

void test_windows() {
  const double inf = std::numeric_limits<double>::infinity();
  // Far, narrow and one-sided windows: drawn exactly (finite, inside, not a constant).
  struct Far {
    double mean, sd, a, b;
    bool between;
    wi::DType d;
  } far[] = {
      {0, 1, 100, 100.0005, false, wi::DType::kFloat64},
      {0, 1, 60, 60.0001, false, wi::DType::kFloat64},
      {0, 1, 500, 500.000001, false, wi::DType::kFloat64},
      {0, 1, 37, 37.0005, false, wi::DType::kFloat64},
      {0, 1, 37, 37.0005, false, wi::DType::kFloat32},
      {0, 1, -37.0005, -37, false, wi::DType::kFloat64},
      {0, 1, 1000, 1001, false, wi::DType::kFloat32},
      {0, 1, -inf, -60, false, wi::DType::kFloat64},
      {0, 1, 40, 41, false, wi::DType::kFloat16},
      {0, 1, 0, 1e-17, false, wi::DType::kFloat64},
  };
  for (const Far& c : far) {
    const wi::Distribution law = c.between ? wi::Distribution::truncated_normal_between(c.mean, c.sd, c.a, c.b)
                                           : wi::Distribution::truncated_normal(c.mean, c.sd, c.a, c.b);
    std::vector<double> v;
    const std::string msg = refusal([&] { v = draw(law, c.d, 256); });
    char what[160];
    std::snprintf(what, sizeof what, "window (%g, %g, %.17g, %.17g) %s", c.mean, c.sd, c.a, c.b, name(c.d));
    check(msg.empty(), std::string(what) + " drawn: " + msg);
    if (!msg.empty()) continue;
    bool ok = true;
    for (double x : v) ok = ok && std::isfinite(x) && x >= c.a && x <= c.b;
    check(ok, std::string(what) + ": finite, inside");
    const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
    check(*lo_it < *hi_it, std::string(what) + ": not a constant");
  }
  // Windows that hold no value of the dtype: refused, naming a and b.
  struct Empty {
    double a, b;
    wi::DType d;
  } empty[] = {
      {0.1, 0.1 + 1e-9, wi::DType::kFloat32},
      {70000, 80000, wi::DType::kFloat16},
      {0.3 + 1e-17, 0.3 + 2e-17, wi::DType::kFloat64},
  };
  for (const Empty& c : empty) {
    const std::string msg = refusal([&] { draw(wi::Distribution::truncated_normal(0, 1, c.a, c.b), c.d, 64); });
    check(contains(msg, "a, b:"), std::string("window holding no value refused: ") + name(c.d) + ": " + msg);
  }
  // A sweep of windows over the whole line: each gives finite values inside it, and is refused
  // only when it holds no value of the dtype; a constant only when it is at most 16 values wide.
  int accepted = 0, refused = 0, single = 0;
  for (wi::DType d : {wi::DType::kFloat32, wi::DType::kFloat64}) {
    for (double a = -41.0; a <= 41.0; a += 0.37) {
      for (double w : {1e-15, 1e-14, 1e-13, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.5, 3.0, inf}) {
        const double b = a + w;
        if (!(b > a)) continue;  // a >= b is refused as such (tested elsewhere)
        char what[120];
        std::snprintf(what, sizeof what, "window [%.17g, %.17g] %s", a, b, name(d));
        std::vector<double> v;
        const std::string msg = refusal([&] { v = draw(wi::Distribution::truncated_normal(0, 1, a, b), d, 256); });
        const int values = values_in(d, a, b, 17);
        if (!msg.empty()) {
          ++refused;
          check(values == 0, std::string(what) + ": refused although it holds a value: " + msg);
          continue;
        }
        ++accepted;
        bool ok = true;
        for (double x : v) ok = ok && std::isfinite(x) && x >= a && x <= b;
        check(ok, std::string(what) + ": finite, inside");
        const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
        if (*lo_it == *hi_it) {
          ++single;
          // The kernels' quantile is within a few ulp of exact (docs/streams.md §5.5): a window
          // narrower than that may collapse onto one value, no wider one.
          check(values <= 16, std::string(what) + ": a constant although it holds many values");
        }
      }
    }
  }
  std::printf("window sweep: %d accepted (%d constant, each at most 16 values wide), %d refused (no value)\n", accepted,
              single, refused);
}

// --- cancellation -------------------------------------------------------------------------

void test_cancel() {
  const std::uint64_t n = std::uint64_t{1} << 26;  // 256 MiB of float32
  std::unique_ptr<float[]> buf(new float[n]);
  const wi::Distribution u = wi::Distribution::uniform(1, 2);
  // Stopped mid-fill: a law drawn by the double kernel (~200 ms for the buffer on 2 cores),
  // so a stop a few ms in lands long before the last element even with more threads than
  // cores.
  const wi::Distribution slow = wi::Distribution::truncated_normal(0, 1, 3, 8);
  const wi::Stream s{7, 0, 0};
  for (int threads : {1, 2, 4}) {
    wi::set_num_threads(threads);
    const std::string at = " (" + std::to_string(threads) + " threads)";
    // Already cancelled: nothing is written.
    buf[0] = buf[n - 1] = -1.0f;
    std::atomic<bool> cancel{true};
    wi::FillControl control;
    control.cancel = &cancel;
    bool cancelled = false;
    try {
      wi::fill(u, s, wi::DType::kFloat32, 0, n, buf.get(), control);
    } catch (const wi::FillCancelled&) {
      cancelled = true;
    }
    check(cancelled && buf[0] == -1.0f && buf[n - 1] == -1.0f, "a set cancel flag stops before writing" + at);
    // Cancelled from another thread while running: it stops early and says so.
    cancel = false;
    std::atomic<bool> started{false};
    Clock::time_point t_cancel;
    std::thread canceller([&] {
      while (!started.load()) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      t_cancel = Clock::now();
      cancel = true;
    });
    cancelled = false;
    double latency = -1;
    control.poll = [&] {
      started = true;
      return false;
    };
    control.poll_interval = std::chrono::milliseconds(1);
    try {
      wi::fill(slow, s, wi::DType::kFloat32, 0, n, buf.get(), control);
    } catch (const wi::FillCancelled&) {
      cancelled = true;
      latency = ms_since(t_cancel);
    }
    started = true;
    canceller.join();
    check(cancelled && buf[n - 1] == -1.0f, "a cancel flag set during the fill stops it" + at);
    std::printf("cancel flag -> FillCancelled: %.2f ms%s\n", latency, at.c_str());
    // A poll that says stop, and a poll that throws.
    control.cancel = nullptr;
    int polls = 0;
    control.poll = [&] { return ++polls == 2; };
    cancelled = false;
    try {
      wi::fill(slow, s, wi::DType::kFloat32, 0, n, buf.get(), control);
    } catch (const wi::FillCancelled&) {
      cancelled = true;
    }
    check(cancelled && polls == 2 && buf[n - 1] == -1.0f, "poll returning true stops the fill" + at);
    control.poll = []() -> bool { throw std::runtime_error("from poll"); };
    std::string what;
    try {
      wi::fill(u, s, wi::DType::kFloat32, 0, n, buf.get(), control);
    } catch (const wi::FillCancelled&) {
      what = "FillCancelled";
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    check(what == "from poll", "an exception from poll is rethrown" + at);
    // And the pool is healthy afterwards: a controlled fill that is not stopped completes.
    control.poll = [] { return false; };
    wi::fill(u, s, wi::DType::kFloat32, 0, n, buf.get(), control);
    std::vector<float> ref(4096);
    wi::fill(u, s, wi::DType::kFloat32, n - ref.size(), ref.size(), ref.data());
    check(std::memcmp(ref.data(), buf.get() + n - ref.size(), ref.size() * 4) == 0,
          "after cancellations, a full fill is right" + at);
  }
}

// --- thread bounds ------------------------------------------------------------------------

int os_threads() {
#if defined(__linux__)
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (const dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
#else
  return -1;
#endif
}

// pthread_join returns once the kernel clears the thread's tid, a moment before the thread
// leaves /proc/self/task: wait (at most 10 s) for the listing to reach `want`.
int os_threads_settled(int want) {
  int n = os_threads();
  for (int i = 0; i < 1000 && n > want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = os_threads();
  }
  return n;
}

void test_threads() {
  for (std::int64_t n : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{wi::kMaxThreads} + 1,
                         std::int64_t{100000}, std::int64_t{1} << 31, INT64_MAX}) {
    const std::string msg = refusal([&] { wi::set_num_threads(n); });
    check(contains(msg, "n must be in [1, 256]") && contains(msg, std::to_string(n)),
          "set_num_threads(" + std::to_string(n) + ") refused: " + msg);
  }
  check(refusal([] { wi::set_num_threads(wi::kMaxThreads); }).empty(), "set_num_threads(kMaxThreads)");
  std::vector<float> buf(std::size_t{1} << 22);
  const wi::Distribution nd = wi::Distribution::normal(0, 1);
  wi::set_num_threads(1);
  wi::fill(nd, {3, 0, 0}, wi::DType::kFloat32, 0, buf.size(), buf.data());
  const std::vector<float> ref = buf;
  wi::set_num_threads(6);
  wi::fill(nd, {3, 0, 0}, wi::DType::kFloat32, 0, buf.size(), buf.data());
  check(buf == ref, "6 threads == 1 thread");
  const int with6 = os_threads();
  check(wi::detail::pool_workers() == 5, "6 threads: 5 pool workers");
  wi::set_num_threads(2);
  check(wi::detail::pool_workers() == 2, "lowering to 2 releases workers at once (keeps 2)");
  if (with6 > 0) check(os_threads_settled(with6 - 3) == with6 - 3, "lowering to 2 ends 3 OS threads");
  wi::fill(nd, {3, 0, 0}, wi::DType::kFloat32, 0, buf.size(), buf.data());
  check(buf == ref && wi::detail::pool_workers() == 2, "2 threads after lowering");
  // With a poll callback, a long fill's caller only polls: 2 workers do the work.
  wi::FillControl polled;
  int polls = 0;
  polled.poll = [&polls] { return ++polls < 0; };
  polled.poll_interval = std::chrono::milliseconds(0);
  wi::fill(nd, {3, 0, 0}, wi::DType::kFloat32, 0, buf.size(), buf.data(), polled);
  check(buf == ref && wi::detail::pool_workers() == 2, "polled fill on 2 workers");
  wi::set_num_threads(1);
  wi::fill(nd, {3, 0, 0}, wi::DType::kFloat32, 0, buf.size(), buf.data(), polled);
  check(buf == ref && wi::detail::pool_workers() == 1, "polled fill, 1 thread: 1 worker");
  wi::set_num_threads(2);
  // The maximum works (the pool starts 255 workers) and lowering releases them again.
  wi::set_num_threads(wi::kMaxThreads);
  std::vector<float> big(std::size_t{1} << 25);
  wi::fill(nd, {3, 0, 0}, wi::DType::kFloat32, 0, big.size(), big.data());
  check(std::memcmp(big.data(), ref.data(), ref.size() * 4) == 0, "256 threads == 1 thread");
  check(wi::detail::pool_workers() == wi::kMaxThreads - 1, "256 threads: 255 workers");
  wi::set_num_threads(2);
  check(wi::detail::pool_workers() == 2, "lowering from 256 releases 253 workers");
}

#if defined(__linux__) && !WEIGHTINIT_TEST_SANITIZED
// Where the OS refuses threads (an address-space limit that thread stacks overrun), a fill
// raises a clear error, keeps no thread it started, writes nothing, and works again with
// fewer threads. In a child process, whose limit dies with it.
void test_thread_start_failure() {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<float> buf(std::size_t{1} << 24, -1.0f);
    wi::set_num_threads(1);
    const int before = os_threads();
    rlimit lim{};
    getrlimit(RLIMIT_AS, &lim);
    long pages = 0, rss = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2) pages = 0;
      std::fclose(f);
    }
    // Room for a few thread stacks (8 MiB each by default), not for 63.
    lim.rlim_cur = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (40 << 20);
    if (pages == 0 || setrlimit(RLIMIT_AS, &lim) != 0) _exit(3);
    wi::set_num_threads(64);
    std::string what;
    try {
      wi::fill(wi::Distribution::uniform(0, 1), {1, 0, 0}, wi::DType::kFloat32, 0, buf.size(), buf.data());
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    const bool clear = contains(what, "cannot start worker thread") && contains(what, "set_num_threads");
    const bool untouched = buf[0] == -1.0f && buf[buf.size() - 1] == -1.0f;
    const int after = os_threads();
    const bool no_leak = after == before && wi::detail::pool_workers() == 0;
    wi::set_num_threads(2);
    wi::fill(wi::Distribution::uniform(0, 1), {1, 0, 0}, wi::DType::kFloat32, 0, buf.size(), buf.data());
    std::vector<float> ref(16);
    wi::fill(wi::Distribution::uniform(0, 1), {1, 0, 0}, wi::DType::kFloat32, buf.size() - 16, 16, ref.data());
    const bool works = std::memcmp(ref.data(), buf.data() + buf.size() - 16, 64) == 0;
    std::printf("thread start failure: \"%s\"; OS threads %d before, %d after\n", what.c_str(), before, after);
    std::fflush(stdout);
    _exit((clear ? 0 : 4) | (untouched ? 0 : 8) | (no_leak ? 0 : 16) | (works ? 0 : 32));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  check(code != 3, "child set its address-space limit");
  check((code & 4) == 0 && code != 255, "thread start failure: a clear error");
  check((code & 8) == 0 && code != 255, "thread start failure: nothing written");
  check((code & 16) == 0 && code != 255, "thread start failure: no thread left behind");
  check((code & 32) == 0 && code != 255, "thread start failure: fewer threads work afterwards");
}
#endif

#if defined(__linux__) && !WEIGHTINIT_TEST_SANITIZED
// fork() while another thread's fill runs and its poll waits for a lock that the forking
// thread holds (Python: the GIL, held by os.fork). The fork returns in both processes, the
// fill completes, and the child fills on a pool of its own. Run in a child process that a
// watchdog ends after 60 s, so that a regression (the pool's fork handler waiting for the
// fill: a deadlock) fails instead of hanging ctest.
void test_fork_during_fill() {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    wi::set_num_threads(2);
    const std::uint64_t n = std::uint64_t{1} << 25;
    std::unique_ptr<float[]> buf(new float[n]);
    const wi::Distribution law = wi::Distribution::normal(0, 1);
    std::mutex gil;
    std::atomic<bool> started{false};
    wi::FillControl control;
    control.poll = [&] {
      started = true;
      const std::lock_guard<std::mutex> lock(gil);
      return false;
    };
    control.poll_interval = std::chrono::milliseconds(1);
    std::unique_lock<std::mutex> held(gil);
    std::thread filler(
        [&] { wi::fill(law, {3, 0, 0}, wi::DType::kFloat32, 0, n, buf.get(), control); });
    while (!started.load()) std::this_thread::yield();
    const pid_t grandchild = fork();  // the fill runs; its poll waits for `gil`, held here
    if (grandchild == 0) {
      std::vector<float> a(std::size_t{1} << 21), b(a.size());
      wi::fill(law, {5, 0, 0}, wi::DType::kFloat32, 0, a.size(), a.data());
      wi::set_num_threads(1);
      wi::fill(law, {5, 0, 0}, wi::DType::kFloat32, 0, b.size(), b.data());
      _exit(std::memcmp(a.data(), b.data(), a.size() * 4) == 0 ? 0 : 4);
    }
    held.unlock();
    filler.join();
    std::vector<float> ref(4096);
    wi::fill(law, {3, 0, 0}, wi::DType::kFloat32, n - ref.size(), ref.size(), ref.data());
    const bool right = std::memcmp(ref.data(), buf.get() + n - ref.size(), ref.size() * 4) == 0;
    int status = 0;
    waitpid(grandchild, &status, 0);
    const bool child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    _exit((right ? 0 : 8) | (child_ok ? 0 : 16));
  }
  int status = 0;
  const Clock::time_point t0 = Clock::now();
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (ms_since(t0) > 60000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  std::printf("fork during a fill: %s\n", code == 255 ? "hung or crashed" : "returned");
  check(code != 255, "fork during a fill returns in both processes");
  check((code & 8) == 0 && code != 255, "fork during a fill: the fill is right");
  check((code & 16) == 0 && code != 255, "fork during a fill: the child fills on a new pool");
}
#endif

#if defined(__linux__)
// A poll that ends its thread (pthread_exit: a forced unwind through the fill) stops the
// fill; the pool's helpers finish before the thread's stack goes, and the unwind is not
// swallowed (that aborts: "FATAL: exception not rethrown"). Python ends threads so at exit.
void test_poll_ends_its_thread() {
  wi::set_num_threads(2);
  const std::uint64_t n = std::uint64_t{1} << 25;
  std::unique_ptr<float[]> buf(new float[n]);
  for (std::uint64_t i = 0; i < n; ++i) buf[i] = -1.0f;
  struct Args {
    float* out;
    std::uint64_t n;
    int polls;
  } args{buf.get(), n, 0};
  pthread_t t;
  const auto body = [](void* p) -> void* {
    auto* a = static_cast<Args*>(p);
    wi::FillControl control;
    control.poll = [a]() -> bool {
      if (++a->polls == 2) pthread_exit(nullptr);
      return false;
    };
    control.poll_interval = std::chrono::milliseconds(1);
    wi::fill(wi::Distribution::truncated_normal(0, 1, 3, 8), {7, 0, 0}, wi::DType::kFloat32, 0,
             a->n, a->out, control);
    return p;  // not reached: the fill outlasts two polls
  };
  check(pthread_create(&t, nullptr, body, &args) == 0, "start a thread");
  void* result = &args;
  pthread_join(t, &result);
  check(result == PTHREAD_CANCELED || result == nullptr, "the poll ended its thread");
  check(args.polls == 2 && buf[n - 1] == -1.0f, "the fill stopped when its thread ended");
  // The pool is free and right: a fill on every thread completes.
  const wi::Distribution u = wi::Distribution::uniform(1, 2);
  wi::fill(u, {7, 0, 0}, wi::DType::kFloat32, 0, n, buf.get());
  std::vector<float> ref(4096);
  wi::set_num_threads(1);
  wi::fill(u, {7, 0, 0}, wi::DType::kFloat32, n - ref.size(), ref.size(), ref.data());
  check(std::memcmp(ref.data(), buf.get() + n - ref.size(), ref.size() * 4) == 0,
        "after a thread ended in its poll, fills are right");
}
#endif

// --- the pool under load ------------------------------------------------------------------

// Fills from several threads at once while thread counts and targets change and some fills
// are cancelled: every completed fill equals its one-thread reference.
void test_stress(int rounds) {
  struct Job {
    wi::Distribution dist;
    wi::DType dtype;
    std::uint64_t first, count;
    std::uint64_t seed;
    std::vector<unsigned char> ref;
  };
  std::mt19937_64 rng(12345);
  std::vector<Job> jobs;
  const wi::Distribution laws[] = {wi::Distribution::uniform(-1, 1), wi::Distribution::normal(0, 2),
                                   wi::Distribution::truncated_normal(0, 1, -2, 2),
                                   wi::Distribution::truncated_normal(0, 1, 3, 8)};
  wi::set_num_threads(1);
  for (int i = 0; i < 24; ++i) {
    // A few jobs of 2^20 elements or more: with a poll callback their caller only polls.
    const std::uint64_t count = i % 8 == 0 ? (std::uint64_t{1} << 20) + rng() % 100000 : 1 + rng() % 300000;
    Job j{laws[rng() % 4], kFloats[rng() % 4], rng() % 100000, count, rng(), {}};
    j.ref.resize(j.count * static_cast<std::size_t>(wi::dtype_size(j.dtype)));
    wi::fill(j.dist, {j.seed, 0, 0}, j.dtype, j.first, j.count, j.ref.data());
    jobs.push_back(std::move(j));
  }
  const std::vector<wi::Target> targets = wi::available_targets();
  std::atomic<bool> done{false};
  std::atomic<int> mismatches{0}, completed{0}, cancelled{0};
  std::thread toggler([&] {
    std::mt19937 r(7);
    while (!done.load()) {
      wi::set_num_threads(1 + static_cast<int>(r() % 4));
      wi::set_active_target(targets[r() % targets.size()]);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::vector<std::thread> fillers;
  for (int f = 0; f < 4; ++f) {
    fillers.emplace_back([&, f] {
      std::mt19937 r(100 + f);
      for (int k = 0; k < rounds; ++k) {
        const Job& j = jobs[r() % jobs.size()];
        std::vector<unsigned char> out(j.ref.size());
        std::atomic<bool> stop{false};
        wi::FillControl control;
        const bool cancel_it = f == 3 && k % 2 == 0;
        if (f == 2) {  // polled, never stopped
          control.poll = [] { return false; };
          control.poll_interval = std::chrono::milliseconds(0);
        }
        if (cancel_it) {
          control.cancel = &stop;
          control.poll = [&stop] {
            stop = true;  // stop at the first poll
            return false;
          };
          control.poll_interval = std::chrono::milliseconds(0);
        }
        try {
          wi::fill(j.dist, {j.seed, 0, 0}, j.dtype, j.first, j.count, out.data(), control);
          ++completed;
          if (out != j.ref) ++mismatches;
        } catch (const wi::FillCancelled&) {
          ++cancelled;
        }
      }
    });
  }
  for (std::thread& t : fillers) t.join();
  done = true;
  toggler.join();
  wi::set_active_target(targets.back());
  std::printf("stress: %d fills completed, %d cancelled, %d mismatches\n", completed.load(),
              cancelled.load(), mismatches.load());
  check(mismatches == 0, "stress: every completed fill equals its one-thread reference");
  check(completed >= 3 * rounds, "stress: fills completed");
}

}  // namespace

int main(int argc, char** argv) {
  bool stress_only = false;
  int rounds = 40;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--stress-only") stress_only = true;
    if (a == "--stress-rounds" && i + 1 < argc) rounds = std::atoi(argv[++i]);
  }
  const int threads = wi::get_num_threads();
  if (!stress_only) {
    test_reach();
    test_overflow_policy();
    test_windows();
    test_cancel();
    test_threads();
#if defined(__linux__) && !WEIGHTINIT_TEST_SANITIZED
    test_thread_start_failure();
    test_fork_during_fill();
#endif
#if defined(__linux__)
    test_poll_ends_its_thread();
#endif
  }
  test_stress(rounds);
  wi::set_num_threads(threads);
  std::printf("%d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
