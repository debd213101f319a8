#include "formats/src/tensor_shape.h"

#include <stdexcept>
#include <string>

#include "formats/error.h"

namespace mpsim::detail {

namespace {

std::string shape_text(std::span<const std::int64_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

// A shape a caller built wrongly is a programming error, not bad input.
void check_shape(std::span<const std::int64_t> shape, std::size_t size) {
  std::size_t count = 1;
  for (std::int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension in shape " + shape_text(shape));
    count *= static_cast<std::size_t>(d);
  }
  if (count != size)
    throw std::invalid_argument("shape " + shape_text(shape) + " holds " + std::to_string(count) +
                                " elements, the tensor " + std::to_string(size));
}

}  // namespace

AxisSplit split_at_axis(std::span<const std::int64_t> shape, int axis, std::size_t size) {
  check_shape(shape, size);
  const int rank = static_cast<int>(shape.size());
  const int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    throw UserError("axis " + std::to_string(axis) + " is outside shape " + shape_text(shape) +
                    " (rank " + std::to_string(rank) + ")");
  AxisSplit s;
  for (int i = 0; i < a; ++i)
    s.outer *= static_cast<std::size_t>(shape[i]);
  s.axis = static_cast<std::size_t>(shape[a]);
  for (int i = a + 1; i < rank; ++i)
    s.inner *= static_cast<std::size_t>(shape[i]);
  return s;
}

GroupSplit split_groups(std::span<const std::int64_t> shape, int group_size, std::size_t size) {
  if (group_size < 1)
    throw UserError("group size must be at least 1, got " + std::to_string(group_size));
  const AxisSplit s = split_at_axis(shape, -1, size);
  const auto g = static_cast<std::size_t>(group_size);
  return {s.outer, s.axis, (s.axis + g - 1) / g};
}

}  // namespace mpsim::detail
