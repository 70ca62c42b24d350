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

/// "[3, 4]": the dimensions of a shape, an offset or a list of axes, in messages.
std::string dims_text(const Shape& dims);

/// The number of elements of a checked shape.
std::size_t element_count(const Shape& shape);

/// The global shape and the start of a call's box: the partition's, or the whole tensor.
struct Box {
  Shape full;
  Shape offset;
  bool partitioned;
};
/// The box of a call: checks the partition against the shape.
Box partition_box(const Shape& shape, const std::optional<PartitionInfo>& info);
/// True when the box makes `shape` a proper part of a larger tensor.
bool is_split(const Shape& shape, const Box& box);

/// TF's _assert_float_dtype (constructors of the float-only classes).
ElementType assert_float_dtype(ElementType dt);
/// The fill layer's dtype of an element type.
DType fill_dtype(ElementType t);

}  // namespace weightinit::detail
