// SPDX-License-Identifier: BSD-3-Clause
// The binding modules and the argument conversions they share.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>

#include "weightinit/fill.hpp"

namespace weightinit::bindings {

void register_fill(pybind11::module_& m);
void register_core(pybind11::module_& m);
void register_matrix(pybind11::module_& m);

/// A Python int in [0, 2^64), else ValueError/TypeError naming `name`.
std::uint64_t to_u64(const pybind11::handle& v, const char* name);
/// A Python float (or int) as a double, finite or not; TypeError naming `name` otherwise.
double finite_or_inf(const pybind11::handle& v, const char* name);
/// The DType of a NumPy dtype (native byte order), else TypeError naming `out`.
DType dtype_of(const pybind11::dtype& dt);
/// `out` as a writable NumPy array, else TypeError / ValueError naming `out`.
pybind11::array checked_array(const pybind11::handle& out);

}  // namespace weightinit::bindings
