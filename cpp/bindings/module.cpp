// SPDX-License-Identifier: BSD-3-Clause
// weightinit._core: registers the bindings; the conversions live in *_bindings.cpp.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "weightinit/version.hpp"

PYBIND11_MODULE(_core, m, pybind11::mod_gil_not_used()) {
  m.doc() = "weightinit's C++ core (private: use the weightinit package)";
  m.attr("__version__") = WEIGHTINIT_VERSION_STRING;
  m.attr("STREAM_VERSION") = WEIGHTINIT_STREAM_VERSION;
  weightinit::bindings::register_fill(m);
  weightinit::bindings::register_laws(m);
  weightinit::bindings::register_core(m);
  weightinit::bindings::register_stream(m);
  weightinit::bindings::register_tf1(m);
  weightinit::bindings::register_matrix(m);
  // pybind11 looks up NumPy's C API on first use, releasing and taking back the GIL around
  // the lookup (pybind11::gil_scoped_release). Done now, on the importing thread, so a fill
  // never does it on a thread that interpreter exit may end (docs/robustness.md §4).
  (void)pybind11::isinstance<pybind11::array>(m);
}
