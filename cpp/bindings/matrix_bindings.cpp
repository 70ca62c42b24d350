// SPDX-License-Identifier: BSD-3-Clause
// orthogonal(): an array in, one call to weightinit::orthogonal out, with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "gil.hpp"
#include "pin.hpp"
#include "weightinit/generator.hpp"
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
  const py::object i = index_of(v, name);
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow < 0 || (overflow == 0 && x < 0)) {
    throw py::value_error(std::string(name) + ": must be non-negative, got " + brief(v));
  }
  if (overflow > 0) {
    throw py::value_error(std::string(name) + ": " + brief(v) + " is too large");
  }
  return x;
}

}  // namespace

void register_matrix(py::module_& m) {
  m.def(
      "orthogonal",
      [](const py::handle& out, const py::handle& rows, const py::handle& cols,
         const py::handle& gain, const py::handle& seed, const py::handle& stream,
         const py::handle& offset, const py::handle& generator, bool no_grad,
         const std::string& name) {
        Output t = writable_output(out, false, no_grad, name);
        const std::int64_t r = dimension(rows, "rows"), c = dimension(cols, "cols");
        const double g = real(gain, "gain");
        std::uint64_t size = 1;
        for (std::int64_t d : t.shape) size *= static_cast<std::uint64_t>(d);
        std::int64_t dense = dtype_size(t.dtype);
        for (std::size_t k = t.shape.size(); size != 0 && k-- > 0;) {
          if (t.shape[k] != 1 && t.byte_strides[k] != dense) {
            throw py::value_error(name + ": must be C-contiguous (the QR works in place)");
          }
          dense *= t.shape[k];
        }
        const bool fits =
            r == 0 || static_cast<std::uint64_t>(c) <= size / static_cast<std::uint64_t>(r);
        if (!fits || static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(c) != size) {
          throw py::value_error(name + ": has " + std::to_string(size) + " elements, rows * cols = " +
                                std::to_string(r) + " * " + std::to_string(c));
        }
        Stream s;
        Generator* gen = stream_of(seed, stream, offset, generator, s);
        if (t.meta || size == 0) return;
        // The normal matrix is drawn in the working precision (double for float64 output).
        const DType work = t.dtype == DType::kFloat64 ? DType::kFloat64 : DType::kFloat32;
        std::optional<ArrayPin> pin;
        if (py::isinstance<py::array>(t.owner)) {
          pin.emplace(py::reinterpret_borrow<py::array>(t.owner), name);
        }
        {
          const GilReleased released;
          Generator::Reservation res{};
          if (gen) {
            res = gen->reserve(blocks_for(size, work));
            s = Stream(res.seed, s.stream_id(), res.start);
          }
          try {
            orthogonal(r, c, g, t.dtype, s, t.data);
          } catch (...) {
            if (gen) gen->release(res);
            throw;
          }
          resolve_negation(t);
        }
        if (t.bump) t.bump(py::make_tuple(t.owner));
      },
      py::arg("out"), py::arg("rows"), py::arg("cols"), py::arg("gain"), py::arg("seed") = py::none(),
      py::arg("stream") = 0, py::arg("offset") = 0, py::arg("generator") = py::none(),
      py::arg("no_grad") = false, py::arg("name") = "out",
      "Write gain times a Haar-distributed (semi-)orthogonal rows x cols matrix, row-major, to "
      "`out` (a writable C-contiguous NumPy array or CPU torch tensor of float16, bfloat16, "
      "float32 or float64, rows * cols elements; a meta tensor is checked and left alone): the "
      "sign-fixed Householder Q of the normal matrix drawn from (seed, stream, offset) or from "
      "`generator`, which advances past the blocks of that draw; see weightinit::orthogonal.");
}

}  // namespace weightinit::bindings
