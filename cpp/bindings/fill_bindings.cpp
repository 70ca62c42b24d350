// SPDX-License-Identifier: BSD-3-Clause
// The one door: any writable buffer (NumPy array or CPU torch tensor), checked once, then one
// call to fill_law with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <string>

#include "bindings.hpp"
#include "weightinit/laws.hpp"

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
  const long long s = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow == 0 && s >= 0) return static_cast<std::uint64_t>(s);
  const bool negative = overflow < 0 || (overflow == 0 && s < 0);
  const unsigned long long u = negative ? 0 : PyLong_AsUnsignedLongLong(i.ptr());
  if (negative || (u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
    PyErr_Clear();
    throw py::value_error(std::string(name) + ": must be an integer in [0, 2**64), got " +
                          std::string(py::str(v)));
  }
  return u;
}

std::vector<std::int64_t> dims(const py::handle& s, const char* name) {
  if (!PySequence_Check(s.ptr()) || PyUnicode_Check(s.ptr())) {
    throw py::type_error(std::string(name) + ": expected a sequence of integers");
  }
  std::vector<std::int64_t> out;
  for (const py::handle v : py::reinterpret_borrow<py::sequence>(s)) {
    if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
      throw py::type_error(std::string(name) + ": dimensions must be integers, got " +
                           std::string(py::repr(v)));
    }
    py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
    const long long x = PyLong_AsLongLong(i.ptr());
    if (x == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::value_error(std::string(name) + ": dimension " + std::string(py::str(v)) +
                            " is out of range");
    }
    if (x < 0) throw py::value_error(std::string(name) + ": dimensions must be non-negative");
    out.push_back(x);
  }
  return out;
}

double real(const py::handle& v, const char* name) {
  if (PyBool_Check(v.ptr()) || PyUnicode_Check(v.ptr()) || PyBytes_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": expected a real number, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  const double x = PyFloat_AsDouble(v.ptr());
  if (x == -1.0 && PyErr_Occurred()) {
    const bool overflow = PyErr_ExceptionMatches(PyExc_OverflowError);
    PyErr_Clear();
    if (overflow) {
      throw py::value_error(std::string(name) + ": " + std::string(py::str(v)) +
                            " is beyond the float64 range");
    }
    throw py::type_error(std::string(name) + ": expected a real number, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  return x;
}

namespace {

// --- torch tensors, recognised by type once torch is imported ------------------------------

struct Torch {
  py::object tensor_type, strided, is_grad_enabled;
  py::object f32, f64, f16, bf16;
};

// torch's objects, or nullptr while torch is not imported (then no object is a tensor).
const Torch* torch_objects() {
  static Torch* cached = nullptr;
  if (cached) return cached;
  PyObject* module = PyDict_GetItemString(PyImport_GetModuleDict(), "torch");
  if (!module) return nullptr;
  py::module_ torch = py::reinterpret_borrow<py::module_>(module);
  if (!py::hasattr(torch, "Tensor") || !py::hasattr(torch, "bfloat16")) return nullptr;  // importing
  auto* t = new Torch{torch.attr("Tensor"),  torch.attr("strided"), torch.attr("is_grad_enabled"),
                      torch.attr("float32"), torch.attr("float64"), torch.attr("float16"),
                      torch.attr("bfloat16")};
  cached = t;  // never freed: lives as long as the interpreter's torch module
  return cached;
}

DType numpy_dtype(const py::array& a, bool words) {
  const py::dtype dt = a.dtype();
  const char order = dt.byteorder();
  if (order == (kLittleEndian ? '>' : '<')) {
    throw py::type_error("out: dtype " + std::string(py::str(dt)) + " is not in native byte order");
  }
  const char kind = dt.kind();
  const py::ssize_t size = dt.itemsize();
  if (kind == 'f' && size == 4) return DType::kFloat32;
  if (kind == 'f' && size == 8) return DType::kFloat64;
  if (kind == 'f' && size == 2) return DType::kFloat16;
  if (kind == 'V' && size == 2 && std::string(py::str(dt.attr("name"))) == "bfloat16") {
    return DType::kBFloat16;
  }
  if (words && kind == 'u' && size == 4) return DType::kUInt32;
  if (words && kind == 'u' && size == 8) return DType::kUInt64;
  throw py::type_error(std::string("out: dtype must be float16, bfloat16, float32 or float64") +
                       (words ? " (uint32 / uint64 for raw words)" : "") + ", got " +
                       std::string(py::str(dt)));
}

Output numpy_output(const py::handle& out, bool words) {
  py::array a = py::reinterpret_borrow<py::array>(out);
  if (!a.writeable()) throw py::value_error("out: array is read-only");
  Output t;
  t.dtype = numpy_dtype(a, words);
  t.shape.assign(a.shape(), a.shape() + a.ndim());
  t.byte_strides.assign(a.strides(), a.strides() + a.ndim());
  t.data = a.mutable_data();
  t.owner = a;
  return t;
}

Output torch_output(const Torch& torch, const py::handle& out, bool no_grad) {
  if (!py::str(out.attr("device").attr("type")).equal(py::str("cpu"))) {
    throw py::value_error("out: must be a CPU tensor, got device " +
                          std::string(py::str(out.attr("device"))));
  }
  if (!py::object(out.attr("layout")).is(torch.strided)) {
    throw py::type_error("out: expected a dense (strided) tensor, got layout " +
                         std::string(py::str(out.attr("layout"))));
  }
  const py::object dt = out.attr("dtype");
  Output t;
  if (dt.is(torch.f32)) {
    t.dtype = DType::kFloat32;
  } else if (dt.is(torch.f64)) {
    t.dtype = DType::kFloat64;
  } else if (dt.is(torch.f16)) {
    t.dtype = DType::kFloat16;
  } else if (dt.is(torch.bf16)) {
    t.dtype = DType::kBFloat16;
  } else {
    throw py::type_error("out: dtype must be float16, bfloat16, float32 or float64, got " +
                         std::string(py::str(dt)));
  }
  if (!no_grad && out.attr("requires_grad").cast<bool>() && out.attr("is_leaf").cast<bool>() &&
      torch.is_grad_enabled().cast<bool>()) {
    throw py::value_error("out: a leaf tensor that requires grad cannot be filled in place "
                          "outside torch.no_grad()");
  }
  const std::int64_t itemsize = dtype_size(t.dtype);
  t.shape = out.attr("shape").cast<std::vector<std::int64_t>>();
  const auto strides = out.attr("stride")().cast<std::vector<std::int64_t>>();
  std::int64_t first = 0, last = 0;  // element offsets of the view's extreme elements
  bool empty = false;
  for (std::size_t k = 0; k < t.shape.size(); ++k) {
    t.byte_strides.push_back(strides[k] * itemsize);
    if (t.shape[k] == 0) empty = true;
    const std::int64_t reach = strides[k] * (t.shape[k] - 1);
    (reach < 0 ? first : last) += reach;
  }
  t.data = reinterpret_cast<void*>(out.attr("data_ptr")().cast<std::uintptr_t>());
  if (!empty) {
    // Every element must lie in the tensor's storage (a storage resized below its view
    // would otherwise be written past its end).
    const std::int64_t offset = out.attr("storage_offset")().cast<std::int64_t>();
    const std::int64_t nbytes = out.attr("untyped_storage")().attr("nbytes")().cast<std::int64_t>();
    if (t.data == nullptr || offset + first < 0 || (offset + last + 1) * itemsize > nbytes) {
      throw py::value_error("out: the tensor's view reaches beyond its storage (" +
                            std::to_string(nbytes) + " bytes)");
    }
  }
  t.owner = py::reinterpret_borrow<py::object>(out);
  return t;
}

}  // namespace

Output writable_output(const py::handle& out, bool words, bool no_grad) {
  if (py::isinstance<py::array>(out)) return numpy_output(out, words);
  if (const Torch* torch = torch_objects()) {
    if (PyObject_IsInstance(out.ptr(), torch->tensor_type.ptr()) == 1) {
      if (words) throw py::type_error("out: raw stream words go to NumPy uint32 / uint64 arrays");
      return torch_output(*torch, out, no_grad);
    }
  }
  throw py::type_error("out: expected a numpy.ndarray or a torch.Tensor, got " +
                       std::string(py::str(py::type::of(out).attr("__name__"))));
}

void register_fill(py::module_& m) {
  m.def(
      "fill",
      [](const py::handle& out, const Law& law, const py::handle& seed, const py::handle& stream,
         const py::handle& offset, const py::handle& global_shape, const py::handle& start,
         bool no_grad) {
        Output t = writable_output(out, law.kind == Law::Kind::kBits, no_grad);
        const StreamSpec s{to_u64(seed, "seed"), to_u64(stream, "stream"), to_u64(offset, "offset")};
        const std::size_t rank = t.shape.size();
        std::vector<std::int64_t> g = global_shape.is_none() ? t.shape : dims(global_shape, "global_shape");
        std::vector<std::int64_t> st =
            start.is_none() ? std::vector<std::int64_t>(rank, 0) : dims(start, "start");
        if (g.size() != rank || st.size() != rank) {
          throw py::value_error("global_shape, start: need the rank of out (" + std::to_string(rank) + ")");
        }
        py::gil_scoped_release release;
        fill_law(law, s, t.dtype, g, st, t.shape, t.data, t.byte_strides);
      },
      py::arg("out"), py::arg("law"), py::arg("seed"), py::arg("stream") = 0, py::arg("offset") = 0,
      py::arg("global_shape") = py::none(), py::arg("start") = py::none(), py::arg("no_grad") = false,
      "Fill `out` (a writable NumPy array or CPU torch tensor, any strides) in place with its box "
      "of the tensor of `global_shape` (default: out's shape) starting at `start` (default: the "
      "origin), drawn from `law` on the stream (seed, stream, offset). The only fill entry.");
}

}  // namespace weightinit::bindings
