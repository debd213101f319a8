// Splitting a row-major tensor shape around an axis, with the checks every tensor function
// shares. Private to the formats library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mpsim::detail {

// shape = [outer..., axis, inner...]: element (o, a, i) sits at (o * axis + a) * inner + i.
struct AxisSplit {
  std::size_t outer = 1;
  std::size_t axis = 1;
  std::size_t inner = 1;
};

// Throws UserError when `axis` (negative counts from the end) is outside the shape, and
// std::invalid_argument when the shape does not describe `size` elements.
AxisSplit split_at_axis(std::span<const std::int64_t> shape, int axis, std::size_t size);

// Rows of the last axis, each cut into groups of `group_size` (the last one possibly short).
struct GroupSplit {
  std::size_t rows = 0;
  std::size_t row_length = 0;
  std::size_t groups_per_row = 0;
};

// Throws UserError for a group size below 1.
GroupSplit split_groups(std::span<const std::int64_t> shape, int group_size, std::size_t size);

}  // namespace mpsim::detail
