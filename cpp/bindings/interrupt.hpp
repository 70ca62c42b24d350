// SPDX-License-Identifier: BSD-3-Clause
// Ctrl-C for long fills: a fill runs with the GIL released while its calling thread lets
// Python run signal handlers now and then, and stops when one raises.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>

#include "gil.hpp"
#include "weightinit/fill.hpp"

namespace weightinit::bindings {

/// How often a fill under run_interruptible lets Python run its signal handlers.
inline constexpr std::chrono::milliseconds kSignalPollInterval{20};

/// Call `fill(control)` with the GIL released; `fill` passes `control` (a
/// weightinit::FillControl) on to weightinit::fill or weightinit::fill_box. Call it with the
/// GIL held.
///
/// A fill that lasts longer than kSignalPollInterval takes the GIL back for a moment every
/// kSignalPollInterval, on its calling thread, and calls PyErr_CheckSignals. If a signal
/// handler raises (KeyboardInterrupt for Ctrl-C), the fill stops: every thread finishes its
/// current slice (weightinit::kFillSliceElements elements), and then the handler's exception
/// is raised here. The buffer then holds an unspecified mix of old and new values, and
/// nothing writes it any more. Python runs signal handlers only on the main thread, so fills
/// on other threads stop polling after their first poll. Every other exception of `fill`
/// propagates unchanged. A thread that the interpreter's finalization ends (a daemon thread
/// filling while the main thread exits) is parked for good when it asks for the GIL, at a
/// poll or at the end (gil.hpp): the process exits normally around it.
template <class Fill>
void run_interruptible(Fill&& fill) {
  struct State {
    bool raised = false;       // a handler raised: its exception waits in this thread's state
    bool main_thread = true;   // found out at the first poll, with the GIL
    bool checked = false;
  } state;
  FillControl control;
  control.poll_interval = kSignalPollInterval;
  control.poll = [s = &state]() -> bool {  // one pointer: std::function stores it inline
    if (!s->main_thread) return false;
    const PyGILState_STATE gil = ensure_gil();
    if (!s->checked) {
      s->checked = true;
      PyObject* threading = PyImport_ImportModule("threading");
      PyObject* main = threading ? PyObject_CallMethod(threading, "main_thread", nullptr) : nullptr;
      PyObject* ident = main ? PyObject_GetAttrString(main, "ident") : nullptr;
      s->main_thread = ident == nullptr ||  // when in doubt, keep polling
                       PyLong_AsUnsignedLong(ident) == PyThread_get_thread_ident();
      Py_XDECREF(ident);
      Py_XDECREF(main);
      Py_XDECREF(threading);
      PyErr_Clear();
    }
    s->raised = s->main_thread && PyErr_CheckSignals() != 0;
    PyGILState_Release(gil);
    return s->raised;
  };
  try {
    const GilReleased released;
    fill(static_cast<const FillControl&>(control));
  } catch (const FillCancelled&) {
    if (state.raised) throw pybind11::error_already_set();  // the GIL is held again here
    throw;
  }
}

}  // namespace weightinit::bindings
