// SPDX-License-Identifier: BSD-3-Clause
// Buffers in, one call to weightinit::fill_box out, with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <string>

#include "bindings.hpp"
#include "weightinit/fill.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

std::uint64_t to_u64(const py::handle& v, const char* name) {
  if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": expected an integer, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  py::int_ i = py::reinterpret_steal<py::int_>(PyNumber_Index(v.ptr()));
  if (!i) throw py::error_already_set();
  int overflow = 0;
  PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  const bool negative = overflow < 0 || (overflow == 0 && PyLong_AsLongLong(i.ptr()) < 0);
  const unsigned long long u = negative ? 0 : PyLong_AsUnsignedLongLong(i.ptr());
  if (negative || (u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
    PyErr_Clear();
    throw py::value_error(std::string(name) + ": must be an integer in [0, 2**64), got " +
                          std::string(py::str(v)));
  }
  return u;
}

DType dtype_of(const py::dtype& dt) {
  const char kind = dt.kind();
  const char order = dt.byteorder();
  const bool little = py::module_::import("sys").attr("byteorder").cast<std::string>() == "little";
  if ((order == '>' && little) || (order == '<' && !little)) {
    throw py::type_error("out: dtype " + std::string(py::str(dt)) +
                         " is not in native byte order");
  }
  const py::ssize_t size = dt.itemsize();
  if (kind == 'f' && size == 4) return DType::kFloat32;
  if (kind == 'f' && size == 8) return DType::kFloat64;
  if (kind == 'f' && size == 2) return DType::kFloat16;
  if (size == 2 && std::string(py::str(dt.attr("name"))) == "bfloat16") return DType::kBFloat16;
  if (kind == 'u' && size == 4) return DType::kUInt32;
  if (kind == 'u' && size == 8) return DType::kUInt64;
  throw py::type_error("out: dtype must be float16, bfloat16, float32, float64 (or uint32/uint64 "
                       "for raw words), got " +
                       std::string(py::str(dt)));
}

py::array checked_array(const py::handle& out) {
  if (!py::isinstance<py::array>(out)) {
    throw py::type_error("out: expected a numpy.ndarray, got " +
                         std::string(py::str(py::type::of(out).attr("__name__"))));
  }
  py::array a = py::reinterpret_borrow<py::array>(out);
  if (!a.writeable()) throw py::value_error("out: array is read-only");
  return a;
}

double finite_or_inf(const py::handle& v, const char* name) {
  if (PyBool_Check(v.ptr())) throw py::type_error(std::string(name) + ": expected a float");
  try {
    return v.cast<double>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string(name) + ": expected a float, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
}

namespace {

DType dtype_from_name(const std::string& name) {
  if (name == "float32") return DType::kFloat32;
  if (name == "float64") return DType::kFloat64;
  if (name == "float16") return DType::kFloat16;
  if (name == "bfloat16") return DType::kBFloat16;
  throw py::type_error("dtype: must be float16, bfloat16, float32 or float64, got '" + name + "'");
}

Distribution distribution(const std::string& kind, const py::sequence& params) {
  auto need = [&](std::size_t n, const char* names) {
    if (params.size() != n) {
      throw py::value_error("params: " + kind + " takes (" + names + "), got " +
                            std::to_string(params.size()) + " values");
    }
  };
  if (kind == "uniform") {
    need(2, "low, high");
    return Distribution::uniform(finite_or_inf(params[0], "low"), finite_or_inf(params[1], "high"));
  }
  if (kind == "normal") {
    need(2, "mean, stddev");
    return Distribution::normal(finite_or_inf(params[0], "mean"),
                                finite_or_inf(params[1], "stddev"));
  }
  if (kind == "bits") {
    need(0, "");
    return Distribution::bits();
  }
  if (kind == "truncated_normal_between") {
    need(4, "mean, stddev, low, high");
    return Distribution::truncated_normal_between(
        finite_or_inf(params[0], "mean"), finite_or_inf(params[1], "stddev"),
        finite_or_inf(params[2], "low"), finite_or_inf(params[3], "high"));
  }
  if (kind == "truncated_normal") {
    need(4, "mean, stddev, a, b");
    return Distribution::truncated_normal(
        finite_or_inf(params[0], "mean"), finite_or_inf(params[1], "stddev"),
        finite_or_inf(params[2], "a"), finite_or_inf(params[3], "b"));
  }
  throw py::value_error("distribution: expected 'uniform', 'normal', 'truncated_normal', "
                        "'truncated_normal_between' or 'bits', got '" +
                        kind + "'");
}

std::vector<std::int64_t> dims(const py::sequence& s, const char* name) {
  std::vector<std::int64_t> out;
  for (const py::handle& v : s) {
    if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
      throw py::type_error(std::string(name) + ": dimensions must be integers");
    }
    const long long x = PyLong_AsLongLong(py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr())).ptr());
    if (x == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::value_error(std::string(name) + ": dimension out of range");
    }
    if (x < 0) throw py::value_error(std::string(name) + ": dimensions must be non-negative");
    out.push_back(x);
  }
  return out;
}

void run(const Distribution& d, const StreamSpec& s, DType dtype,
         const std::vector<std::int64_t>& global, const std::vector<std::int64_t>& start,
         const std::vector<std::int64_t>& box, void* ptr, const std::vector<std::int64_t>& strides) {
  py::gil_scoped_release release;
  fill_box(d, s, dtype, global, start, box, ptr, strides);
}

}  // namespace

void register_fill(py::module_& m) {
  m.def(
      "fill",
      [](const py::handle& out, const std::string& kind, const py::sequence& params,
         const py::handle& seed, const py::handle& stream, const py::handle& offset,
         const py::handle& first) {
        py::array a = checked_array(out);
        if (!(a.flags() & py::array::c_style)) throw py::value_error("out: array is not C-contiguous");
        const DType dtype = dtype_of(a.dtype());
        const Distribution d = distribution(kind, params);
        const StreamSpec s{to_u64(seed, "seed"), to_u64(stream, "stream"), to_u64(offset, "offset")};
        const std::uint64_t f = to_u64(first, "first");
        const auto n = static_cast<std::uint64_t>(a.size());
        if (f >= (std::uint64_t{1} << 63) || n > (std::uint64_t{1} << 63) - f) {
          throw py::value_error("first: first + out.size must be below 2**63");
        }
        if (n == 0) return;
        run(d, s, dtype, {static_cast<std::int64_t>(f + n)}, {static_cast<std::int64_t>(f)},
            {static_cast<std::int64_t>(n)}, a.mutable_data(), {dtype_size(dtype)});
      },
      py::arg("out"), py::arg("distribution"), py::arg("params"), py::arg("seed"),
      py::arg("stream") = 0, py::arg("offset") = 0, py::arg("first") = 0,
      "Fill a writable C-contiguous array with elements first .. first + out.size - 1 of the "
      "flat stream (seed, stream, offset).");
  m.def(
      "fill_box",
      [](const py::handle& out, const std::string& kind, const py::sequence& params,
         const py::handle& seed, const py::handle& stream, const py::handle& offset,
         const py::sequence& global_shape, const py::sequence& start) {
        py::array a = checked_array(out);
        const DType dtype = dtype_of(a.dtype());
        const Distribution d = distribution(kind, params);
        const StreamSpec s{to_u64(seed, "seed"), to_u64(stream, "stream"), to_u64(offset, "offset")};
        const auto g = dims(global_shape, "global_shape");
        const auto st = dims(start, "start");
        if (g.size() != static_cast<std::size_t>(a.ndim()) || st.size() != g.size()) {
          throw py::value_error("global_shape, start: need the rank of out (" +
                                std::to_string(a.ndim()) + ")");
        }
        std::vector<std::int64_t> box(a.shape(), a.shape() + a.ndim());
        std::vector<std::int64_t> strides(a.strides(), a.strides() + a.ndim());
        run(d, s, dtype, g, st, box, a.mutable_data(), strides);
      },
      py::arg("out"), py::arg("distribution"), py::arg("params"), py::arg("seed"),
      py::arg("stream"), py::arg("offset"), py::arg("global_shape"), py::arg("start"),
      "Fill a writable array of any strides with the box of a tensor of `global_shape` that "
      "starts at `start` and has out's shape.");
  m.def(
      "fill_address",
      [](std::uintptr_t address, const std::string& dtype_name, const py::sequence& shape,
         const py::sequence& byte_strides, const std::string& kind, const py::sequence& params,
         const py::handle& seed, const py::handle& stream, const py::handle& offset,
         const py::sequence& global_shape, const py::sequence& start) {
        if (address == 0) throw py::value_error("address: null pointer");
        const DType dtype = dtype_from_name(dtype_name);
        const Distribution d = distribution(kind, params);
        const StreamSpec s{to_u64(seed, "seed"), to_u64(stream, "stream"), to_u64(offset, "offset")};
        const auto box = dims(shape, "shape");
        std::vector<std::int64_t> strides;
        for (const py::handle& v : byte_strides) strides.push_back(v.cast<std::int64_t>());
        const auto g = dims(global_shape, "global_shape");
        const auto st = dims(start, "start");
        if (strides.size() != box.size() || g.size() != box.size() || st.size() != box.size()) {
          throw py::value_error("shape, byte_strides, global_shape, start: ranks differ");
        }
        run(d, s, dtype, g, st, box, reinterpret_cast<void*>(address), strides);
      },
      py::arg("address"), py::arg("dtype"), py::arg("shape"), py::arg("byte_strides"),
      py::arg("distribution"), py::arg("params"), py::arg("seed"), py::arg("stream"),
      py::arg("offset"), py::arg("global_shape"), py::arg("start"),
      "fill_box on raw memory (a torch tensor's data_ptr()); the caller vouches for it.");
}

}  // namespace weightinit::bindings
