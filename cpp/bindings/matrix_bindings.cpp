// SPDX-License-Identifier: BSD-3-Clause
// orthogonal(): an array in, one call to weightinit::orthogonal out, with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "bindings.hpp"
#include "weightinit/orthogonal.hpp"

namespace py = pybind11;

namespace weightinit::bindings {
namespace {

// A matrix dimension: a Python int in [0, 2^63), else TypeError / ValueError naming `name`.
std::int64_t dimension(const py::handle& v, const char* name) {
  if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": expected an integer, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  const py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
  if (!i) throw py::error_already_set();
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow < 0 || (overflow == 0 && x < 0)) {
    throw py::value_error(std::string(name) + ": must be non-negative, got " +
                          std::string(py::str(v)));
  }
  if (overflow > 0) {
    throw py::value_error(std::string(name) + ": " + std::string(py::str(v)) + " is too large");
  }
  return x;
}

}  // namespace

void register_matrix(py::module_& m) {
  m.def(
      "orthogonal",
      [](const py::handle& out, const py::handle& rows, const py::handle& cols,
         const py::handle& gain, const py::handle& seed, const py::handle& stream,
         const py::handle& offset) {
        py::array a = checked_array(out);
        if (!(a.flags() & py::array::c_style)) {
          throw py::value_error("out: array is not C-contiguous");
        }
        const DType dtype = dtype_of(a.dtype());
        if (dtype != DType::kFloat32 && dtype != DType::kFloat64 && dtype != DType::kFloat16 &&
            dtype != DType::kBFloat16) {
          throw py::type_error("out: dtype must be float16, bfloat16, float32 or float64, got " +
                               std::string(py::str(a.dtype())));
        }
        const std::int64_t r = dimension(rows, "rows"), c = dimension(cols, "cols");
        const double g = finite_or_inf(gain, "gain");
        const StreamSpec s{to_u64(seed, "seed"), to_u64(stream, "stream"),
                           to_u64(offset, "offset")};
        const auto size = static_cast<std::uint64_t>(a.size());
        const bool fits =
            r == 0 || static_cast<std::uint64_t>(c) <= size / static_cast<std::uint64_t>(r);
        if (!fits || static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(c) != size) {
          throw py::value_error("out: has " + std::to_string(size) + " elements, rows * cols = " +
                                std::to_string(r) + " * " + std::to_string(c));
        }
        void* ptr = a.mutable_data();
        py::gil_scoped_release release;
        orthogonal(r, c, g, dtype, s, ptr);
      },
      py::arg("out"), py::arg("rows"), py::arg("cols"), py::arg("gain"), py::arg("seed"),
      py::arg("stream") = 0, py::arg("offset") = 0,
      "Write gain times a Haar-distributed (semi-)orthogonal rows x cols matrix, row-major, to "
      "the writable C-contiguous array `out` (float16, bfloat16, float32 or float64, "
      "rows * cols elements): the sign-fixed Householder Q of the normal matrix drawn from "
      "(seed, stream, offset); see weightinit::orthogonal.");
}

}  // namespace weightinit::bindings
