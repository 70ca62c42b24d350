// SPDX-License-Identifier: BSD-3-Clause
// Philox, fans, targets and threads.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

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
      [](const std::vector<std::int64_t>& shape, const std::string& layout) {
        FanLayout l;
        if (layout == "tf") {
          l = FanLayout::kTensorFlow;
        } else if (layout == "torch") {
          l = FanLayout::kTorch;
        } else {
          throw py::value_error("layout: expected 'tf' or 'torch', got '" + layout + "'");
        }
        const Fans f = compute_fans(shape, l);
        return py::make_tuple(f.fan_in, f.fan_out);
      },
      py::arg("shape"), py::arg("layout"));
  m.def("available_targets", [] {
    std::vector<std::string> out;
    for (Target t : available_targets()) out.emplace_back(target_name(t));
    return out;
  });
  m.def("active_target", [] { return std::string(target_name(active_target())); });
  m.def(
      "set_target", [](const std::string& name) { set_active_target(parse_target(name)); },
      py::arg("name"));
  m.def("get_num_threads", &get_num_threads);
  m.def("set_num_threads", &set_num_threads, py::arg("n"));
}

}  // namespace weightinit::bindings
