// SPDX-License-Identifier: BSD-3-Clause
// Kernel targets: which instruction sets this build carries, which the CPU runs, which is used.
#pragma once

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

/// Worker threads fills may use (>= 1). Default: the CPUs this process may run on, or
/// WEIGHTINIT_NUM_THREADS when set. Output never depends on it.
int get_num_threads();

/// Set the thread count for later fills; n < 1 throws std::invalid_argument.
void set_num_threads(int n);

}  // namespace weightinit
