// SPDX-License-Identifier: BSD-3-Clause
// What the binding files share: argument conversions and the one writable-buffer check.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "weightinit/fill.hpp"
#include "weightinit/generator.hpp"

namespace weightinit::bindings {

void register_fill(pybind11::module_& m);
void register_laws(pybind11::module_& m);
void register_core(pybind11::module_& m);
void register_tf1(pybind11::module_& m);
void register_matrix(pybind11::module_& m);
void register_stream(pybind11::module_& m);

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
inline constexpr bool kLittleEndian = false;
#else
inline constexpr bool kLittleEndian = true;
#endif

/// A Python int in [0, 2**64), else TypeError / ValueError naming `name`.
std::uint64_t to_u64(const pybind11::handle& v, const char* name);
/// An integer argument within int64 (operator.index; bool refused): TypeError
/// "`name`: `expected`, got ..." (the type's name for "expected an integer", else the
/// value), ValueError "`name`: ... is outside the 64-bit integer range".
std::int64_t int64_arg(const pybind11::handle& v, const char* name,
                       const char* expected = "expected an integer");
/// A list of integers of any sign (the one shape conversion): a sequence of ints (a NumPy
/// integer array too), or with `scalar` also one int (a list of one). TypeError / ValueError
/// naming `name`, items converted by int64_arg.
std::vector<std::int64_t> int_list(const pybind11::handle& v, const char* name, bool scalar);
/// int_list of non-negative ints (no scalar), else the errors of weightinit::check_shape.
std::vector<std::int64_t> dims(const pybind11::handle& s, const char* name);
/// A real number (int, float, NumPy scalar, any object with __float__ or __index__; not bool
/// or str) as a double. TypeError naming `name` for anything else, and for an object whose
/// __float__ raises (that error is the cause and its text is quoted); ValueError for an int
/// beyond the float64 range.
double real(const pybind11::handle& v, const char* name);
/// A str, else TypeError naming `name`.
std::string text_arg(const pybind11::handle& v, const char* name);
/// operator.index(v) for a `v` that passed PyIndex_Check: a Python int. TypeError naming
/// `name` when its __index__ raises (a NumPy array of several elements...), that error the
/// cause and its text quoted.
pybind11::object index_of(const pybind11::handle& v, const char* name);
/// The error a conversion of `v` (`what`: "float()", "operator.index()") has just raised, as
/// a TypeError naming `name` that quotes it and has it as its cause; an exception that is not
/// an Exception (KeyboardInterrupt...) passes as it is.
[[noreturn]] void raise_named(const pybind11::handle& v, const char* name, const char* what);
/// `v` for an error message: its repr, with the middle cut out beyond 40 characters (and an
/// int too long for repr() described by its number of bits).
std::string brief(const pybind11::handle& v);

/// A TF op or graph seed: None (nullopt) or an int, else TypeError naming `name`.
std::optional<std::int64_t> seed_arg(const pybind11::handle& v, const char* name);

/// A writable buffer, checked: where to write, in which element type, with which shape and
/// byte strides; `owner` keeps the Python object alive while the fill runs.
struct Output {
  void* data = nullptr;
  DType dtype = DType::kFloat32;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> byte_strides;
  bool meta = false;  ///< a torch meta tensor: checked, never written
  bool negated = false;  ///< a torch view with the negative bit: reads its memory negated
  pybind11::object owner;
  pybind11::object bump;  ///< torch's version-counter increment for a torch tensor, else None
};

/// After a fill of `t` (GIL not needed): where `t` reads its memory negated (`negated`),
/// negate what was written, so that `t` reads the values drawn, as after torch's in-place ops.
void resolve_negation(const Output& t);

/// The one check of an output: a writable NumPy array (float16, bfloat16, float32, float64;
/// uint32 / uint64 when `words`) or a CPU, dense torch tensor of those float types whose view
/// lies inside its storage. A leaf tensor that requires grad is refused while grad mode is on,
/// unless `no_grad` (the torch.nn.init functions, which run under no_grad in torch), and an
/// inference tensor outside torch.inference_mode(), as torch refuses in-place updates to it.
/// Errors name the output `name`.
Output writable_output(const pybind11::handle& out, bool words, bool no_grad,
                       const std::string& name = "out");

}  // namespace weightinit::bindings
