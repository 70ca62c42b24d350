// SPDX-License-Identifier: BSD-3-Clause
// The TF1 classes (initializers.hpp) for Python: weightinit._core.tf1, under weightinit.tf1's
// shells. A call converts its arguments, runs the C++ class with the GIL released, and hands
// the C++ tensor's buffer to NumPy without a copy.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "gil.hpp"
#include "weightinit/initializers.hpp"

namespace py = pybind11;

namespace weightinit::bindings {
namespace {

std::string type_name(const py::handle& v) { return py::str(py::type::of(v).attr("__name__")); }

// A list of integers (any sign: the C++ classes check the values) from an int or an iterable
// of ints (a NumPy integer array too, as TF reads shapes): the shared conversion.
Shape int_list(const py::handle& v, const char* name) { return bindings::int_list(v, name, true); }

// A bound that may be an integer: an exact integer within 64 bits, else a double.
Number number_arg(const py::handle& v, const char* name) {
  if (!PyBool_Check(v.ptr()) && PyIndex_Check(v.ptr())) {
    PyObject* i = PyNumber_Index(v.ptr());
    if (i) {
      const py::object index = py::reinterpret_steal<py::object>(i);
      int overflow = 0;
      const long long s = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
      if (overflow == 0) return Number(static_cast<std::int64_t>(s));
      if (overflow > 0) {
        const unsigned long long u = PyLong_AsUnsignedLongLong(index.ptr());
        if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
          return Number(static_cast<std::uint64_t>(u));
        }
        PyErr_Clear();
      }
      return Number(real(index, name));  // beyond 64 bits: the nearest double
    }
    // A float array's __index__ refuses it (TypeError): read as a real number below.
    if (!PyErr_ExceptionMatches(PyExc_TypeError)) raise_named(v, name, "operator.index()");
    PyErr_Clear();
  }
  return Number(real(v, name));
}

py::object number_object(const Number& v) {
  if (!v.is_integer()) return py::float_(v.to_double());
  py::object m = py::int_(v.magnitude());
  return v.negative() ? m.attr("__neg__")() : m;
}

// A PartitionInfo (ours, or any object with full_shape and var_offset, as TF's own), checked
// by the C++ constructor.
std::optional<PartitionInfo> partition_arg(const py::handle& v) {
  if (v.is_none()) return std::nullopt;
  if (py::isinstance<PartitionInfo>(v)) return v.cast<PartitionInfo>();
  if (!py::hasattr(v, "full_shape") || !py::hasattr(v, "var_offset")) {
    throw py::type_error("partition_info: expected a PartitionInfo (with full_shape and "
                         "var_offset), got " + type_name(v));
  }
  Shape full = int_list(v.attr("full_shape"), "partition_info.full_shape");
  Shape offset = int_list(v.attr("var_offset"), "partition_info.var_offset");
  return PartitionInfo(std::move(full), std::move(offset));
}

py::tuple dims_tuple(const Shape& s) {
  py::tuple t(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) t[i] = py::int_(s[i]);
  return t;
}

// NumPy's dtype of an element type (bfloat16: ml_dtypes', imported on first use).
py::dtype numpy_dtype(ElementType t) {
  switch (t) {
    case ElementType::kFloat32: return py::dtype::of<float>();
    case ElementType::kFloat64: return py::dtype::of<double>();
    case ElementType::kFloat16: return py::dtype("float16");
    case ElementType::kInt32: return py::dtype::of<std::int32_t>();
    case ElementType::kInt64: return py::dtype::of<std::int64_t>();
    case ElementType::kBFloat16: break;
  }
  static py::object bfloat16;  // lives as long as the interpreter's ml_dtypes module
  if (!bfloat16) bfloat16 = py::module_::import("ml_dtypes").attr("bfloat16");
  return py::dtype::from_args(bfloat16);
}

// The tensor as a NumPy array that owns it (no copy).
py::array to_numpy(Tensor&& tensor) {
  auto* owned = new Tensor(std::move(tensor));
  py::capsule owner(owned, [](void* p) { delete static_cast<Tensor*>(p); });
  std::vector<py::ssize_t> shape(owned->shape().begin(), owned->shape().end());
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t step = element_size(owned->dtype());
  for (std::size_t k = shape.size(); k-- > 0;) {
    strides[k] = step;
    step *= std::max<py::ssize_t>(shape[k], 1);
  }
  return py::array(numpy_dtype(owned->dtype()), shape, strides, owned->data(), owner);
}

// One call: shape, dtype (an ElementType, or None for the constructor's), partition_info,
// and stream (a Stream whose key and stream id the call draws on, or None for get_seed's pair).
py::array call(const Initializer& init, const py::handle& shape, const py::handle& dtype,
               const py::handle& partition_info, const py::handle& stream) {
  const Shape s = int_list(shape, "shape");
  std::optional<ElementType> dt;
  if (!dtype.is_none()) dt = dtype.cast<ElementType>();
  const std::optional<PartitionInfo> info = partition_arg(partition_info);
  std::optional<Stream> fixed;
  if (!stream.is_none()) {
    if (!py::isinstance<Stream>(stream)) {
      throw py::type_error("stream: expected a weightinit._core.Stream or None, got " + type_name(stream));
    }
    fixed = stream.cast<Stream>();
  }
  Tensor out;
  {
    const GilReleased released;
    std::optional<detail::ScopedStream> scope;
    if (fixed) scope.emplace(*fixed);
    out = init(s, dt, info);
  }
  return to_numpy(std::move(out));
}

// Orthogonal and the convolution-orthogonal family: constructors (gain, seed, dtype).
template <class T, class Base>
void bind_gain_seed_dtype(py::module_& m, const char* name) {
  py::class_<T, Base>(m, name)
      .def(py::init([](const py::handle& gain, const py::handle& seed, ElementType dtype) {
             const double g = real(gain, "gain");
             return new T(g, seed_arg(seed, "seed"), dtype);
           }), py::arg("gain"), py::arg("seed"), py::arg("dtype"))
      .def_property_readonly("gain", &T::gain);
}

}  // namespace

// An int beyond 64 bits is reduced modulo 2^31 - 1 on the way in, which changes nothing:
// Stream::tf1 reduces every seed so.
std::optional<std::int64_t> seed_arg(const py::handle& v, const char* name) {
  if (v.is_none()) return std::nullopt;
  if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": expected an integer or None, got " + type_name(v));
  }
  const py::object index = index_of(v, name);
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow == 0) return x;
  return py::cast<std::int64_t>(index.attr("__mod__")(kMaxInt32));
}

void register_tf1(py::module_& m) {
  py::module_ tf1 = m.def_submodule("tf1", "The TF1 initializer classes (initializers.hpp).");

  py::enum_<ElementType>(tf1, "ElementType")
      .value("float32", ElementType::kFloat32)
      .value("float64", ElementType::kFloat64)
      .value("float16", ElementType::kFloat16)
      .value("bfloat16", ElementType::kBFloat16)
      .value("int32", ElementType::kInt32)
      .value("int64", ElementType::kInt64);

  // --- seeds ---------------------------------------------------------------------------------
  tf1.def("set_random_seed", [](const py::handle& seed) { set_random_seed(seed_arg(seed, "seed")); },
          py::arg("seed"));
  tf1.def("reset_default_graph", &reset_default_graph);
  tf1.def("get_seed", [](const py::handle& op_seed) -> py::object {
        const std::optional<SeedPair> s = get_seed(seed_arg(op_seed, "op_seed"));
        if (!s) return py::none();
        return py::make_tuple(s->seed, s->seed2);
      }, py::arg("op_seed"));
  tf1.attr("DEFAULT_GRAPH_SEED") = kDefaultGraphSeed;

  // --- the stream family ---------------------------------------------------------------------
  tf1.def("set_stream", [](const py::handle& stream) {
        set_tf1_stream(parse_stream_family(text_arg(stream, "stream")));
      }, py::arg("stream"));
  tf1.def("get_stream", []() { return std::string(stream_family_name(get_tf1_stream())); });
  tf1.def("check_stream", [](const py::handle& stream) -> py::object {
        if (stream.is_none()) return py::none();
        return py::str(stream_family_name(parse_stream_family(text_arg(stream, "stream"))));
      }, py::arg("stream"), "The stream's name if it is one (None passes), else ValueError/TypeError.");
  tf1.attr("MAXINT32") = kMaxInt32;

  // --- partitions ----------------------------------------------------------------------------
  py::class_<PartitionInfo>(tf1, "PartitionInfo")
      .def(py::init([](const py::handle& full, const py::handle& offset) {
             Shape f = int_list(full, "full_shape");
             Shape o = int_list(offset, "var_offset");
             return PartitionInfo(std::move(f), std::move(o));
           }), py::arg("full_shape"), py::arg("var_offset"))
      .def_property_readonly("full_shape", [](const PartitionInfo& p) { return dims_tuple(p.full_shape()); })
      .def_property_readonly("var_offset", [](const PartitionInfo& p) { return dims_tuple(p.var_offset()); })
      .def("single_slice_dim", [](const PartitionInfo& p, const py::handle& shape) -> py::object {
             const std::optional<std::size_t> d = p.single_slice_dim(int_list(shape, "shape"));
             return d ? py::object(py::int_(*d)) : py::none();
           }, py::arg("shape"))
      .def("single_offset", [](const PartitionInfo& p, const py::handle& shape) {
             return p.single_offset(int_list(shape, "shape"));
           }, py::arg("shape"))
      .def("check", [](const PartitionInfo& p, const py::handle& shape) { p.check(int_list(shape, "shape")); },
           py::arg("shape"));

  // --- Constant's layout, for any NumPy element type -----------------------------------------
  tf1.def("constant", [](const py::handle& values, const py::handle& shape, bool verify_shape) {
        const py::array v = py::array::ensure(values, py::array::c_style);
        if (!v) throw py::type_error("values: expected an array");
        const Shape s = int_list(shape, "shape");
        detail::check_shape(s, "shape");
        const Shape value_shape(v.shape(), v.shape() + v.ndim());
        py::array out(v.dtype(), std::vector<py::ssize_t>(s.begin(), s.end()));
        const auto itemsize = static_cast<std::size_t>(v.itemsize());
        void* dst = out.mutable_data();
        {
          const GilReleased released;
          detail::constant_layout(v.data(), value_shape, itemsize, s, verify_shape, dst);
        }
        return out;
      }, py::arg("values"), py::arg("shape"), py::arg("verify_shape"),
      "A new array of `shape`: `values` (any dtype) laid out by Constant's rules.");

  // --- the classes ---------------------------------------------------------------------------
  py::class_<Initializer>(tf1, "Initializer")
      .def("__call__", &call, py::arg("shape"), py::arg("dtype") = py::none(),
           py::arg("partition_info") = py::none(), py::arg("stream") = py::none())
      .def_property_readonly("dtype", &Initializer::dtype)
      .def_property_readonly("name", &Initializer::name);
  py::class_<RandomInitializer, Initializer>(tf1, "RandomInitializer")
      .def_property_readonly("seed", &RandomInitializer::seed)
      .def_property("stream",
          [](const RandomInitializer& r) -> py::object {
            if (!r.stream()) return py::none();
            return py::str(stream_family_name(*r.stream()));
          },
          [](RandomInitializer& r, const py::handle& stream) {
            if (stream.is_none()) {
              r.set_stream(std::nullopt);
            } else {
              r.set_stream(parse_stream_family(text_arg(stream, "stream")));
            }
          });

  py::class_<RandomUniform, RandomInitializer>(tf1, "RandomUniform")
      .def(py::init([](const py::handle& minval, const py::handle& maxval, const py::handle& seed,
                       ElementType dtype) {
             const Number low = number_arg(minval, "minval");
             std::optional<Number> high;
             if (!maxval.is_none()) high = number_arg(maxval, "maxval");
             return new RandomUniform(low, high, seed_arg(seed, "seed"), dtype);
           }), py::arg("minval"), py::arg("maxval"), py::arg("seed"), py::arg("dtype"))
      .def_property_readonly("minval", [](const RandomUniform& r) { return number_object(r.minval()); })
      .def_property_readonly("maxval", [](const RandomUniform& r) -> py::object {
             return r.maxval() ? number_object(*r.maxval()) : py::none();
           });
  py::class_<RandomNormal, RandomInitializer>(tf1, "RandomNormal")
      .def(py::init([](const py::handle& mean, const py::handle& stddev, const py::handle& seed,
                       ElementType dtype) {
             const double m = real(mean, "mean"), s = real(stddev, "stddev");
             return new RandomNormal(m, s, seed_arg(seed, "seed"), dtype);
           }), py::arg("mean"), py::arg("stddev"), py::arg("seed"), py::arg("dtype"))
      .def_property_readonly("mean", &RandomNormal::mean)
      .def_property_readonly("stddev", &RandomNormal::stddev);
  py::class_<TruncatedNormal, RandomNormal>(tf1, "TruncatedNormal")
      .def(py::init([](const py::handle& mean, const py::handle& stddev, const py::handle& seed,
                       ElementType dtype) {
             const double m = real(mean, "mean"), s = real(stddev, "stddev");
             return new TruncatedNormal(m, s, seed_arg(seed, "seed"), dtype);
           }), py::arg("mean"), py::arg("stddev"), py::arg("seed"), py::arg("dtype"));
  py::class_<VarianceScaling, RandomInitializer>(tf1, "VarianceScaling")
      .def(py::init([](const py::handle& scale, const py::handle& mode, const py::handle& distribution,
                       const py::handle& seed, ElementType dtype) {
             const double s = real(scale, "scale");
             const std::string md = text_arg(mode, "mode");
             const std::string dist = text_arg(distribution, "distribution");
             return new VarianceScaling(s, md, dist, seed_arg(seed, "seed"), dtype);
           }), py::arg("scale"), py::arg("mode"), py::arg("distribution"), py::arg("seed"), py::arg("dtype"))
      .def_property_readonly("scale", &VarianceScaling::scale)
      .def_property_readonly("mode", &VarianceScaling::mode)
      .def_property_readonly("distribution", &VarianceScaling::distribution);
  py::class_<GlorotUniform, VarianceScaling>(tf1, "GlorotUniform")
      .def(py::init([](const py::handle& seed) { return new GlorotUniform(seed_arg(seed, "seed")); }),
           py::arg("seed"));
  py::class_<GlorotNormal, VarianceScaling>(tf1, "GlorotNormal")
      .def(py::init([](const py::handle& seed) { return new GlorotNormal(seed_arg(seed, "seed")); }),
           py::arg("seed"));
  py::class_<UniformUnitScaling, RandomInitializer>(tf1, "UniformUnitScaling")
      .def(py::init([](const py::handle& factor, const py::handle& seed, ElementType dtype) {
             const double f = real(factor, "factor");
             return new UniformUnitScaling(f, seed_arg(seed, "seed"), dtype);
           }), py::arg("factor"), py::arg("seed"), py::arg("dtype"))
      .def_property_readonly("factor", &UniformUnitScaling::factor);
  py::class_<Identity, Initializer>(tf1, "Identity")
      .def(py::init([](const py::handle& gain, ElementType dtype) {
             return new Identity(real(gain, "gain"), dtype);
           }), py::arg("gain"), py::arg("dtype"))
      .def_property_readonly("gain", &Identity::gain);

  bind_gain_seed_dtype<Orthogonal, RandomInitializer>(tf1, "Orthogonal");
  bind_gain_seed_dtype<ConvolutionDeltaOrthogonal, RandomInitializer>(tf1, "ConvolutionDeltaOrthogonal");
  py::class_<ConvolutionOrthogonal, RandomInitializer>(tf1, "ConvolutionOrthogonal");
  bind_gain_seed_dtype<ConvolutionOrthogonal1D, ConvolutionOrthogonal>(tf1, "ConvolutionOrthogonal1D");
  bind_gain_seed_dtype<ConvolutionOrthogonal2D, ConvolutionOrthogonal>(tf1, "ConvolutionOrthogonal2D");
  bind_gain_seed_dtype<ConvolutionOrthogonal3D, ConvolutionOrthogonal>(tf1, "ConvolutionOrthogonal3D");
}

}  // namespace weightinit::bindings
