// The ONNX importer's state while it walks a graph: what each ONNX tensor name stands for (a
// layer's output or a constant), the Network being built, and per-node helpers for the op
// mappers. Private to workloads/.
#pragma once

#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h (ONNX_ML=1)

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "formats/error.h"
#include "workloads/importers.h"
#include "workloads/network.h"
#include "workloads/src/onnx_tensor.h"

namespace mpsim::onnx_import {

// An error about a node's inputs or attributes that does not yet say which node: the importer
// catches it around each node and reports it with the node's name, op and file.
class OpError : public UserError {
 public:
  using UserError::UserError;
};

// What an ONNX tensor name stands for.
struct Value {
  int layer = -1;                            // an activation: the layer producing it
  const onnx::TensorProto* proto = nullptr;  // a constant still in the file's encoding
  std::shared_ptr<const Const> constant;     // a constant already decoded or computed
  bool is_constant() const { return layer < 0; }
};

class Graph {
 public:
  Graph(const onnx::GraphProto& graph, std::string path, const OnnxImportOptions& options,
        int opset, std::string network_name);

  const std::string& path() const { return path_; }
  int opset() const { return opset_; }
  bool keep_weights() const { return options_.keep_weights; }
  const onnx::GraphProto& proto() const { return graph_; }
  Network& net() { return net_; }
  Network take_network() { return std::move(net_); }

  void define(const std::string& tensor, Value v) { values_[tensor] = std::move(v); }
  const Value* find(const std::string& tensor) const;

  Shape shape(const Value& v) const;
  // The constant's values (decoded once and cached).
  std::shared_ptr<const Const> constant(const Value& v);
  // fp32 weights for a Layer (straight from the file's bytes when possible).
  Tensor float_tensor(const Value& v);
  // A 2-D constant [in, out] as weights [out, in].
  Tensor float_matrix_transposed(const Value& v);
  // The layer holding the tensor; a constant operand of a layer becomes an input-like node (see
  // onnx_graph.cpp), created once per tensor.
  int activation(const std::string& tensor);

  // A node's name as layers and messages show it: the ONNX name, or op_type_INDEX when empty.
  std::string node_label(int index) const;
  // `base`, or base_2, base_3, ... when taken.
  std::string unique_name(const std::string& base);
  // Adds a layer; errors are reported against the node.
  int add_layer(Layer layer, int node_index);
  [[noreturn]] void fail_node(int node_index, const std::string& message) const;

  // Graph structure, for look-ahead pattern matching.
  const std::vector<int>& consumers(const std::string& tensor) const;
  bool is_graph_output(const std::string& tensor) const { return graph_outputs_.count(tensor); }
  int producer(const std::string& tensor) const;  // node index, or -1
  // A constant the tensor will have, even if its producing Constant node is not reached yet.
  std::shared_ptr<const Const> peek_constant(const std::string& tensor, int depth = 0);
  void skip_node(int index) { skipped_.insert(index); }
  bool skipped(int index) const { return skipped_.count(index); }

 private:
  const onnx::GraphProto& graph_;
  std::string path_;
  std::string model_dir_;
  OnnxImportOptions options_;
  int opset_;
  Network net_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<const onnx::TensorProto*, std::shared_ptr<const Const>> decoded_;
  std::unordered_map<std::string, int> materialized_;
  std::unordered_set<std::string> names_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::unordered_map<std::string, int> producers_;
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_set<int> skipped_;
};

// One node being imported: its inputs, attributes and outputs, with errors that name it.
class NodeContext {
 public:
  NodeContext(Graph& graph, int index);

  Graph& graph() { return graph_; }
  const onnx::NodeProto& node() const { return node_; }
  int index() const { return index_; }
  const std::string& op() const { return node_.op_type(); }
  int opset() const { return graph_.opset(); }
  std::string label() const { return graph_.node_label(index_); }
  [[noreturn]] void fail(const std::string& message) const { graph_.fail_node(index_, message); }

  // Inputs. An absent optional input has an empty name.
  std::size_t input_count() const { return static_cast<std::size_t>(node_.input_size()); }
  bool has_input(std::size_t i) const { return i < input_count() && !input_name(i).empty(); }
  const std::string& input_name(std::size_t i) const { return node_.input(static_cast<int>(i)); }
  const Value& input(std::size_t i) const;  // fails when absent
  bool is_constant(std::size_t i) const { return input(i).is_constant(); }
  Shape input_shape(std::size_t i) const { return graph_.shape(input(i)); }
  // The input's values; fails (naming `what`) unless it is a constant known at import time.
  std::shared_ptr<const Const> constant_input(std::size_t i, const std::string& what);
  std::vector<std::int64_t> ints_input(std::size_t i, const std::string& what);
  int activation_input(std::size_t i) {
    input(i);  // fails, naming the node, when absent or undefined
    return graph_.activation(input_name(i));
  }
  Tensor float_input(std::size_t i) { return graph_.float_tensor(input(i)); }
  void need_inputs(std::size_t min, std::size_t max) const;

  // Attributes.
  const onnx::AttributeProto* attr(const std::string& name) const;
  bool has_attr(const std::string& name) const { return attr(name) != nullptr; }
  std::int64_t attr_int(const std::string& name, std::int64_t fallback) const;
  float attr_float(const std::string& name, float fallback) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<std::int64_t> attr_ints(const std::string& name,
                                      std::vector<std::int64_t> fallback = {}) const;
  // A list of ints that is an attribute up to some opset and an input from then on (axes,
  // split, pads): nullopt when neither is given.
  std::optional<std::vector<std::int64_t>> attr_or_input(const std::string& name,
                                                         int input_from_opset, std::size_t input);

  // Outputs.
  std::size_t output_count() const { return static_cast<std::size_t>(node_.output_size()); }
  const std::string& output_name(std::size_t k) const { return node_.output(static_cast<int>(k)); }
  bool output_used(std::size_t k) const;
  void set_output(std::size_t k, Value v);
  void set_output_layer(std::size_t k, int layer) { set_output(k, Value{layer, nullptr, {}}); }
  void set_output_constant(std::size_t k, Const c);
  // Fails when an optional output mpsim does not model (a mask, indices) is consumed.
  void refuse_extra_outputs(std::size_t from, const std::string& what) const;

  // Adds a layer named after the node (the first keeps the node's name; further ones get a
  // suffix) and returns its id.
  int emit(Layer layer);

 private:
  Graph& graph_;
  const onnx::NodeProto& node_;
  int index_;
  int emitted_ = 0;
};

}  // namespace mpsim::onnx_import
