// SPDX-License-Identifier: BSD-3-Clause
// The ctest programs' checks: count them, print each failure, exit 1 if any failed.
#pragma once

#include <cstdio>
#include <exception>
#include <functional>
#include <string>

namespace testing {

inline int g_failures = 0;
inline int g_checks = 0;

inline void check(bool ok, const std::string& what) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

/// The exception `fn` throws must be an E with exactly `message`.
template <class E>
void expect_error(const std::string& what, const std::function<void()>& fn, const std::string& message) {
  try {
    fn();
  } catch (const E& e) {
    check(e.what() == message, what + ": message\n  got:  " + e.what() + "\n  want: " + message);
    return;
  } catch (const std::exception& e) {
    check(false, what + ": wrong exception type, message " + e.what());
    return;
  }
  check(false, what + ": no exception");
}

/// The summary line; the exit status of main.
inline int report() {
  std::printf("%d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}

}  // namespace testing
