// Per-op handlers of the ONNX importer. A layer handler maps a node that computes on activations
// to Layers; a fold handler evaluates a node whose inputs are all constants (shape subgraphs).
// Both define the node's outputs through the NodeContext.
#pragma once

#include <map>
#include <string>

#include "workloads/src/onnx_graph.h"

namespace mpsim::onnx_import {

using Handler = void (*)(NodeContext&);
using HandlerTable = std::map<std::string, Handler>;

void add_compute_ops(HandlerTable& layers);   // onnx_ops_compute.cpp: Conv, Gemm, norms, ...
void add_movement_ops(HandlerTable& layers);  // onnx_ops_movement.cpp: Reshape, Slice, ...
void add_fold_ops(HandlerTable& folds);       // onnx_fold.cpp

struct OpTables {
  HandlerTable layers;
  HandlerTable folds;
};
const OpTables& op_tables();

// MatMul by a 2-D constant [K, N] is a linear layer (weights stored [N, K]); shared with the
// MatMul + bias fusion.
bool matmul_has_constant_weight(NodeContext& ctx);
Layer matmul_linear_layer(NodeContext& ctx);

// Recognises multi-node patterns starting at the node (MatMul + bias Add, decomposed
// LayerNormalization and GELU) and imports them as one layer; onnx_fusion.cpp.
bool try_fuse(NodeContext& ctx);

}  // namespace mpsim::onnx_import
