// SPDX-License-Identifier: BSD-3-Clause
// The floating-point environment every fill and factorization computes in, whatever the caller's.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(_M_X64) || defined(__SSE2__)
#include <xmmintrin.h>
#define WEIGHTINIT_FENV_SSE 1
#else
#define WEIGHTINIT_FENV_SSE 0
#endif
#if defined(__aarch64__) && !defined(_MSC_VER)
#define WEIGHTINIT_FENV_AARCH64 1
#else
#define WEIGHTINIT_FENV_AARCH64 0
#endif

namespace weightinit::detail {

/// For its lifetime, the calling thread computes with IEEE-754's defaults: round to nearest
/// even, subnormals neither flushed to zero (FTZ / FZ) nor read as zero (DAZ); the caller's
/// settings, status flags included, come back on destruction.
///
/// Hosts change them on the threads they call us from: XLA runs computations, and the host
/// callbacks inside them (jax.pure_callback), with FTZ and DAZ set; torch.set_flush_denormal
/// sets them; -ffast-math programs start with them. Under those modes a fill would not write
/// the bits docs/streams.md specifies, and the nextafter walks that find a dtype's clamp
/// bounds never end (with DAZ, the subnormal next to 0 compares equal to 0).
class FloatEnvironment {
 public:
  FloatEnvironment() noexcept {
#if WEIGHTINIT_FENV_SSE
    saved_ = _mm_getcsr();
    // MXCSR bit 15 FTZ, bit 6 DAZ, bits 13-14 rounding control; masks and flags kept.
    const unsigned int clean = saved_ & ~(0x8000u | 0x0040u | 0x6000u);
    if (clean != saved_) _mm_setcsr(clean);
#elif WEIGHTINIT_FENV_AARCH64
    std::uint64_t fpcr;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    saved_ = fpcr;
    // FPCR bit 24 FZ, bit 19 FZ16, bits 22-23 RMode.
    const std::uint64_t clean = fpcr & ~((std::uint64_t{1} << 24) | (std::uint64_t{1} << 19) |
                                         (std::uint64_t{3} << 22));
    if (clean != fpcr) __asm__ __volatile__("msr fpcr, %0" : : "r"(clean));
#endif
  }

  ~FloatEnvironment() {
#if WEIGHTINIT_FENV_SSE
    _mm_setcsr(saved_);
#elif WEIGHTINIT_FENV_AARCH64
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved_));
#endif
  }

  FloatEnvironment(const FloatEnvironment&) = delete;
  FloatEnvironment& operator=(const FloatEnvironment&) = delete;

 private:
#if WEIGHTINIT_FENV_SSE
  unsigned int saved_ = 0;
#elif WEIGHTINIT_FENV_AARCH64
  std::uint64_t saved_ = 0;
#endif
};

}  // namespace weightinit::detail
