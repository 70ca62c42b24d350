// SPDX-License-Identifier: BSD-3-Clause
// The door's machinery: its argument parsing, where a draw's words come from, and the one
// prologue every drawing binding (fill, orthogonal) runs its draw in.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <initializer_list>
#include <list>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "interrupt.hpp"
#include "pin.hpp"
#include "weightinit/generator.hpp"
#include "weightinit/stream.hpp"

namespace weightinit::bindings {

/// The parameters of a door taken as a vectorcall: positional-or-keyword ones (the first
/// `required` of them required), then keyword-only ones.
///
/// Why not pybind11's dispatcher: it turns keyword arguments into a dict and matches them by
/// string, which costs a keyword-only call about a microsecond more than a positional one;
/// here the interned names are matched by pointer, and no object is built.
class Signature {
 public:
  Signature(const char* function, std::initializer_list<const char*> positional,
            std::size_t required, std::initializer_list<const char*> keyword_only)
      : function_(function), positional_(positional.size()), required_(required) {
    for (const char* n : positional) names_.push_back(intern(n));
    for (const char* n : keyword_only) names_.push_back(intern(n));
  }

  std::size_t size() const { return names_.size(); }

  /// One borrowed object per parameter in `slots` (size() of them; nullptr where not given),
  /// or TypeError as Python words it for a Python function with this signature.
  void parse(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, PyObject** slots) const {
    const std::size_t n = static_cast<std::size_t>(nargs);
    if (n > positional_) {
      throw pybind11::type_error(function_ + "() takes at most " + std::to_string(positional_) +
                                 " positional arguments (" + std::to_string(n) + " given)");
    }
    for (std::size_t k = 0; k < names_.size(); ++k) slots[k] = k < n ? args[k] : nullptr;
    const Py_ssize_t nkw = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t j = 0; j < nkw; ++j) {
      PyObject* key = PyTuple_GET_ITEM(kwnames, j);
      const std::size_t k = find(key);
      if (k == names_.size()) {
        throw pybind11::type_error(function_ + "() got an unexpected keyword argument '" +
                                   std::string(pybind11::str(key)) + "'");
      }
      if (slots[k] != nullptr) {
        throw pybind11::type_error(function_ + "() got multiple values for argument '" +
                                   std::string(pybind11::str(key)) + "'");
      }
      slots[k] = args[nargs + j];
    }
    for (std::size_t k = 0; k < required_; ++k) {
      if (slots[k] == nullptr) {
        throw pybind11::type_error(function_ + "() missing required argument '" +
                                   std::string(pybind11::str(names_[k])) + "'");
      }
    }
  }

 private:
  static pybind11::object intern(const char* name) {
    PyObject* s = PyUnicode_InternFromString(name);
    if (s == nullptr) throw pybind11::error_already_set();
    return pybind11::reinterpret_steal<pybind11::object>(s);
  }
  std::size_t find(PyObject* key) const {
    for (std::size_t k = 0; k < names_.size(); ++k) {
      if (names_[k].ptr() == key) return k;
    }
    for (std::size_t k = 0; k < names_.size(); ++k) {  // a name built at run time
      if (PyUnicode_Check(key) && PyUnicode_Compare(names_[k].ptr(), key) == 0) return k;
    }
    return names_.size();
  }

  std::string function_;
  std::vector<pybind11::object> names_;
  std::size_t positional_, required_;
};

/// Add `impl` to `m` as the builtin function `name` (a vectorcall: METH_FASTCALL |
/// METH_KEYWORDS). `doc` starts with the signature line Python's inspect reads
/// ("name(a, b, *, c=0)\n--\n\n"). C++ exceptions become Python ones as in any binding.
template <PyObject* (*Impl)(PyObject* const*, Py_ssize_t, PyObject*)>
void add_door(pybind11::module_& m, const char* name, const char* doc) {
  static PyMethodDef def = {
      name,
      reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(
          +[](PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) -> PyObject* {
            try {
              return Impl(args, nargs, kwnames);
            } catch (pybind11::error_already_set& e) {
              e.restore();
            } catch (...) {
              pybind11::detail::try_translate_exceptions();
            }
            return nullptr;
          })),
      METH_FASTCALL | METH_KEYWORDS, doc};
  PyObject* f = PyCFunction_NewEx(&def, nullptr, m.attr("__name__").ptr());
  if (f == nullptr) throw pybind11::error_already_set();
  m.attr(name) = pybind11::reinterpret_steal<pybind11::object>(f);
}

/// Where a draw's words come from: a generator (its key, from its offset, which the draw
/// advances, on stream id `stream.stream_id()`), or `stream`.
struct Source {
  Generator* generator = nullptr;
  Stream stream;
};

/// The `source`, `stream` and `offset` arguments of a door (the last two nullptr when not
/// given), converted once: None (the default generator) or a weightinit Generator, on
/// stream id `stream`; an integer key in [0, 2**64), on stream id `stream` from block
/// `offset`; or a Stream (key, stream id, offset and family: `stream` and `offset` are then
/// refused). TypeError / ValueError naming the argument.
Source source_of(PyObject* source, PyObject* stream, PyObject* offset);

/// True or False, else TypeError naming `name`.
bool flag(PyObject* v, const char* name);

/// The generator `source=None` draws from (weightinit.default_generator once weightinit is
/// imported; until then one of its own).
void set_default_generator(const pybind11::object& generator);

/// One output of a door call, checked, with what its draw needs.
struct DoorOutput {
  Output out;
  std::uint64_t blocks = 0;  ///< counter blocks its draw reads (0: nothing drawn)
};

/// The one prologue of a draw: run `draw(stream, control)` once, with every NumPy output
/// pinned (pin.hpp), the GIL released and Ctrl-C able to stop it (interrupt.hpp), the stream
/// being `source`'s, or a generator's key from its offset on `source`'s stream id. A generator
/// reserves the most blocks any output reads (nothing when none reads any) before the draw
/// and gets them back if the draw throws. Afterwards every output that reads its memory
/// negated is negated back, and every torch output's version counter is bumped, as torch's
/// in-place ops do (a graph that saved the old values raises on backward). Call it after
/// every argument check, with the GIL held.
template <class Draw>
void run_draw(const std::vector<DoorOutput>& outs, const Source& source, const std::string& name,
              Draw&& draw) {
  std::uint64_t blocks = 0;
  for (const DoorOutput& o : outs) blocks = o.blocks > blocks ? o.blocks : blocks;
  std::list<ArrayPin> pins;  // a list: pins neither move nor copy, and none costs nothing
  for (const DoorOutput& o : outs) {
    if (!o.out.meta && pybind11::isinstance<pybind11::array>(o.out.owner)) {
      pins.emplace_back(pybind11::reinterpret_borrow<pybind11::array>(o.out.owner), name);
    }
  }
  Generator* gen = source.generator;
  run_interruptible([&](const FillControl& control) {
    if (gen == nullptr || blocks == 0) {
      draw(source.stream, control);
    } else {
      const Generator::Reservation r = gen->reserve(blocks);
      try {
        draw(Stream(r.seed, source.stream.stream_id(), r.start), control);
      } catch (...) {
        gen->release(r);
        throw;
      }
    }
    for (const DoorOutput& o : outs) resolve_negation(o.out);
  });
  for (const DoorOutput& o : outs) {
    if (o.out.bump.ptr() != nullptr) o.out.bump(pybind11::make_tuple(o.out.owner));
  }
}

}  // namespace weightinit::bindings
