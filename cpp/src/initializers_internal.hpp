// SPDX-License-Identifier: BSD-3-Clause
// The shared rules of the initializer classes (initializers.cpp), for the classes defined in
// other files (orthogonal.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "weightinit/fill.hpp"
#include "weightinit/initializers.hpp"

namespace weightinit::detail {

/// str(tuple(dims)) and str(list(dims)), as Python prints them.
std::string py_tuple(const Shape& dims);
std::string py_list(const Shape& dims);

/// _fill.check_shape: non-negative dimensions whose product is below 2^63; returns it.
std::uint64_t check_shape(const Shape& shape, const char* argname);
std::size_t element_count(const Shape& shape);

/// The global shape and the start of a call's box: the partition's, or the whole tensor.
struct Box {
  Shape full;
  Shape offset;
  bool partitioned;
};
/// _tf1_base.partition_box: checks the partition against the shape.
Box partition_box(const Shape& shape, const std::optional<PartitionInfo>& info);
/// _tf1_base.is_split: a partition that is a proper part of its variable.
bool is_split(const Shape& shape, const Box& box);

/// _tf1_base.assert_float_dtype (constructors of the float-only classes).
ElementType assert_float_dtype(ElementType dt);
/// The fill layer's dtype of an element type.
DType fill_dtype(ElementType t);

}  // namespace weightinit::detail
