// SPDX-License-Identifier: BSD-3-Clause
// Keep a NumPy array's memory in place while a fill writes it without the GIL.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

namespace weightinit::bindings {

/// Pins the memory of `array` for the pin's lifetime: no other thread can free or move it.
/// Create it before releasing the GIL and destroy it after taking the GIL back (both need
/// the GIL).
///
/// The memory belongs to the last object of the owner chain: an array's `base`, a
/// memoryview's `obj` (the exporter), until an object that is neither. Each link is pinned
/// as its kind allows:
/// * an ndarray by a weak reference. NumPy (checked on 2.4) frees or moves an array's data
///   in ndarray.resize, which, with refcheck=False, refuses only arrays that do not own their
///   data, have a base, or have a weak reference (it ignores buffer exports), and in
///   ndarray.__setstate__, which refuses nothing. With the weak reference, resize raises
///   ValueError ("cannot resize an array that references or is referenced by another array
///   in this way") instead of freeing the memory. __setstate__ on an array that a fill is
///   writing remains undefined behaviour, as it is for every NumPy consumer.
/// * a memoryview, and the last object when it exports buffers (bytearray, mmap.mmap, the
///   mmap of multiprocessing.shared_memory, array.array, ctypes arrays), by a buffer export
///   held for the fill: memoryview.release, bytearray resizes and mmap.close then raise
///   BufferError. An owner without the buffer protocol (an object that exposes
///   __array_interface__, a torch tensor) is only kept alive.
/// A memoryview that has already been released leaves its array's memory unowned: refused
/// with ValueError naming `name`.
class ArrayPin {
 public:
  ArrayPin(const pybind11::array& array, const std::string& name) {
    pybind11::object obj = array;
    for (;;) {
      if (pybind11::isinstance<pybind11::array>(obj)) {
        PyObject* ref = PyWeakref_NewRef(obj.ptr(), nullptr);
        if (ref == nullptr) throw pybind11::error_already_set();
        refs_.push_back(pybind11::reinterpret_steal<pybind11::object>(ref));
        obj = obj.attr("base");
        if (obj.is_none()) return;
        continue;
      }
      const bool view = PyMemoryView_Check(obj.ptr());
      if (!export_buffer(obj)) {
        if (view) {
          throw pybind11::value_error(name + ": its memory belonged to a memoryview that has "
                                      "been released; nothing keeps that memory in place");
        }
        return;  // no buffer protocol: kept alive by the array, nothing to pin
      }
      if (!view) return;
      PyObject* owner = PyMemoryView_GET_BUFFER(obj.ptr())->obj;
      if (owner == nullptr) return;  // a memoryview of raw memory: the view owns it
      obj = pybind11::reinterpret_borrow<pybind11::object>(owner);
    }
  }
  ArrayPin(const ArrayPin&) = delete;
  ArrayPin& operator=(const ArrayPin&) = delete;

 private:
  // Hold a buffer export of `obj` until the pin ends; false (no Python error set) if `obj`
  // exports none.
  bool export_buffer(const pybind11::object& obj) {
    if (!PyObject_CheckBuffer(obj.ptr())) return false;
    exports_.views.reserve(exports_.views.size() + 1);  // nothing throws once it is taken
    auto view = std::make_unique<Py_buffer>();
    // The most permissive request (strides, suboffsets, format; read-only): any exporter
    // grants it, and no byte is read through it.
    if (PyObject_GetBuffer(obj.ptr(), view.get(), PyBUF_FULL_RO) != 0) {
      PyErr_Clear();
      return false;
    }
    exports_.views.push_back(std::move(view));
    return true;
  }

  std::vector<pybind11::object> refs_;  // weak references, one per array on the owner chain
  struct Exports {  // a member, so that the exports are released when the constructor throws
    std::vector<std::unique_ptr<Py_buffer>> views;
    Exports() = default;
    Exports(const Exports&) = delete;
    Exports& operator=(const Exports&) = delete;
    ~Exports() {
      for (auto& v : views) PyBuffer_Release(v.get());
    }
  } exports_;
};

}  // namespace weightinit::bindings
