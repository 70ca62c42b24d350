// SPDX-License-Identifier: BSD-3-Clause
// weightinit._core.Stream: the Stream type (stream.hpp) and its seed policies, for Python.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "weightinit/laws.hpp"  // ValueError
#include "weightinit/stream.hpp"
#include "weightinit/tf_stream.hpp"

namespace py = pybind11;

namespace weightinit::bindings {
namespace {

std::string type_name(const py::handle& v) { return py::str(py::type::of(v).attr("__name__")); }

// A name's UTF-8 bytes: TypeError naming `name` for a non-str, Python's UnicodeEncodeError
// for a str without a UTF-8 form (a lone surrogate), as str.encode("utf-8") raises.
std::string utf8_arg(const py::handle& v, const char* name) {
  if (!PyUnicode_Check(v.ptr())) return text_arg(v, name);
  Py_ssize_t size = 0;
  const char* bytes = PyUnicode_AsUTF8AndSize(v.ptr(), &size);
  if (bytes == nullptr) throw py::error_already_set();
  return std::string(bytes, static_cast<std::size_t>(size));
}

// A family's name; the C++ message names the argument "family".
StreamFamily family_arg(const py::handle& v) {
  const std::string name = text_arg(v, "family");
  try {
    return parse_stream_family(name);
  } catch (const ValueError& e) {
    const std::string what = e.what();
    throw py::value_error("family" + what.substr(what.find(':')));
  }
}

// A Python int (not bool) as its residue modulo 2^64: the conversion of an integer of any
// size to the uint64 the C++ policies take (two's complement for a negative one).
std::uint64_t low_64_bits(const py::handle& v, const char* name) {
  if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
    throw py::type_error(std::string(name) + ": expected an integer, got " + type_name(v));
  }
  const py::object i = index_of(v, name);
  const unsigned long long u = PyLong_AsUnsignedLongLongMask(i.ptr());
  if (u == static_cast<unsigned long long>(-1) && PyErr_Occurred()) throw py::error_already_set();
  return u;
}

}  // namespace

void register_stream(py::module_& m) {
  py::class_<Stream>(m, "Stream",
                     "One random stream: Philox key, stream id, first counter block, family "
                     "(weightinit::Stream, docs/streams.md §2). Immutable; the static methods "
                     "are the seed policies of every API.")
      .def(py::init([](const py::handle& key, const py::handle& stream_id, const py::handle& offset,
                       const py::handle& family) {
             const std::uint64_t k = to_u64(key, "key");
             const std::uint64_t id = to_u64(stream_id, "stream_id");
             const std::uint64_t o = to_u64(offset, "offset");
             return Stream(k, id, o, family_arg(family));
           }),
           py::arg("key"), py::arg("stream_id") = 0, py::arg("offset") = 0,
           py::arg("family") = "weightinit")
      .def_static(
          "named",
          [](const py::handle& seed, const py::handle& name) {
            const std::uint64_t s = to_u64(seed, "seed");
            return Stream::named(s, utf8_arg(name, "name"));
          },
          py::arg("seed"), py::arg("name"),
          "A named tensor's stream: key = seed, stream id = name_id(name), offset 0.")
      .def_static(
          "name_id", [](const py::handle& name) { return Stream::name_id(utf8_arg(name, "name")); },
          py::arg("name"),
          "The stream id of a name: its UTF-8 bytes' unkeyed 8-byte BLAKE2b digest, read "
          "little-endian.")
      .def_static(
          "tf1",
          [](const py::handle& graph_seed, const py::handle& op_seed, const py::handle& family) {
            const std::optional<std::int64_t> g = seed_arg(graph_seed, "graph_seed");
            if (op_seed.is_none()) {
              throw py::type_error("op_seed: expected an integer (an automatic op seed is "
                                   "weightinit.tf1.get_seed's), got NoneType");
            }
            const std::int64_t s = *seed_arg(op_seed, "op_seed");
            return Stream::tf1(g, s, family_arg(family));
          },
          py::arg("graph_seed"), py::arg("op_seed"), py::arg("family") = "weightinit",
          "A TF1 op's stream: TF's pair (seed, seed2) of the graph seed (None: unset) and the op "
          "seed as key and stream id.")
      .def_static(
          "entropy", [](const py::handle& family) { return Stream::entropy(family_arg(family)); },
          py::arg("family") = "weightinit", "A fresh key and stream id from the OS.")
      .def_static(
          "keras", [](const py::handle& seed) { return Stream::keras(low_64_bits(seed, "seed")); },
          py::arg("seed"), "A Keras initializer's integer seed: key = seed mod 2**64, stream 0.")
      .def_static(
          "keras_state",
          [](const py::handle& state) {
            const py::array a = py::array::ensure(state);
            if (!a || (a.dtype().kind() != 'i' && a.dtype().kind() != 'u')) {
              throw py::type_error("state: expected a SeedGenerator state of integers, got " +
                                   (a ? std::string(py::str(a.dtype())) : type_name(state)));
            }
            if (a.size() < 2) {
              throw py::value_error("state: a SeedGenerator state holds 2 integers, got " +
                                    std::to_string(a.size()));
            }
            const py::object flat = a.attr("reshape")(-1);
            const std::uint64_t x = low_64_bits(flat[py::int_(0)], "state");
            const std::uint64_t y = low_64_bits(flat[py::int_(1)], "state");
            return Stream::keras_state(x, y, static_cast<int>(8 * a.itemsize()));
          },
          py::arg("state"),
          "A keras.random.SeedGenerator's state (a, b) (an integer array): key = a, stream "
          "id = b, each read as an unsigned integer of the state's width.")
      .def_static(
          "jax",
          [](const py::handle& words) {
            const py::object seq = py::reinterpret_steal<py::object>(PySequence_Fast(words.ptr(), ""));
            if (!seq || PyUnicode_Check(words.ptr())) {
              PyErr_Clear();
              throw py::type_error("words: expected a sequence of uint32 words, got " + type_name(words));
            }
            const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
            std::vector<std::uint32_t> w(static_cast<std::size_t>(n));
            for (Py_ssize_t i = 0; i < n; ++i) {
              const std::uint64_t x = to_u64(PySequence_Fast_GET_ITEM(seq.ptr(), i), "words");
              if (x >> 32 != 0) {
                throw py::value_error("words: must be uint32 words, got " + std::to_string(x));
              }
              w[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(x);
            }
            return Stream::jax(w.data(), w.size());
          },
          py::arg("words"),
          "A JAX key's data (its uint32 words in JAX's order, 2 or 4 of them): key = w[0] * "
          "2**32 + w[1], stream id 0 or w[2] * 2**32 + w[3].")
      .def(
          "sub_stream",
          [](const Stream& s, const py::handle& k) { return s.sub_stream(to_u64(k, "k")); },
          py::arg("k"), "Sub-draw k (0 <= k < 256): stream id XOR (k << 56).")
      .def(
          "at", [](const Stream& s, const py::handle& offset) { return s.at(to_u64(offset, "offset")); },
          py::arg("offset"), "The same stream from counter block `offset` on.")
      .def_property_readonly("key", &Stream::key)
      .def_property_readonly("stream_id", &Stream::stream_id)
      .def_property_readonly("offset", &Stream::offset)
      .def_property_readonly("family",
                             [](const Stream& s) { return std::string(stream_family_name(s.family())); })
      .def("__eq__",
           [](const Stream& s, const py::handle& other) -> py::object {
             if (!py::isinstance<Stream>(other)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
             return py::bool_(s == other.cast<const Stream&>());
           })
      .def("__hash__",
           [](const Stream& s) {
             return py::hash(py::make_tuple(s.key(), s.stream_id(), s.offset(),
                                            static_cast<int>(s.family())));
           })
      .def("__repr__", [](const Stream& s) {
        return "Stream(key=" + std::to_string(s.key()) + ", stream_id=" + std::to_string(s.stream_id()) +
               ", offset=" + std::to_string(s.offset()) + ", family='" +
               stream_family_name(s.family()) + "')";
      });
}

}  // namespace weightinit::bindings
