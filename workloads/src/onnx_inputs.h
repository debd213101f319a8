// The shapes of an ONNX model's graph inputs, with every dynamic dimension given a size.
// Private to workloads/.
#pragma once

#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <vector>

#include "workloads/importers.h"

namespace mpsim::onnx_import {

struct GraphInput {
  std::string name;
  Shape shape;
};

// The graph's inputs (initializers excluded) in order. A dynamic leading dimension takes the
// batch; other dynamic dimensions take the user's settings, then the data shape; a dimension
// named (dim_param) in several places has one size. Errors name the input, the dimension and
// the flag that sets it.
std::vector<GraphInput> resolve_graph_inputs(const onnx::GraphProto& graph,
                                             const std::set<std::string>& initializer_names,
                                             const std::string& path,
                                             const OnnxImportOptions& options);

}  // namespace mpsim::onnx_import
