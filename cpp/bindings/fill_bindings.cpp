// SPDX-License-Identifier: BSD-3-Clause
// The one door: any writable buffer (NumPy array or CPU torch tensor), checked once, then one
// call to fill_law with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "door.hpp"
#include "weightinit/generator.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/laws.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

std::uint64_t to_u64(const py::handle& v, const char* name) {
  if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": expected an integer, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  const py::object i = index_of(v, name);
  int overflow = 0;
  const long long s = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow == 0 && s >= 0) return static_cast<std::uint64_t>(s);
  const bool negative = overflow < 0 || (overflow == 0 && s < 0);
  const unsigned long long u = negative ? 0 : PyLong_AsUnsignedLongLong(i.ptr());
  if (negative || (u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
    PyErr_Clear();
    throw py::value_error(std::string(name) + ": must be an integer in [0, 2**64), got " +
                          brief(v));
  }
  return u;
}

std::int64_t int64_arg(const py::handle& v, const char* name, const char* expected) {
  if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": " + expected + ", got " +
                         (std::string(expected) == "expected an integer"
                              ? std::string(py::str(py::type::of(v).attr("__name__")))
                              : brief(v)));
  }
  const py::object i = index_of(v, name);
  const long long x = PyLong_AsLongLong(i.ptr());
  if (x == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    throw py::value_error(std::string(name) + ": " + brief(v) + " is outside the 64-bit integer range");
  }
  return x;
}

std::vector<std::int64_t> int_list(const py::handle& v, const char* name, bool scalar) {
  if (scalar && PyIndex_Check(v.ptr()) && !PyBool_Check(v.ptr())) {
    PyObject* index = PyNumber_Index(v.ptr());
    if (index) {
      Py_DECREF(index);
      return {int64_arg(v, name, "dimensions must be integers")};
    }
    // An array of one dimension or more has __index__ too, which refuses it: a sequence.
    if (!PySequence_Check(v.ptr()) || !PyErr_ExceptionMatches(PyExc_TypeError)) {
      raise_named(v, name, "operator.index()");
    }
    PyErr_Clear();
  }
  // PySequence_Fast holds every item: a NumPy array's rows, a range's ints are new objects,
  // which a handle taken while iterating would not keep alive.
  const py::object seq = py::reinterpret_steal<py::object>(
      PySequence_Check(v.ptr()) ? PySequence_Fast(v.ptr(), "") : nullptr);
  if (!seq) {
    PyErr_Clear();
    throw py::type_error(std::string(name) + ": expected a sequence of integers, got " + brief(v));
  }
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (Py_ssize_t k = 0; k < n; ++k) {
    out[static_cast<std::size_t>(k)] =
        int64_arg(PySequence_Fast_GET_ITEM(seq.ptr(), k), name, "dimensions must be integers");
  }
  return out;
}

std::vector<std::int64_t> dims(const py::handle& s, const char* name) {
  std::vector<std::int64_t> out = int_list(s, name, false);
  for (const std::int64_t d : out) {
    if (d < 0) detail::check_shape(out, name);  // the message of the rule, with the shape
  }
  return out;
}

[[noreturn]] void raise_named(const py::handle& v, const char* name, const char* what) {
  py::error_already_set cause;
  if (!cause.matches(PyExc_Exception)) throw cause;
  const std::string text = std::string(name) + ": " + what + " of a " +
                           std::string(py::str(py::type::of(v).attr("__name__"))) + " raised " +
                           std::string(py::str(cause.type().attr("__name__"))) + ": " +
                           std::string(py::str(cause.value()));
  py::raise_from(cause, PyExc_TypeError, text.c_str());
  throw py::error_already_set();
}

std::string brief(const py::handle& v) {
  PyObject* r = PyObject_Repr(v.ptr());
  if (!r) {  // an int beyond Python's digit limit for str(), or a repr that raises
    PyErr_Clear();
    if (PyLong_Check(v.ptr())) {
      return "an integer of " + std::string(py::str(v.attr("bit_length")())) + " bits";
    }
    return "a " + std::string(py::str(py::type::of(v).attr("__name__")));
  }
  std::string s = py::reinterpret_steal<py::str>(r);
  if (s.size() <= 40) return s;
  const bool integer = PyLong_Check(v.ptr());
  const std::size_t n = s.size() - (integer && s[0] == '-' ? 1 : 0);
  return s.substr(0, 16) + "..." + s.substr(s.size() - 16) + " (" + std::to_string(n) +
         (integer ? " digits)" : " characters)");
}

double real(const py::handle& v, const char* name) {
  PyObject* o = v.ptr();
  const PyNumberMethods* nb = Py_TYPE(o)->tp_as_number;
  const bool number = PyFloat_Check(o) ||
                      (nb != nullptr && (nb->nb_float != nullptr || nb->nb_index != nullptr));
  if (PyBool_Check(o) || PyUnicode_Check(o) || PyBytes_Check(o) || !number) {
    throw py::type_error(std::string(name) + ": expected a real number, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  const double x = PyFloat_AsDouble(o);
  if (x == -1.0 && PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
      PyErr_Clear();
      throw py::value_error(std::string(name) + ": " + brief(v) + " is beyond the float64 range");
    }
    raise_named(v, name, "float()");
  }
  return x;
}

std::string text_arg(const py::handle& v, const char* name) {
  if (!PyUnicode_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": expected a string, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  return v.cast<std::string>();
}

py::object index_of(const py::handle& v, const char* name) {
  PyObject* i = PyNumber_Index(v.ptr());
  if (!i) raise_named(v, name, "operator.index()");
  return py::reinterpret_steal<py::object>(i);
}

namespace {

// --- torch tensors, recognised by type once torch is imported ------------------------------

// The tensor attributes a fill reads, each by one entry of Torch's tables.
enum class TensorAttr {
  kIsNested, kIsCpu, kIsMeta, kLayout, kDtype, kRequiresGrad, kDevice, kShape,  // properties
  kIsInference, kIsNeg, kStride, kDataPtr, kStorageOffset, kUntypedStorage,     // methods
  kCount
};
constexpr const char* kTensorAttrNames[] = {
    "is_nested", "is_cpu", "is_meta", "layout", "dtype", "requires_grad", "device", "shape",
    "is_inference", "is_neg", "stride", "data_ptr", "storage_offset", "untyped_storage"};
static_assert(sizeof kTensorAttrNames / sizeof *kTensorAttrNames ==
              static_cast<std::size_t>(TensorAttr::kCount));

struct Torch {
  py::object tensor_type, strided, is_grad_enabled, is_inference_mode_enabled, increment_version;
  py::object f32, f64, f16, bf16;
  py::object is_batched;  // torch.func.vmap's test for its batched tensors, or None
  // Why tables: a fill of a small tensor costs about as much as reading its ~15 attributes
  // through getattr (an MRO walk, a bound method object per call). For torch.Tensor and
  // torch.nn.Parameter themselves, whose attributes are TensorBase's C descriptors, each
  // is read through its descriptor, found once; any other type (a subclass may override
  // them) through getattr with an interned name.
  PyTypeObject* plain[2] = {nullptr, nullptr};
  PyObject* names[static_cast<std::size_t>(TensorAttr::kCount)] = {};
  PyObject* descriptors[static_cast<std::size_t>(TensorAttr::kCount)] = {};
  PyObject* nbytes = nullptr;  // "nbytes", interned

  bool is_plain(PyObject* o) const { return Py_TYPE(o) == plain[0] || Py_TYPE(o) == plain[1]; }

  // Property `a` of tensor `o`.
  py::object get(PyObject* o, TensorAttr a) const {
    const auto k = static_cast<std::size_t>(a);
    PyObject* d = descriptors[k];
    PyObject* r = is_plain(o) && d != nullptr
        ? Py_TYPE(d)->tp_descr_get(d, o, reinterpret_cast<PyObject*>(Py_TYPE(o)))
        : PyObject_GetAttr(o, names[k]);
    if (!r) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(r);
  }
  // Method `a` of tensor `o`, called without arguments; nullptr (the error set) if it raises.
  PyObject* try_call(PyObject* o, TensorAttr a) const {
    const auto k = static_cast<std::size_t>(a);
    PyObject* d = descriptors[k];
    return is_plain(o) && d != nullptr ? PyObject_Vectorcall(d, &o, 1, nullptr)
                                       : PyObject_VectorcallMethod(names[k], &o, 1, nullptr);
  }
  py::object call(PyObject* o, TensorAttr a) const {
    PyObject* r = try_call(o, a);
    if (!r) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(r);
  }
};

// torch's objects, or nullptr while torch is not imported (then no object is a tensor).
const Torch* torch_objects() {
  static Torch* cached = nullptr;
  if (cached) return cached;
  PyObject* module = PyDict_GetItemString(PyImport_GetModuleDict(), "torch");
  if (!module) return nullptr;
  py::module_ torch = py::reinterpret_borrow<py::module_>(module);
  if (!py::hasattr(torch, "Tensor") || !py::hasattr(torch, "bfloat16") ||
      !py::hasattr(torch, "nn") || !py::hasattr(torch.attr("nn"), "Parameter")) {
    return nullptr;  // importing
  }
  auto* t = new Torch{torch.attr("Tensor"),  torch.attr("strided"), torch.attr("is_grad_enabled"),
                      torch.attr("is_inference_mode_enabled"),
                      torch.attr("_C").attr("_increment_version"),
                      torch.attr("float32"), torch.attr("float64"), torch.attr("float16"),
                      torch.attr("bfloat16"), py::none()};
  const py::object c = torch.attr("_C");
  if (py::hasattr(c, "_functorch") && py::hasattr(c.attr("_functorch"), "is_batchedtensor")) {
    t->is_batched = c.attr("_functorch").attr("is_batchedtensor");
  }
  const py::object parameter = torch.attr("nn").attr("Parameter");
  t->plain[0] = reinterpret_cast<PyTypeObject*>(t->tensor_type.ptr());
  t->plain[1] = reinterpret_cast<PyTypeObject*>(parameter.ptr());
  for (std::size_t k = 0; k < static_cast<std::size_t>(TensorAttr::kCount); ++k) {
    t->names[k] = PyUnicode_InternFromString(kTensorAttrNames[k]);
    if (t->names[k] == nullptr) throw py::error_already_set();
    // A C descriptor (getset or method) that both types share; else getattr.
    // Read through the type, a C descriptor is itself.
    PyObject* d = PyObject_GetAttr(t->tensor_type.ptr(), t->names[k]);
    PyObject* p = d ? PyObject_GetAttr(parameter.ptr(), t->names[k]) : nullptr;
    PyErr_Clear();
    Py_XDECREF(p);  // compared by identity only: the type keeps it alive
    const bool method = k >= static_cast<std::size_t>(TensorAttr::kIsInference);
    const bool c_descriptor = d != nullptr &&
        (method ? Py_TYPE(d) == &PyMethodDescr_Type
                : Py_TYPE(d) == &PyGetSetDescr_Type && Py_TYPE(d)->tp_descr_get != nullptr);
    if (c_descriptor && p == d) {
      t->descriptors[k] = d;  // the reference read above, kept
    } else {
      Py_XDECREF(d);
    }
  }
  t->nbytes = PyUnicode_InternFromString("nbytes");
  if (t->nbytes == nullptr) throw py::error_already_set();
  cached = t;  // never freed: lives as long as the interpreter's torch module
  return cached;
}

DType numpy_dtype(const py::array& a, bool words, const std::string& name) {
  const py::dtype dt = a.dtype();
  const char order = dt.byteorder();
  if (order == (kLittleEndian ? '>' : '<')) {
    throw py::type_error(name + ": dtype must be float16, bfloat16, float32 or float64 in native "
                         "byte order, got " + std::string(py::str(dt)));
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
  throw py::type_error(name + ": dtype must be float16, bfloat16, float32 or float64" +
                       (words ? " (uint32 / uint64 for raw words)" : "") + ", got " +
                       std::string(py::str(dt)));
}

Output numpy_output(const py::handle& out, bool words, const std::string& name) {
  py::array a = py::reinterpret_borrow<py::array>(out);
  if (!a.writeable()) throw py::value_error(name + ": array is read-only");
  Output t;
  t.dtype = numpy_dtype(a, words, name);
  t.shape.assign(a.shape(), a.shape() + a.ndim());
  t.byte_strides.assign(a.strides(), a.strides() + a.ndim());
  t.data = a.mutable_data();
  t.owner = a;
  return t;
}

PyObject* checked(PyObject* r) {
  if (!r) throw py::error_already_set();
  return r;
}

py::object storage_nbytes(const Torch& torch, PyObject* o) {
  const py::object storage = torch.call(o, TensorAttr::kUntypedStorage);
  PyObject* self = storage.ptr();
  return py::reinterpret_steal<py::object>(
      checked(PyObject_VectorcallMethod(torch.nbytes, &self, 1, nullptr)));
}

bool truth(const py::object& v) {
  const int t = PyObject_IsTrue(v.ptr());
  if (t < 0) throw py::error_already_set();
  return t == 1;
}

// The int64 items of a tuple (torch.Size and stride() results are tuples of ints).
std::vector<std::int64_t> int_tuple(const py::object& t) {
  const py::ssize_t n = PyTuple_Size(t.ptr());
  if (n < 0) throw py::error_already_set();
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (py::ssize_t k = 0; k < n; ++k) {
    out[static_cast<std::size_t>(k)] = PyLong_AsLongLong(PyTuple_GET_ITEM(t.ptr(), k));
  }
  if (PyErr_Occurred()) throw py::error_already_set();
  return out;
}

// torch.distributed.tensor.DTensor if that module is loaded (else no object is one).
bool is_dtensor(PyObject* o) {
  PyObject* module = PyDict_GetItemString(PyImport_GetModuleDict(), "torch.distributed.tensor");
  if (!module) return false;
  PyObject* type = PyObject_GetAttrString(module, "DTensor");
  if (!type) {
    PyErr_Clear();
    return false;
  }
  const int r = PyObject_IsInstance(o, type);
  Py_DECREF(type);
  if (r < 0) throw py::error_already_set();
  return r == 1;
}

Output torch_output(const Torch& torch, const py::handle& out, bool no_grad, const std::string& name) {
  PyObject* o = out.ptr();
  if (truth(torch.get(o, TensorAttr::kIsNested))) {
    throw py::type_error(name + ": a nested tensor has no single strided buffer; fill its "
                         "components (tensor.unbind()) one by one");
  }
  if (!torch.is_plain(o) && is_dtensor(o)) {
    throw py::type_error(name + ": a DTensor is spread over ranks; use "
                         "weightinit.torch.init_sharded_(tensor, initializer, seed=...), which "
                         "fills each rank's shard as its slice of the whole tensor");
  }
  // Inside torch.func.vmap a function sees one sample of a batched tensor, which has no
  // memory of its own; what a draw for one sample means under vmap's randomness modes is not
  // defined by weightinit's streams, so vmap is refused (torch's normal_ draws there).
  if (!torch.is_batched.is_none() && truth(py::reinterpret_steal<py::object>(checked(PyObject_Vectorcall(torch.is_batched.ptr(), &o, 1, nullptr))))) {
    throw py::type_error(name + ": a batched tensor (inside torch.func.vmap) cannot be filled: "
                         "weightinit does not support vmap; fill the whole batch outside vmap");
  }
  const bool cpu = truth(torch.get(o, TensorAttr::kIsCpu));
  const bool meta = !cpu && truth(torch.get(o, TensorAttr::kIsMeta));
  if (!meta && !cpu) {
    throw py::value_error(name + ": must be a CPU tensor, got device " + std::string(py::str(torch.get(o, TensorAttr::kDevice))));
  }
  if (!torch.get(o, TensorAttr::kLayout).is(torch.strided)) {
    throw py::type_error(name + ": expected a dense (strided) tensor, got layout " +
                         std::string(py::str(torch.get(o, TensorAttr::kLayout))));
  }
  const py::object dt = torch.get(o, TensorAttr::kDtype);
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
    throw py::type_error(name + ": dtype must be float16, bfloat16, float32 or float64, got " +
                         std::string(py::str(dt)));
  }
  // As torch's own in-place ops: a tensor that requires grad is not written while grad mode
  // is on (the write is not recorded in the graph); torch.nn.init's functions run under
  // no_grad and may write it.
  if (!no_grad && truth(torch.get(o, TensorAttr::kRequiresGrad)) && truth(torch.is_grad_enabled())) {
    throw py::value_error(name + ": a tensor that requires grad cannot be filled in place while "
                          "grad mode is on; use torch.no_grad() (or weightinit.init, which does)");
  }
  // As torch's own in-place ops: an inference tensor is written only in inference mode.
  if (truth(torch.call(o, TensorAttr::kIsInference)) && !truth(torch.is_inference_mode_enabled())) {
    throw py::value_error(name + ": an inference tensor cannot be updated in place outside "
                          "torch.inference_mode() (torch refuses it too); fill it inside "
                          "torch.inference_mode(), or fill a clone");
  }
  // A view with the negative bit (x.conj().imag of a complex x) reads its memory negated:
  // written as torch's in-place ops write it, so that it reads back the drawn values.
  // Floating-point tensors never carry the conjugate bit (torch keeps it for complex ones).
  t.negated = truth(torch.call(o, TensorAttr::kIsNeg));
  const std::int64_t itemsize = dtype_size(t.dtype);
  t.shape = int_tuple(torch.get(o, TensorAttr::kShape));
  if (meta) {  // no storage: checked like a CPU tensor, written nowhere (as torch's init does)
    t.meta = true;
    t.byte_strides.assign(t.shape.size(), 0);
    return t;
  }
  const std::vector<std::int64_t> strides = int_tuple(torch.call(o, TensorAttr::kStride));
  std::int64_t first = 0, last = 0;  // element offsets of the view's extreme elements
  bool empty = false;
  t.byte_strides.resize(t.shape.size());
  for (std::size_t k = 0; k < t.shape.size(); ++k) {
    t.byte_strides[k] = strides[k] * itemsize;
    if (t.shape[k] == 0) empty = true;
    const std::int64_t reach = strides[k] * (t.shape[k] - 1);
    (reach < 0 ? first : last) += reach;
  }
  PyObject* data_ptr = torch.try_call(o, TensorAttr::kDataPtr);
  if (!data_ptr) {  // a wrapper without storage: torch.func.grad's and jvp's tensors
    py::error_already_set cause;
    if (!cause.matches(PyExc_RuntimeError)) throw cause;
    py::raise_from(cause, PyExc_TypeError,
                   (name + ": this tensor has no memory of its own (a tensor inside a "
                           "torch.func transform such as grad or jvp); fill real tensors, "
                           "outside the transform").c_str());
    throw py::error_already_set();
  }
  t.data = PyLong_AsVoidPtr(data_ptr);
  Py_DECREF(data_ptr);
  if (PyErr_Occurred()) throw py::error_already_set();
  if (!empty) {
    // Every element must lie in the tensor's storage (a storage resized below its view
    // would otherwise be written past its end).
    const std::int64_t offset = PyLong_AsLongLong(torch.call(o, TensorAttr::kStorageOffset).ptr());
    const std::int64_t nbytes = PyLong_AsLongLong(storage_nbytes(torch, o).ptr());
    if (PyErr_Occurred()) throw py::error_already_set();
    if (nbytes == 0) {
      throw py::value_error(name + ": the tensor's storage is empty (0 bytes; e.g. a parameter "
                            "whose storage FSDP has freed): nothing can be written");
    }
    if (offset + first < 0 || (offset + last + 1) * itemsize > nbytes) {
      throw py::value_error(name + ": the tensor's view reaches beyond its storage (" +
                            std::to_string(nbytes) + " bytes)");
    }
    if (t.data == nullptr) {
      throw py::type_error(name + ": this tensor has no data (a fake or functional tensor, as "
                           "torch.compile traces with); fill real tensors, outside traced code");
    }
  }
  t.owner = py::reinterpret_borrow<py::object>(out);
  t.bump = torch.increment_version;
  return t;
}

}  // namespace

Output writable_output(const py::handle& out, bool words, bool no_grad, const std::string& name) {
  if (py::isinstance<py::array>(out)) return numpy_output(out, words, name);
  if (const Torch* torch = torch_objects()) {
    if (PyObject_IsInstance(out.ptr(), torch->tensor_type.ptr()) == 1) {
      if (words) throw py::type_error(name + ": raw stream words go to NumPy uint32 / uint64 arrays");
      return torch_output(*torch, out, no_grad, name);
    }
  }
  throw py::type_error(name + ": expected a numpy.ndarray or torch.Tensor, got " +
                       std::string(py::str(py::type::of(out).attr("__name__"))));
}

void resolve_negation(const Output& t) {
  if (!t.negated || t.data == nullptr) return;
  const std::int64_t size = dtype_size(t.dtype);
  // The sign bit is the top bit of every float dtype: in the last byte of a little-endian
  // element, the first of a big-endian one.
  const std::int64_t sign_byte = kLittleEndian ? size - 1 : 0;
  const std::size_t rank = t.shape.size();
  for (std::int64_t d : t.shape) {
    if (d == 0) return;
  }
  const std::int64_t row = rank == 0 ? 1 : t.shape[rank - 1];
  const std::int64_t step = rank == 0 ? 0 : t.byte_strides[rank - 1];
  std::vector<std::int64_t> index(rank == 0 ? 0 : rank - 1, 0);  // over all but the last axis
  for (;;) {
    std::int64_t offset = sign_byte;
    for (std::size_t k = 0; k < index.size(); ++k) offset += index[k] * t.byte_strides[k];
    unsigned char* p = static_cast<unsigned char*>(t.data) + offset;
    for (std::int64_t j = 0; j < row; ++j) p[j * step] ^= 0x80;
    std::size_t k = index.size();
    while (k > 0 && ++index[k - 1] == t.shape[k - 1]) index[--k] = 0;
    if (k == 0) return;
  }
}

namespace {

// The default generator and its C++ object (which lives as long as the Python one, held here).
struct DefaultGenerator {
  py::object object;
  Generator* generator = nullptr;
};

DefaultGenerator& default_generator_slot() {
  static DefaultGenerator* slot = new DefaultGenerator();  // never freed: outlives interpreter exit
  return *slot;
}

PyTypeObject* generator_type() {
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(py::type::of<Generator>().ptr());
  return type;
}

PyTypeObject* stream_type() {
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(py::type::of<Stream>().ptr());
  return type;
}

PyTypeObject* law_type() {
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(py::type::of<Law>().ptr());
  return type;
}

std::string qualified_type_name(PyObject* v) {
  const py::handle type(reinterpret_cast<PyObject*>(Py_TYPE(v)));
  return std::string(py::str(type.attr("__module__"))) + "." +
         std::string(py::str(type.attr("__name__")));
}

}  // namespace

void set_default_generator(const py::object& generator) {
  if (!PyObject_TypeCheck(generator.ptr(), generator_type())) {
    throw py::type_error("generator: expected a weightinit.Generator");
  }
  default_generator_slot() = DefaultGenerator{generator, generator.cast<Generator*>()};
}

Source source_of(PyObject* source, PyObject* stream, PyObject* offset) {
  if (PyObject_TypeCheck(source, stream_type())) {
    if (stream != nullptr || offset != nullptr) {
      throw py::type_error(std::string(stream != nullptr ? "stream" : "offset") +
                           ": a Stream source carries its own stream id and offset");
    }
    return Source{nullptr, py::handle(source).cast<const Stream&>()};
  }
  const std::uint64_t id = stream != nullptr ? to_u64(stream, "stream") : 0;
  const std::uint64_t at = offset != nullptr ? to_u64(offset, "offset") : 0;
  Generator* gen = nullptr;
  if (source == Py_None) {
    DefaultGenerator& d = default_generator_slot();
    if (d.generator == nullptr) {
      set_default_generator(py::cast(new Generator(), py::return_value_policy::take_ownership));
    }
    gen = d.generator;
  } else if (PyObject_TypeCheck(source, generator_type())) {
    gen = py::handle(source).cast<Generator*>();
  } else if (!PyBool_Check(source) && PyIndex_Check(source)) {
    return Source{nullptr, Stream(to_u64(source, "source"), id, at)};
  }
  if (gen != nullptr) {
    if (at != 0) {
      throw py::value_error("offset: a generator draws from its own offset; give an offset "
                            "with an integer source only");
    }
    return Source{gen, Stream(0, id)};
  }
  std::string type = qualified_type_name(source);
  throw py::type_error("source: expected None (the default generator), a weightinit.Generator, "
                       "an integer seed or a Stream, got " + type +
                       (type == "torch._C.Generator" || type == "torch.Generator"
                            ? " (torch.Generator's stream cannot be reproduced; use "
                              "weightinit.Generator(seed))"
                            : ""));
}

bool flag(PyObject* v, const char* name) {
  if (!PyBool_Check(v)) {
    throw py::type_error(std::string(name) + ": expected a bool, got " + qualified_type_name(v));
  }
  return v == Py_True;
}

namespace {

const Law& law_arg(PyObject* v, const char* name) {
  if (!PyObject_TypeCheck(v, law_type())) {
    throw py::type_error(std::string(name) + ": expected a weightinit Law, got " +
                         qualified_type_name(v));
  }
  return py::handle(v).cast<const Law&>();
}

std::uint64_t numel_of(const Output& t) {
  std::uint64_t n = 1;
  for (std::int64_t d : t.shape) n *= static_cast<std::uint64_t>(d);
  return n;
}

// fill(out, law, source=None, *, stream=0, offset=0, box=None, name="out", no_grad=False,
//      strict=False)
PyObject* fill_door(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  static const Signature* sig = new Signature(
      "fill", {"out", "law", "source"}, 2, {"stream", "offset", "box", "name", "no_grad", "strict"});
  PyObject* a[9];
  sig->parse(args, nargs, kwnames, a);
  const std::string name = a[6] ? text_arg(a[6], "name") : std::string("out");
  const bool no_grad = a[7] ? flag(a[7], "no_grad") : false;
  const bool strict = a[8] ? flag(a[8], "strict") : false;

  // One output and its law, or a tuple of outputs and a tuple of as many laws (sub-draws).
  std::vector<PyObject*> outs, laws;
  if (PyTuple_Check(a[1])) {
    const Py_ssize_t n = PyTuple_GET_SIZE(a[1]);
    if (!PyTuple_Check(a[0]) || PyTuple_GET_SIZE(a[0]) != n || n == 0 || n > 256) {
      throw py::type_error("out, law: a tuple of laws needs a tuple of as many outputs (1 to 256)");
    }
    for (Py_ssize_t k = 0; k < n; ++k) {
      outs.push_back(PyTuple_GET_ITEM(a[0], k));
      laws.push_back(PyTuple_GET_ITEM(a[1], k));
    }
  } else {
    outs.push_back(a[0]);
    laws.push_back(a[1]);
  }
  std::vector<const Law*> law(laws.size());
  for (std::size_t k = 0; k < laws.size(); ++k) law[k] = &law_arg(laws[k], "law");

  std::vector<DoorOutput> out(outs.size());
  for (std::size_t k = 0; k < outs.size(); ++k) {
    out[k].out = writable_output(outs[k], law[k]->kind == Law::Kind::kBits, no_grad, name);
    if (strict) check_proper(*law[k], out[k].out.dtype);
  }
  // box = (global_shape, start), either None for its default: out's shape, the origin.
  bool global = false, started = false;
  std::vector<std::int64_t> g, st;
  if (a[5] != nullptr && a[5] != Py_None) {
    if (!PyTuple_Check(a[5]) || PyTuple_GET_SIZE(a[5]) != 2) {
      throw py::type_error("box: expected a pair (global_shape, start), got " + brief(a[5]));
    }
    PyObject* gs = PyTuple_GET_ITEM(a[5], 0);
    PyObject* s0 = PyTuple_GET_ITEM(a[5], 1);
    if ((global = gs != Py_None)) g = dims(gs, "global_shape");
    if ((started = s0 != Py_None)) st = dims(s0, "start");
  }
  for (DoorOutput& o : out) {
    const std::size_t rank = o.out.shape.size();
    if ((global && g.size() != rank) || (started && st.size() != rank)) {
      throw py::value_error("global_shape, start: need the rank of out (" +
                            std::to_string(rank) + ")");
    }
    o.blocks = o.out.meta ? 0 : blocks_for(numel_of(o.out), o.out.dtype);
  }
  const Source source = source_of(a[2] ? a[2] : Py_None, a[3], a[4]);
  try {
    run_draw(out, source, name, [&](const Stream& s, const FillControl& control) {
      for (std::size_t k = 0; k < out.size(); ++k) {
        const Output& t = out[k].out;
        const Stream sk = s.sub_stream(k);
        const std::size_t r = t.shape.size();
        const std::vector<std::int64_t>& gk = global ? g : t.shape;
        const std::vector<std::int64_t> zero(r, 0);
        const std::vector<std::int64_t>& stk = started ? st : zero;
        if (t.meta) {  // checked, never written: the law's own checks still run
          fill_law(*law[k], sk, t.dtype, zero, stk, zero, nullptr, zero);
        } else {
          fill_law(*law[k], sk, t.dtype, gk, stk, t.shape, t.data, t.byte_strides, control);
        }
      }
    });
  } catch (const ValueError& e) {
    // The core names the buffer "out"; the caller may call it otherwise.
    const std::string what = e.what();
    if (name != "out" && what.rfind("out: ", 0) == 0) throw ValueError(name + what.substr(3));
    throw;
  }
  Py_RETURN_NONE;
}

}  // namespace

void register_fill(py::module_& m) {
  py::class_<Generator>(m, "Generator", "The counter-based generator (generator.hpp).")
      .def(py::init([](const py::handle& seed) { return new Generator(to_u64(seed, "seed")); }),
           py::arg("seed") = Generator::kDefaultSeed)
      .def("initial_seed", &Generator::initial_seed)
      .def_property_readonly("offset", &Generator::offset)
      .def("_set_state", [](Generator& g, const py::handle& seed, const py::handle& offset) {
        g.set_state(to_u64(seed, "state seed"), to_u64(offset, "state offset"));
      });
  m.def("blocks_for", [](std::uint64_t numel, int itemsize) {
        return blocks_for(numel, itemsize == 8 ? DType::kFloat64 : DType::kFloat32);
      }, py::arg("numel"), py::arg("itemsize"));
  m.def("check_seed", [](const py::handle& v, const std::string& name) { return to_u64(v, name.c_str()); },
        py::arg("value"), py::arg("name") = "seed",
        "`value` as a seed, stream id or offset: an integer in [0, 2**64), else TypeError / "
        "ValueError naming `name` (the conversion of every such argument of the bindings).");
  m.def("check_shape", [](const py::handle& v, const std::string& name) {
          const std::vector<std::int64_t> shape = int_list(v, name.c_str(), true);
          detail::check_shape(shape, name.c_str());
          py::tuple t(shape.size());
          for (std::size_t k = 0; k < shape.size(); ++k) t[k] = py::int_(shape[k]);
          return t;
        }, py::arg("value"), py::arg("name") = "shape",
        "`value` (an int or a sequence of ints) as a shape tuple: non-negative dimensions, "
        "fewer than 2**63 elements, else TypeError / ValueError naming `name`.");
  m.def("_set_default_generator", &set_default_generator, py::arg("generator"),
        "Make `generator` the one a door's source=None draws from.");
  add_door<fill_door>(m, "fill",
      "fill(out, law, source=None, *, stream=0, offset=0, box=None, name='out', no_grad=False, "
      "strict=False)\n--\n\n"
      "Fill `out` in place with `law`: the one door for random values.\n\n"
      "`out` is a writable NumPy array or CPU torch tensor (any strides; a meta tensor is "
      "checked and left alone). `source` is None (the default generator), a Generator (its "
      "key, from its offset, which advances past the blocks drawn and goes back if the fill "
      "fails) or an integer key (drawn from `offset`) on stream id `stream`, or a Stream "
      "(its key, stream id, offset and family; `stream` and `offset` not given). `box` = "
      "(global_shape, start), either None for its default (out's shape, the origin): `out` is "
      "that box of the whole tensor. A tuple of laws with a tuple of as many outputs is one draw: output k reads "
      "sub-stream k (stream XOR (k << 56)) from the same offset, and a generator advances by "
      "the most blocks any reads. `name` names the output in messages; `no_grad` writes a "
      "tensor that requires grad (torch.nn.init's rule); `strict` refuses laws that would be "
      "degenerate in out's dtype.");
}

}  // namespace weightinit::bindings
