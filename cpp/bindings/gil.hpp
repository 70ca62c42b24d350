// SPDX-License-Identifier: BSD-3-Clause
// Releasing and taking back the GIL on threads that interpreter exit may end.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <thread>

namespace weightinit::bindings {

/// Never returns: the calling thread sleeps until the process exits.
[[noreturn]] inline void park_forever() {
  for (;;) std::this_thread::sleep_for(std::chrono::hours(24));
}

/// PyEval_RestoreThread(`tstate`), except on a thread that the interpreter's finalization
/// ends: that thread is parked forever instead, and the process exits around it.
///
/// Why: up to Python 3.13 a thread that asks for the GIL once finalization has begun (a daemon
/// thread whose fill outlived the main thread) is ended by pthread_exit inside the call. On
/// glibc that is a forced unwind through every C++ frame above: a destructor that took the GIL
/// back (noexcept) calls std::terminate, a catch (...) that does not rethrow aborts ("FATAL:
/// exception not rethrown"), and the other destructors would drop Python references without
/// the GIL. Entered here, in a handler that never ends, the unwind stops at once; Python 3.14
/// parks such threads itself.
inline void restore_thread(PyThreadState* tstate) noexcept {
  try {
    PyEval_RestoreThread(tstate);
  } catch (...) {  // only the forced unwind of pthread_exit: a C function throws nothing else
    park_forever();
  }
}

/// PyGILState_Ensure, with restore_thread's rule for a thread that finalization ends.
inline PyGILState_STATE ensure_gil() noexcept {
  try {
    return PyGILState_Ensure();
  } catch (...) {  // as in restore_thread
    park_forever();
  }
}

/// Releases the GIL for its lifetime (as pybind11::gil_scoped_release), and takes it back
/// with restore_thread. Create and destroy it with the GIL held, on the same thread.
class GilReleased {
 public:
  GilReleased() : tstate_(PyEval_SaveThread()) {}
  ~GilReleased() { restore_thread(tstate_); }
  GilReleased(const GilReleased&) = delete;
  GilReleased& operator=(const GilReleased&) = delete;

 private:
  PyThreadState* tstate_;
};

}  // namespace weightinit::bindings
