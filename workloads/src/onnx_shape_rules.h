// ONNX's shape rules for the data-movement ops, shared by constant folding (shape subgraphs) and
// by the mapping of the same ops on activations. Errors are OpError (the caller names the node).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace mpsim::onnx_import {

using Ints = std::vector<std::int64_t>;

// Axes made non-negative against `rank`; fails on out-of-range or repeated axes.
Ints normalized_axes(const Ints& axes, std::size_t rank);

Shape unsqueeze_shape(const Shape& in, const Ints& axes);
Shape squeeze_shape(const Shape& in, const Ints& axes);  // empty axes: every dim of size 1
Shape flatten_shape(const Shape& in, std::int64_t axis);
// Resolves 0 (copy the input dim, unless allowzero) and one -1.
Shape reshape_shape(const Shape& in, const Ints& target, bool allowzero);

// One axis of a Slice after ONNX's clamping: elements start, start+step, ... (count of them).
struct SliceSpan {
  std::int64_t axis = 0;
  std::int64_t start = 0;
  std::int64_t step = 1;
  std::int64_t count = 0;
};
SliceSpan slice_span(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step);
// One span per sliced axis, in the order given.
std::vector<SliceSpan> slice_spans(const Shape& in, const Ints& starts, const Ints& ends,
                                   const std::optional<Ints>& axes,
                                   const std::optional<Ints>& steps);

// The sizes of a Split's outputs along a dim: as given, or equal parts.
Ints split_sizes(std::int64_t dim, const std::optional<Ints>& split, std::size_t outputs);

// Fails unless 0 <= v <= 2^24: pads, kernels, strides from a corrupt file must not overflow the
// shape arithmetic downstream.
void check_plausible(std::int64_t v, const std::string& what);

// Element count with an overflow guard, for constants computed at import time.
std::size_t checked_elements(const Shape& s);

}  // namespace mpsim::onnx_import
