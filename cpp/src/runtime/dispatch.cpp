// SPDX-License-Identifier: BSD-3-Clause
// Which kernel target runs: cpuid plus the OS's saved-register check, picked once.

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "runtime/dispatch.hpp"
#include "runtime/thread_pool.hpp"
#include "weightinit/cpu.hpp"

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>
#include <intrin.h>
#define WEIGHTINIT_X86 1
#elif defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define WEIGHTINIT_X86 1
#else
#define WEIGHTINIT_X86 0
#endif

namespace weightinit {
namespace {

#if WEIGHTINIT_X86
void cpuid(unsigned leaf, unsigned sub, unsigned (&r)[4]) {
#if defined(_MSC_VER)
  int regs[4];
  __cpuidex(regs, static_cast<int>(leaf), static_cast<int>(sub));
  for (int i = 0; i < 4; ++i) r[i] = static_cast<unsigned>(regs[i]);
#else
  __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

unsigned long long xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
#endif
}

struct X86Features {
  bool avx2 = false, avx512 = false;
};

X86Features detect_x86() {
  X86Features f;
  unsigned r[4];
  cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  if (max_leaf < 7) return f;
  cpuid(1, 0, r);
  const bool osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1, fma = (r[2] >> 12) & 1;
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = xgetbv0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;     // XMM and YMM state saved
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;   // plus opmask and both ZMM halves
  cpuid(7, 0, r);
  const unsigned ebx = r[1];
  const bool avx2 = (ebx >> 5) & 1, bmi2 = (ebx >> 8) & 1;
  const bool avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1;
  const bool avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
  f.avx2 = os_ymm && avx2 && fma && bmi2;
  f.avx512 = f.avx2 && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}
#endif

std::vector<Target> detect() {
  std::vector<Target> out{Target::kScalar};
#if WEIGHTINIT_X86 && WEIGHTINIT_HAVE_AVX2
  const X86Features f = detect_x86();
  if (f.avx2) out.push_back(Target::kAVX2);
#if WEIGHTINIT_HAVE_AVX512
  if (f.avx512) out.push_back(Target::kAVX512);
#endif
#endif
#if WEIGHTINIT_HAVE_NEON
  out.push_back(Target::kNEON);  // NEON is part of every AArch64 CPU
#endif
  return out;
}

const std::vector<Target>& available() {
  static const std::vector<Target> targets = detect();
  return targets;
}

Target initial_target() {
  const std::vector<Target>& av = available();
  if (const char* env = std::getenv("WEIGHTINIT_TARGET")) {
    const std::string name(env);
    if (!name.empty()) {
      try {
        const Target t = parse_target(name);
        for (Target a : av) {
          if (a == t) return t;
        }
      } catch (const std::invalid_argument&) {
      }
      // An unknown or unavailable target in the environment falls back to the best one;
      // the Python package reports it as a warning.
    }
  }
  return av.back();
}

std::atomic<int> g_target{-1};
std::atomic<int> g_threads{0};

int initial_threads() {
  if (const char* env = std::getenv("WEIGHTINIT_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n >= 1 && n <= kMaxThreads) return static_cast<int>(n);
  }
  const int cpus = detail::usable_cpus();
  return cpus < kMaxThreads ? cpus : kMaxThreads;
}

}  // namespace

const char* target_name(Target t) {
  switch (t) {
    case Target::kScalar: return "scalar";
    case Target::kAVX2: return "avx2";
    case Target::kAVX512: return "avx512";
    case Target::kNEON: return "neon";
  }
  return "unknown";
}

Target parse_target(const std::string& name) {
  for (Target t : {Target::kScalar, Target::kAVX2, Target::kAVX512, Target::kNEON}) {
    if (name == target_name(t)) return t;
  }
  throw std::invalid_argument("target: unknown target '" + name +
                              "'; expected one of scalar, avx2, avx512, neon");
}

std::vector<Target> available_targets() { return available(); }

Target active_target() {
  int t = g_target.load(std::memory_order_relaxed);
  if (t < 0) {
    int expected = -1;
    g_target.compare_exchange_strong(expected, static_cast<int>(initial_target()));
    t = g_target.load(std::memory_order_relaxed);
  }
  return static_cast<Target>(t);
}

void set_active_target(Target t) {
  for (Target a : available()) {
    if (a == t) {
      g_target.store(static_cast<int>(t), std::memory_order_relaxed);
      return;
    }
  }
  throw std::invalid_argument(std::string("target: '") + target_name(t) +
                              "' is not available on this CPU or in this build");
}

int get_num_threads() {
  int n = g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    int expected = 0;
    g_threads.compare_exchange_strong(expected, initial_threads());
    n = g_threads.load(std::memory_order_relaxed);
  }
  return n;
}

void set_num_threads(std::int64_t n) {
  if (n < 1 || n > kMaxThreads) {
    throw std::invalid_argument("num_threads: n must be in [1, " + std::to_string(kMaxThreads) +
                                "] (the maximum), got " + std::to_string(n));
  }
  g_threads.store(static_cast<int>(n), std::memory_order_relaxed);
  // Release the workers a lower count no longer uses: a fill uses n - 1 of them besides its
  // caller, or n when the caller only polls for a cancel (FillControl::poll).
  detail::trim_pool(static_cast<int>(n));
}

namespace detail {
const TargetKernels& target_kernels(Target target) {
  switch (target) {
#if WEIGHTINIT_HAVE_AVX2
    case Target::kAVX2: return target_avx2();
#endif
#if WEIGHTINIT_HAVE_AVX512
    case Target::kAVX512: return target_avx512();
#endif
#if WEIGHTINIT_HAVE_NEON
    case Target::kNEON: return target_neon();
#endif
    default: return target_scalar();
  }
}
}  // namespace detail

}  // namespace weightinit
