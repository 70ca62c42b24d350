// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <pybind11/pybind11.h>

namespace weightinit::bindings {
void register_fill(pybind11::module_& m);
void register_core(pybind11::module_& m);
}  // namespace weightinit::bindings
