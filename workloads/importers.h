// Importers from other tools' formats into a Network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/network.h"

namespace mpsim {

// A size for dynamic input dimensions, as the user gives it: `name` is a graph input (then
// `shape` is that input's whole shape, as trtexec's --shapes takes it) or the name of a symbolic
// dimension (an ONNX dim_param such as "seq"; then `shape` holds its one size, as onnxruntime's
// free-dimension overrides take it).
struct InputShape {
  std::string name;
  Shape shape;
  bool operator==(const InputShape&) const = default;
};

// Parses "NAME=1x3x224x224" or "NAME=128". `flag` names the option in messages.
InputShape parse_input_shape(const std::string& text, const std::string& flag = "--input-shape");

struct OnnxImportOptions {
  bool keep_weights = true;  // copy initializers into Layer::weight / Layer::bias
  // The size of every dynamic leading (batch) dimension; unset means 1. Setting it for a model
  // whose batch dimension is fixed to another size is an error.
  std::optional<std::int64_t> batch;
  // Sizes for the other dynamic dimensions (and, when given, the batch too).
  std::vector<InputShape> input_shapes;
  // For a model with a single graph input: sizes for its dynamic dimensions that nothing above
  // sets, e.g. the shape of the data an evaluation feeds it (batch dimension included).
  std::optional<Shape> data_shape;
};

// An ONNX model (opsets 11 to 17). Shapes are inferred through the graph from the graph inputs'
// shapes; dynamic input dimensions are set from `options` (a leading one is the batch) and one
// left open is an error naming it and how to set it. Identity, Dropout and Constant nodes are
// resolved; shape-computing subgraphs (Shape, Gather, Unsqueeze, Concat, ...) are evaluated. An
// unsupported op is an error naming it and its node.
Network import_onnx(const std::string& path, const OnnxImportOptions& options = {});

// A SCALE-Sim topology CSV: the convolution form
//   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,
//   Strides,
// or the GEMM form
//   Layer name, M, N, K,
// Each row becomes one independent layer (conv2d or linear) on its own input, as SCALE-Sim
// treats them. IFMAP sizes are taken as already padded, as SCALE-Sim does.
Network import_scalesim_topology(const std::string& path);
Network parse_scalesim_topology(std::string_view text, const std::string& source);

}  // namespace mpsim
