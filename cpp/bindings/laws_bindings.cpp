// SPDX-License-Identifier: BSD-3-Clause
// The law table (laws.hpp) for Python: weightinit._core.Law and weightinit._core.laws.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "weightinit/laws.hpp"
#include "weightinit/orthogonal.hpp"
#include "weightinit/presets.hpp"

namespace py = pybind11;

namespace weightinit::bindings {
namespace {

constexpr std::array<const char*, 6> kKindNames = {
    "constant", "uniform", "normal", "truncated_normal", "truncated_normal_between", "bits"};
constexpr std::array<const char*, 6> kParamNames = {
    "value", "low, high", "mean, stddev", "mean, stddev, a, b", "mean, stddev, low, high", ""};

const char* kind_name(Law::Kind k) { return kKindNames[static_cast<std::size_t>(k)]; }

Law::Kind parse_kind(const std::string& name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (name == kKindNames[i]) return static_cast<Law::Kind>(i);
  }
  throw py::value_error("distribution: expected one of 'uniform', 'normal', 'truncated_normal', "
                        "'truncated_normal_between', 'bits' or 'constant', got '" + name + "'");
}

py::tuple params_of(const Law& law) {
  const double p[4] = {law.p0, law.p1, law.p2, law.p3};
  py::tuple t(static_cast<std::size_t>(law.arity()));
  for (int i = 0; i < law.arity(); ++i) t[static_cast<std::size_t>(i)] = py::float_(p[i]);
  return t;
}

Law law_of(const py::handle& distribution, const py::handle& params) {
  const std::string kind = text_arg(distribution, "distribution");
  const Law::Kind k = parse_kind(kind);
  if (!PySequence_Check(params.ptr()) || PyUnicode_Check(params.ptr())) {
    throw py::type_error("params: expected a sequence of numbers");
  }
  const auto seq = py::reinterpret_borrow<py::sequence>(params);
  Law law{k, 0.0, 0.0, 0.0, 0.0};
  const auto n = static_cast<std::size_t>(law.arity());
  const std::string names = kParamNames[static_cast<std::size_t>(k)];
  if (seq.size() != n) {
    throw py::value_error("params: " + kind + " takes (" + names + "), got " +
                          std::to_string(seq.size()) + " values");
  }
  double* p[4] = {&law.p0, &law.p1, &law.p2, &law.p3};
  for (std::size_t i = 0; i < n; ++i) {
    *p[i] = real(seq[i], ("params[" + std::to_string(i) + "]").c_str());
  }
  // The fill API takes proper laws only (the degenerate forms are the framework surfaces'):
  // the Distribution factories check them with their messages.
  switch (k) {
    case Law::Kind::kConstant:
      if (!std::isfinite(law.p0)) throw py::value_error("value: must be finite");
      break;
    case Law::Kind::kUniform: Distribution::uniform(law.p0, law.p1); break;
    case Law::Kind::kNormal: Distribution::normal(law.p0, law.p1); break;
    case Law::Kind::kTruncatedNormal: Distribution::truncated_normal(law.p0, law.p1, law.p2, law.p3); break;
    case Law::Kind::kTruncatedNormalBetween:
      Distribution::truncated_normal_between(law.p0, law.p1, law.p2, law.p3);
      break;
    case Law::Kind::kBits: break;
  }
  return law;
}

std::string repr(const Law& law) {
  std::string out = std::string("Law.") + kind_name(law.kind) + "(";
  const double p[4] = {law.p0, law.p1, law.p2, law.p3};
  for (int i = 0; i < law.arity(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", p[i]);
    out += (i ? ", " : "") + std::string(buf);
  }
  return out + ")";
}

// A Keras axis list: a list or tuple of Python ints (negative allowed), else TypeError
// naming `name`; the range is checked against the shape by compute_fans.
std::vector<std::int64_t> axes_of(const py::handle& axes, const char* name) {
  if (!py::isinstance<py::list>(axes) && !py::isinstance<py::tuple>(axes)) {
    throw py::type_error(std::string(name) + ": expected a list or tuple of ints, got " +
                         std::string(py::str(py::type::handle_of(axes).attr("__name__"))));
  }
  std::vector<std::int64_t> out;
  for (const py::handle a : axes) {
    if (py::isinstance<py::bool_>(a) || !PyIndex_Check(a.ptr())) {
      throw py::type_error(std::string(name) + ": expected a list or tuple of ints, got an "
                           "element of type " +
                           std::string(py::str(py::type::handle_of(a).attr("__name__"))));
    }
    const long long x = PyLong_AsLongLong(index_of(a, name).ptr());
    if (x == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::value_error(std::string(name) + ": axis " + brief(a) + " is out of range");
    }
    out.push_back(x);
  }
  return out;
}

// One of JAX's axis arguments: an int (not bool) or a sequence of them, else TypeError naming
// `name`; an int beyond int64 is out of range for any shape of `rank`.
JaxAxes jax_axes_of(const py::handle& value, const char* name, std::size_t rank) {
  auto one = [&](const py::handle& a) -> std::int64_t {
    if (py::isinstance<py::bool_>(a) || !PyIndex_Check(a.ptr())) {
      throw py::type_error(std::string(name) + ": expected an int or a sequence of ints, got " +
                           brief(value));
    }
    const py::object i = index_of(a, name);
    const long long x = PyLong_AsLongLong(i.ptr());
    if (x == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::value_error(std::string(name) + ": axis " + std::string(py::str(i)) +
                            " is out of range for a shape of rank " + std::to_string(rank));
    }
    return x;
  };
  JaxAxes out;
  if (PyIndex_Check(value.ptr()) && !py::isinstance<py::bool_>(value)) {
    out.single = true;
    out.axes.push_back(one(value));
    return out;
  }
  if (!PySequence_Check(value.ptr()) || PyUnicode_Check(value.ptr()) || PyBytes_Check(value.ptr())) {
    throw py::type_error(std::string(name) + ": expected an int or a sequence of ints, got " +
                         brief(value));
  }
  for (const py::handle a : py::reinterpret_borrow<py::sequence>(value)) out.axes.push_back(one(a));
  return out;
}

FanLayout layout_of(const std::string& layout) {
  if (layout == "tf") return FanLayout::kTensorFlow;
  if (layout == "torch") return FanLayout::kTorch;
  throw py::value_error("layout: expected 'tf' or 'torch', got '" + layout + "'");
}

}  // namespace

void register_laws(py::module_& m) {
  py::class_<Law>(m, "Law", "What every element of a tensor is drawn from, or set to (laws.hpp).")
      .def_static("constant", [](const py::handle& v) { return Law::constant(real(v, "value")); },
                  py::arg("value"))
      .def_static("uniform", [](const py::handle& lo, const py::handle& hi) {
            return Law::uniform(real(lo, "low"), real(hi, "high"));
          }, py::arg("low"), py::arg("high"))
      .def_static("normal", [](const py::handle& mean, const py::handle& sd) {
            return Law::normal(real(mean, "mean"), real(sd, "stddev"));
          }, py::arg("mean"), py::arg("stddev"))
      .def_static("truncated_normal", [](const py::handle& mean, const py::handle& sd,
                                         const py::handle& a, const py::handle& b) {
            return Law::truncated_normal(real(mean, "mean"), real(sd, "stddev"), real(a, "a"), real(b, "b"));
          }, py::arg("mean"), py::arg("stddev"), py::arg("a"), py::arg("b"))
      .def_static("truncated_normal_between", [](const py::handle& mean, const py::handle& sd,
                                                 const py::handle& lo, const py::handle& hi) {
            return Law::truncated_normal_between(real(mean, "mean"), real(sd, "stddev"),
                                                 real(lo, "low"), real(hi, "high"));
          }, py::arg("mean"), py::arg("stddev"), py::arg("low"), py::arg("high"))
      .def_static("bits", &Law::bits)
      .def_static("of", &law_of, py::arg("distribution"), py::arg("params"),
                  "A proper law from the fill API's (distribution name, params): degenerate "
                  "parameters are a ValueError here.")
      .def_property_readonly("kind", [](const Law& l) { return kind_name(l.kind); })
      .def_property_readonly("params", &params_of)
      .def("__repr__", &repr)
      .def("__eq__", [](const Law& a, const Law& b) { return a == b; }, py::is_operator())
      .def("__hash__", [](const Law& l) { return py::hash(py::make_tuple(kind_name(l.kind), params_of(l))); })
      .def(py::pickle([](const Law& l) { return py::make_tuple(kind_name(l.kind), params_of(l)); },
                      [](const py::tuple& t) {
                        return law_of(t[0], t[1]);
                      }));

  py::module_ l = m.def_submodule("laws", "The law table: named initializers -> Law (laws.hpp).");
  l.def("variance_scaling", [](const py::handle& shape, const std::string& layout,
                               const py::handle& scale, const std::string& mode,
                               const std::string& distribution, const py::handle& input_axes,
                               const py::handle& output_axes) {
          const std::vector<std::int64_t> s = dims(shape, "shape");
          // Keras 3: explicit axes decide the fans only when both lists are given.
          const Fans fans = input_axes.is_none() || output_axes.is_none()
              ? compute_fans(s, layout_of(layout))
              : compute_fans(s, axes_of(input_axes, "input_axes"),
                             axes_of(output_axes, "output_axes"));
          return laws::variance_scaling(fans, real(scale, "scale"), laws::parse_mode(mode),
                                        laws::parse_scaling(distribution));
        }, py::arg("shape"), py::arg("layout"), py::arg("scale"), py::arg("mode"), py::arg("distribution"),
        py::arg("input_axes") = py::none(), py::arg("output_axes") = py::none());
  l.def("jax_variance_scaling", [](const py::handle& fan_in, const py::handle& fan_out,
                                   const py::handle& scale, const std::string& mode,
                                   const std::string& distribution) {
          return laws::jax_variance_scaling(real(fan_in, "fan_in"), real(fan_out, "fan_out"),
                                            real(scale, "scale"), mode, distribution);
        }, py::arg("fan_in"), py::arg("fan_out"), py::arg("scale"), py::arg("mode"),
        py::arg("distribution"));
  l.def("jax_fans", [](const py::handle& shape, const py::handle& in_axis,
                       const py::handle& out_axis, const py::handle& batch_axis) {
          const std::vector<std::int64_t> s = dims(shape, "shape");
          const RealFans f = jax_fans(s, jax_axes_of(in_axis, "in_axis", s.size()),
                                      jax_axes_of(out_axis, "out_axis", s.size()),
                                      jax_axes_of(batch_axis, "batch_axis", s.size()));
          return py::make_tuple(f.fan_in, f.fan_out);
        }, py::arg("shape"), py::arg("in_axis"), py::arg("out_axis"), py::arg("batch_axis"),
        "JAX's (fan_in, fan_out) for its in / out / batch axes (fans.hpp: jax_fans).");
  l.def("jax_truncated_normal", [](const py::handle& stddev, const py::handle& lower,
                                   const py::handle& upper) {
          return laws::jax_truncated_normal(real(stddev, "stddev"), real(lower, "lower"),
                                            real(upper, "upper"));
        }, py::arg("stddev"), py::arg("lower"), py::arg("upper"));
  l.def("preset", [](const std::string& name) {
          const laws::Preset& p = laws::preset(name);
          return py::make_tuple(p.scale, laws::mode_name(p.mode), laws::scaling_name(p.distribution));
        }, py::arg("name"),
        "(scale, mode, distribution) of the VarianceScaling preset `name` (presets.hpp).");
  l.def("preset_names", [] {
          py::list names;
          for (const laws::Preset& p : laws::presets()) names.append(p.name);
          return names;
        });
  l.def("unit_gain", [](const std::string& nonlinearity) { return laws::unit_gain(nonlinearity); },
        py::arg("nonlinearity"));
  l.def("delta_orthogonal_centre", [](const py::handle& shape) {
          const std::vector<std::int64_t> c = delta_orthogonal_centre(dims(shape, "shape"));
          py::tuple t(c.size());
          for (std::size_t k = 0; k < c.size(); ++k) t[k] = py::int_(c[k]);
          return t;
        }, py::arg("shape"),
        "The spatial index ((k1 - 1) // 2, ...) of a delta-orthogonal kernel's centre.");
  l.def("dirac_ones", [](const py::handle& shape, std::int64_t groups) {
          const std::vector<std::vector<std::int64_t>> index =
              laws::dirac_ones(dims(shape, "shape"), groups);
          py::tuple t(index.size());
          for (std::size_t k = 0; k < index.size(); ++k) {
            py::array_t<std::int64_t> a(static_cast<py::ssize_t>(index[k].size()));
            std::copy(index[k].begin(), index[k].end(), a.mutable_data());
            t[k] = a;
          }
          return t;
        }, py::arg("shape"), py::arg("groups"),
        "The index arrays (int64, one per axis) of torch's dirac_ ones.");
  l.def("sparse_zeros", [](std::int64_t rows, const py::handle& sparsity) {
          return laws::sparse_zeros(rows, real(sparsity, "sparsity"));
        }, py::arg("rows"), py::arg("sparsity"));
  l.def("uniform_unit_scaling", [](const py::handle& shape, const py::handle& factor) {
          return laws::uniform_unit_scaling(dims(shape, "shape"), real(factor, "factor"));
        }, py::arg("shape"), py::arg("factor"));
  l.def("tf_truncated_normal", [](const py::handle& mean, const py::handle& stddev) {
          return laws::tf_truncated_normal(real(mean, "mean"), real(stddev, "stddev"));
        }, py::arg("mean"), py::arg("stddev"));
  l.def("calculate_gain", [](const std::string& nonlinearity, const py::handle& param) {
          std::optional<double> p;
          if (!param.is_none()) p = real(param, "param");
          return laws::calculate_gain(nonlinearity, p);
        }, py::arg("nonlinearity"), py::arg("param") = py::none());
  l.def("torch_fan", [](const py::handle& shape, const std::string& mode) {
          return laws::torch_fan(dims(shape, "shape"), mode);
        }, py::arg("shape"), py::arg("mode"));
  l.def("xavier_uniform", [](const py::handle& shape, const py::handle& gain) {
          return laws::xavier_uniform(dims(shape, "shape"), real(gain, "gain"));
        }, py::arg("shape"), py::arg("gain"));
  l.def("xavier_normal", [](const py::handle& shape, const py::handle& gain) {
          return laws::xavier_normal(dims(shape, "shape"), real(gain, "gain"));
        }, py::arg("shape"), py::arg("gain"));
  l.def("kaiming_uniform", [](const py::handle& shape, const py::handle& a, const std::string& mode,
                              const std::string& nonlinearity) {
          return laws::kaiming_uniform(dims(shape, "shape"), real(a, "a"), mode, nonlinearity);
        }, py::arg("shape"), py::arg("a"), py::arg("mode"), py::arg("nonlinearity"));
  l.def("kaiming_normal", [](const py::handle& shape, const py::handle& a, const std::string& mode,
                             const std::string& nonlinearity) {
          return laws::kaiming_normal(dims(shape, "shape"), real(a, "a"), mode, nonlinearity);
        }, py::arg("shape"), py::arg("a"), py::arg("mode"), py::arg("nonlinearity"));
  l.def("trunc_normal", [](const py::handle& mean, const py::handle& std, const py::handle& a,
                           const py::handle& b) {
          return laws::trunc_normal(real(mean, "mean"), real(std, "std"), real(a, "a"), real(b, "b"));
        }, py::arg("mean"), py::arg("std"), py::arg("a"), py::arg("b"));

  // C++ errors keep their messages; their types become ValueError / TypeError, and the
  // division by zero of a formula is also a ZeroDivisionError (what torch raises there).
  static PyObject* zero_division = PyErr_NewException(
      "weightinit.ZeroDivisionError",
      py::make_tuple(py::handle(PyExc_ValueError), py::handle(PyExc_ZeroDivisionError)).release().ptr(),
      nullptr);
  m.attr("ZeroDivisionError") = py::handle(zero_division);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ZeroDivisionError& e) {
      PyErr_SetString(zero_division, e.what());
    } catch (const TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    }
  });
}

}  // namespace weightinit::bindings
