// Output shapes and cost figures of one layer from its inputs (private to workloads/).
#pragma once

#include <vector>

#include "workloads/network.h"

namespace mpsim {

// Fills layer.output_shape, gemm, macs, weight_count, bias_count, input_elements and
// output_elements. Throws UserError (without the layer's name: the caller adds it).
void infer_layer(Layer& layer, const std::vector<const Layer*>& inputs);

// Numpy-style broadcast of two shapes; throws UserError when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Normalises a possibly negative axis against a rank; throws UserError when out of range.
std::int64_t normalize_axis(std::int64_t axis, std::size_t rank);

}  // namespace mpsim
