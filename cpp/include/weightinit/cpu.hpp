// SPDX-License-Identifier: BSD-3-Clause
// Kernel targets: which instruction sets this build carries, which the CPU runs, which is used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weightinit {

/// A kernel target. Every target writes exactly the bits of kScalar.
enum class Target { kScalar = 0, kAVX2 = 1, kAVX512 = 2, kNEON = 3 };

/// The target's lower-case name: "scalar", "avx2", "avx512", "neon".
const char* target_name(Target t);

/// Targets compiled into this build that this CPU and OS can run, scalar first.
std::vector<Target> available_targets();

/// The target fills use. Picked once, on first use: the best available target, unless the
/// environment variable WEIGHTINIT_TARGET names another available one.
Target active_target();

/// Force `t` for later fills (tests, benchmarks). Throws std::invalid_argument if `t` is
/// not available. Thread-safe; a fill already running finishes on its old target.
void set_active_target(Target t);

/// Parse a target name; throws std::invalid_argument naming the valid ones.
Target parse_target(const std::string& name);

/// Most threads a fill may use. Fills are memory-bound: every machine's memory system
/// saturates long before this many threads, while each thread reserves a stack (8 MiB of
/// address space by default) and costs a start-up. Output never depends on it.
inline constexpr int kMaxThreads = 256;

/// Worker threads fills may use, in [1, kMaxThreads]. Default: the CPUs this process may run
/// on (at most kMaxThreads), or WEIGHTINIT_NUM_THREADS when it is an integer in that range.
/// Output never depends on it.
int get_num_threads();

/// Set the thread count for later fills. Throws std::invalid_argument (naming n and the
/// maximum) unless 1 <= n <= kMaxThreads. Lowering it joins the pool's surplus threads now,
/// or when the fill running at the time ends.
void set_num_threads(std::int64_t n);

}  // namespace weightinit
