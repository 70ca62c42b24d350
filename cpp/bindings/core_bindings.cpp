// SPDX-License-Identifier: BSD-3-Clause
// Philox, fans, targets and threads.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "bindings.hpp"
#include "weightinit/cpu.hpp"
#include "weightinit/fans.hpp"
#include "weightinit/philox.hpp"

namespace py = pybind11;

namespace weightinit::bindings {

void register_core(py::module_& m) {
  m.def(
      "philox4x32",
      [](const Philox4x32Ctr& ctr, const Philox4x32Key& key, int rounds) {
        if (rounds < 0 || rounds > 64) throw py::value_error("rounds: must be in [0, 64]");
        return philox4x32(ctr, key, rounds);
      },
      py::arg("ctr"), py::arg("key"), py::arg("rounds") = 10,
      "One Philox4x32 block: the four output words for counter `ctr` and key `key`.");
  m.def(
      "compute_fans",
      [](const py::handle& shape, const py::handle& layout_arg) {
        const std::vector<std::int64_t> dims_of_shape = dims(shape, "shape");
        const std::string layout = text_arg(layout_arg, "layout");
        FanLayout l;
        if (layout == "tf") {
          l = FanLayout::kTensorFlow;
        } else if (layout == "torch") {
          l = FanLayout::kTorch;
        } else {
          throw py::value_error("layout: expected 'tf' or 'torch', got '" + layout + "'");
        }
        const Fans f = compute_fans(dims_of_shape, l);
        return py::make_tuple(f.fan_in, f.fan_out);
      },
      py::arg("shape"), py::arg("layout"));
  m.def(
      "real",
      [](const py::handle& value, const std::string& name) { return real(value, name.c_str()); },
      py::arg("value"), py::arg("name"),
      "`value` as a float, by the rules every parameter of the bindings follows (bindings.hpp): "
      "TypeError / ValueError naming `name`.");
  m.def("available_targets", [] {
    std::vector<std::string> out;
    for (Target t : available_targets()) out.emplace_back(target_name(t));
    return out;
  });
  m.def("active_target", [] { return std::string(target_name(active_target())); });
  m.def(
      "set_target",
      [](const py::handle& name) { set_active_target(parse_target(text_arg(name, "name"))); },
      py::arg("name"));
  m.def("get_num_threads", &get_num_threads);
  m.def(
      "set_num_threads",
      [](const py::handle& n) {
        if (PyBool_Check(n.ptr()) || !PyIndex_Check(n.ptr())) {
          throw py::type_error("n: expected an int, got " +
                               std::string(py::str(py::type::of(n).attr("__name__"))));
        }
        const py::object i = index_of(n, "n");
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
        if (overflow != 0) {  // beyond int64: out of range by far; C++ states the range
          try {
            set_num_threads(overflow > 0 ? INT64_MAX : INT64_MIN);
          } catch (const std::invalid_argument& e) {
            const std::string msg = e.what();
            throw py::value_error(msg.substr(0, msg.rfind("got ") + 4) + brief(i));
          }
        }
        set_num_threads(v);  // std::invalid_argument -> ValueError naming n and the maximum
      },
      py::arg("n"));
}

}  // namespace weightinit::bindings
