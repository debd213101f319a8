// Importers from other tools' formats into a Network.
#pragma once

#include <string>
#include <string_view>

#include "workloads/network.h"

namespace mpsim {

struct OnnxImportOptions {
  bool keep_weights = true;  // copy initializers into Layer::weight / Layer::bias
};

// An ONNX model (opsets 11 to 17). Shapes are inferred through the graph from the graph inputs'
// static shapes; Identity, Dropout and Constant nodes are resolved; shape-computing subgraphs
// (Shape, Gather, Unsqueeze, Concat, ...) are evaluated. An unsupported op is an error naming it
// and its node.
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
