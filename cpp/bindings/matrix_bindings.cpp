// SPDX-License-Identifier: BSD-3-Clause
// orthogonal(): an array in, one call to weightinit::orthogonal out, with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "door.hpp"
#include "weightinit/generator.hpp"
#include "weightinit/orthogonal.hpp"

namespace py = pybind11;

namespace weightinit::bindings {
namespace {

// A matrix dimension: an integer in [0, 2^63), else TypeError / ValueError naming `name`.
std::int64_t dimension(const py::handle& v, const char* name) {
  const std::int64_t x = int64_arg(v, name);
  if (x < 0) throw py::value_error(std::string(name) + ": must be non-negative, got " + brief(v));
  return x;
}

// orthogonal(out, rows, cols, gain, source=None, *, stream=0, offset=0, name="out",
//            no_grad=False)
PyObject* orthogonal_door(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  static const Signature* sig = new Signature("orthogonal", {"out", "rows", "cols", "gain", "source"},
                                              4, {"stream", "offset", "name", "no_grad"});
  PyObject* a[9];
  sig->parse(args, nargs, kwnames, a);
  const std::string name = a[7] ? text_arg(a[7], "name") : std::string("out");
  const bool no_grad = a[8] ? flag(a[8], "no_grad") : false;
  std::vector<DoorOutput> out(1);
  Output& t = out[0].out;
  t = writable_output(a[0], false, no_grad, name);
  const std::int64_t r = dimension(a[1], "rows"), c = dimension(a[2], "cols");
  const double g = real(a[3], "gain");
  std::uint64_t size = 1;
  for (std::int64_t d : t.shape) size *= static_cast<std::uint64_t>(d);
  std::int64_t dense = dtype_size(t.dtype);
  for (std::size_t k = t.shape.size(); size != 0 && k-- > 0;) {
    if (t.shape[k] != 1 && t.byte_strides[k] != dense) {
      throw py::value_error(name + ": must be C-contiguous (the QR works in place)");
    }
    dense *= t.shape[k];
  }
  const bool fits = r == 0 || static_cast<std::uint64_t>(c) <= size / static_cast<std::uint64_t>(r);
  if (!fits || static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(c) != size) {
    throw py::value_error(name + ": has " + std::to_string(size) + " elements, rows * cols = " +
                          std::to_string(r) + " * " + std::to_string(c));
  }
  const Source source = source_of(a[4] ? a[4] : Py_None, a[5], a[6]);
  if (t.meta || size == 0) Py_RETURN_NONE;
  // The normal matrix is drawn in the working precision (double for float64 output).
  out[0].blocks = blocks_for(size, t.dtype == DType::kFloat64 ? DType::kFloat64 : DType::kFloat32);
  run_draw(out, source, name, [&](const Stream& s, const FillControl&) {
    orthogonal(r, c, g, t.dtype, s, t.data);
  });
  Py_RETURN_NONE;
}

}  // namespace

void register_matrix(py::module_& m) {
  add_door<orthogonal_door>(m, "orthogonal",
      "orthogonal(out, rows, cols, gain, source=None, *, stream=0, offset=0, name='out', "
      "no_grad=False)\n--\n\n"
      "Write gain times a Haar-distributed (semi-)orthogonal rows x cols matrix, row-major, to "
      "`out` (a writable C-contiguous NumPy array or CPU torch tensor of float16, bfloat16, "
      "float32 or float64, rows * cols elements; a meta tensor is checked and left alone): the "
      "sign-fixed Householder Q of the normal matrix drawn from `source` as in fill (None: "
      "the default generator, a Generator, which advances past the blocks of that draw, or an "
      "integer key from `offset`) on stream id `stream`, or a Stream; see "
      "weightinit::orthogonal. "
      "The same door as fill: its options keyword-only, its prologue shared.");
}

}  // namespace weightinit::bindings
