// SPDX-License-Identifier: BSD-3-Clause
// Keep a NumPy array's memory in place while a fill writes it without the GIL.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <vector>

namespace weightinit::bindings {

/// Pins the memory of `array` for the pin's lifetime: no other thread can free or move it.
/// Create it before releasing the GIL and destroy it after taking the GIL back (both need
/// the GIL).
///
/// NumPy (checked on 2.4) frees or moves an array's data in two places: ndarray.resize,
/// which, with refcheck=False, refuses only arrays that do not own their data, have a base,
/// or have a weak reference (it ignores buffer exports: a Py_buffer export is no pin), and
/// ndarray.__setstate__, which refuses nothing. So the pin holds a weak reference to the
/// array and to every array on its base chain (the owner of a view's memory): resize then
/// raises ValueError ("cannot resize an array that references or is referenced by another
/// array in this way") instead of freeing the memory. __setstate__ on an array that a fill
/// is writing remains undefined behaviour, as it is for every NumPy consumer.
class ArrayPin {
 public:
  explicit ArrayPin(const pybind11::array& array) {
    pybind11::object obj = array;
    while (pybind11::isinstance<pybind11::array>(obj)) {
      PyObject* ref = PyWeakref_NewRef(obj.ptr(), nullptr);
      if (ref == nullptr) throw pybind11::error_already_set();
      refs_.push_back(pybind11::reinterpret_steal<pybind11::object>(ref));
      obj = obj.attr("base");
    }
  }
  ArrayPin(const ArrayPin&) = delete;
  ArrayPin& operator=(const ArrayPin&) = delete;

 private:
  std::vector<pybind11::object> refs_;  // weak references, one per array on the base chain
};

}  // namespace weightinit::bindings
