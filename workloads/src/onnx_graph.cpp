#include "workloads/src/onnx_graph.h"

#include <filesystem>

#include "formats/error.h"

namespace mpsim::onnx_import {

namespace {

bool default_domain(const std::string& d) {
  return d.empty() || d == "ai.onnx";
}

const char* attribute_type_name(int type) {
  switch (type) {
    case onnx::AttributeProto::FLOAT:
      return "a float";
    case onnx::AttributeProto::INT:
      return "an int";
    case onnx::AttributeProto::STRING:
      return "a string";
    case onnx::AttributeProto::TENSOR:
      return "a tensor";
    case onnx::AttributeProto::FLOATS:
      return "a list of floats";
    case onnx::AttributeProto::INTS:
      return "a list of ints";
    default:
      return "another kind of attribute";
  }
}

}  // namespace

Graph::Graph(const onnx::GraphProto& graph, std::string path, const OnnxImportOptions& options,
             int opset, std::string network_name)
    : graph_(graph),
      path_(std::move(path)),
      model_dir_(std::filesystem::path(path_).parent_path().string()),
      options_(options),
      opset_(opset),
      net_(std::move(network_name)) {
  for (int i = 0; i < graph_.node_size(); ++i) {
    const auto& n = graph_.node(i);
    for (const auto& in : n.input())
      if (!in.empty()) {
        auto& c = consumers_[in];
        if (c.empty() || c.back() != i) c.push_back(i);
      }
    for (const auto& out : n.output())
      if (!out.empty()) producers_.emplace(out, i);
  }
  for (const auto& o : graph_.output())
    graph_outputs_.insert(o.name());
}

const Value* Graph::find(const std::string& tensor) const {
  auto it = values_.find(tensor);
  return it == values_.end() ? nullptr : &it->second;
}

Shape Graph::shape(const Value& v) const {
  if (v.layer >= 0) return net_.layer(v.layer).output_shape;
  if (v.constant) return v.constant->shape;
  try {
    return tensor_shape(*v.proto);  // refuses absurd sizes, naming the tensor but not the file
  } catch (const UserError& e) {
    throw UserError(path_ + ": " + e.what());
  }
}

std::shared_ptr<const Const> Graph::constant(const Value& v) {
  if (v.constant) return v.constant;
  if (!v.proto) return nullptr;
  auto& slot = decoded_[v.proto];
  if (!slot) {
    try {
      slot = std::make_shared<const Const>(decode_const(*v.proto, model_dir_));
    } catch (const UserError& e) {
      throw UserError(path_ + ": " + e.what());
    }
  }
  return slot;
}

Tensor Graph::float_tensor(const Value& v) {
  if (v.proto && !decoded_.count(v.proto)) {
    try {
      return decode_float_tensor(*v.proto, model_dir_);
    } catch (const UserError& e) {
      throw UserError(path_ + ": " + e.what());
    }
  }
  return to_float_tensor(*constant(v));
}

Tensor Graph::float_matrix_transposed(const Value& v) {
  if (v.proto && !decoded_.count(v.proto)) {
    try {
      return decode_float_matrix_transposed(*v.proto, model_dir_);
    } catch (const UserError& e) {
      throw UserError(path_ + ": " + e.what());
    }
  }
  return transposed(float_tensor(v));
}

// Constant operands of layers (a bias added as a separate node, a scale, ViT's position
// embedding and class token) are not computed by any layer; they become input-like nodes
// (Op::kInput, shape [1] for a scalar) holding their values as the weight, so an eltwise add
// still sees two operands and no MACs appear that were not in the model.
int Graph::activation(const std::string& tensor) {
  const Value* v = find(tensor);
  if (!v) throw UserError(path_ + ": tensor " + quote(tensor) + " is not defined");
  if (!v->is_constant()) return v->layer;
  if (auto it = materialized_.find(tensor); it != materialized_.end()) return it->second;
  Layer l;
  l.name = unique_name(tensor);
  l.op = Op::kInput;
  l.target_shape = shape(*v);
  if (l.target_shape.empty()) l.target_shape = {1};
  if (options_.keep_weights) {
    l.weight = float_tensor(*v);
    l.weight->shape = l.target_shape;
  }
  int id;
  try {
    id = net_.add_layer(std::move(l));
  } catch (const UserError& e) {
    throw UserError(path_ + ": constant " + quote(tensor) + " used as an operand: " + e.what());
  }
  materialized_.emplace(tensor, id);
  return id;
}

std::string Graph::node_label(int index) const {
  const auto& n = graph_.node(index);
  return n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
}

std::string Graph::unique_name(const std::string& base) {
  if (names_.insert(base).second) return base;
  for (int k = 2;; ++k) {
    std::string name = base + "_" + std::to_string(k);
    if (names_.insert(name).second) return name;
  }
}

int Graph::add_layer(Layer layer, int node_index) {
  try {
    return net_.add_layer(std::move(layer));
  } catch (const UserError& e) {
    fail_node(node_index, e.what());
  }
}

void Graph::fail_node(int node_index, const std::string& message) const {
  const auto& n = graph_.node(node_index);
  const std::string op = default_domain(n.domain()) ? n.op_type() : n.domain() + "." + n.op_type();
  throw UserError(path_ + ": node " + quote(node_label(node_index)) + " (op " + printable(op) +
                  "): " + message);
}

const std::vector<int>& Graph::consumers(const std::string& tensor) const {
  static const std::vector<int> none;
  auto it = consumers_.find(tensor);
  return it == consumers_.end() ? none : it->second;
}

int Graph::producer(const std::string& tensor) const {
  auto it = producers_.find(tensor);
  return it == producers_.end() ? -1 : it->second;
}

std::shared_ptr<const Const> Graph::peek_constant(const std::string& tensor, int depth) {
  if (const Value* v = find(tensor)) return v->is_constant() ? constant(*v) : nullptr;
  if (depth > 8) return nullptr;  // a chain of Identity nodes (or a cycle in a corrupt file)
  const int p = producer(tensor);
  if (p < 0) return nullptr;
  const auto& n = graph_.node(p);
  if (!default_domain(n.domain())) return nullptr;
  if (n.op_type() == "Identity" && n.input_size() == 1) return peek_constant(n.input(0), depth + 1);
  if (n.op_type() != "Constant" || n.attribute_size() != 1) return nullptr;
  const auto& a = n.attribute(0);
  if (a.name() != "value" || a.type() != onnx::AttributeProto::TENSOR) return nullptr;
  try {
    return std::make_shared<const Const>(decode_const(a.t(), model_dir_));
  } catch (const UserError&) {
    return nullptr;  // reported when the node itself is reached
  }
}

// ---------------------------------------------------------------------------------------------

NodeContext::NodeContext(Graph& graph, int index)
    : graph_(graph), node_(graph.proto().node(index)), index_(index) {}

const Value& NodeContext::input(std::size_t i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is missing");
  const Value* v = graph_.find(input_name(i));
  if (!v)
    fail("input " + quote(input_name(i)) +
         " is not an initializer, a graph input or the output of an earlier node");
  return *v;
}

std::shared_ptr<const Const> NodeContext::constant_input(std::size_t i, const std::string& what) {
  if (!has_input(i)) fail("the " + what + " (input " + std::to_string(i) + ") is missing");
  const Value& v = input(i);
  if (!v.is_constant())
    fail("the " + what + " (input " + quote(input_name(i)) +
         ") must be a constant known at import time, but it is computed from activations");
  return graph_.constant(v);
}

std::vector<std::int64_t> NodeContext::ints_input(std::size_t i, const std::string& what) {
  auto c = constant_input(i, what);
  if (!c->is_int) fail("the " + what + " (input " + quote(input_name(i)) + ") must be integers");
  return c->ints;
}

void NodeContext::need_inputs(std::size_t min, std::size_t max) const {
  std::size_t n = input_count();
  while (n > 0 && input_name(n - 1).empty())
    --n;  // trailing optional inputs left out
  if (n < min || n > max)
    fail("expected " +
         (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)) +
         " inputs, got " + std::to_string(n));
  for (std::size_t i = 0; i < min; ++i)
    if (!has_input(i)) fail("input " + std::to_string(i) + " is required but empty");
}

const onnx::AttributeProto* NodeContext::attr(const std::string& name) const {
  for (const auto& a : node_.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t NodeContext::attr_int(const std::string& name, std::int64_t fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INT)
    fail("attribute '" + name + "' should be an int, found " + attribute_type_name(a->type()));
  return a->i();
}

float NodeContext::attr_float(const std::string& name, float fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  if (a->type() == onnx::AttributeProto::INT) return static_cast<float>(a->i());
  if (a->type() != onnx::AttributeProto::FLOAT)
    fail("attribute '" + name + "' should be a float, found " + attribute_type_name(a->type()));
  return a->f();
}

std::string NodeContext::attr_string(const std::string& name, const std::string& fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::STRING)
    fail("attribute '" + name + "' should be a string, found " + attribute_type_name(a->type()));
  return a->s();
}

std::vector<std::int64_t> NodeContext::attr_ints(const std::string& name,
                                                 std::vector<std::int64_t> fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INTS)
    fail("attribute '" + name + "' should be a list of ints, found " +
         attribute_type_name(a->type()));
  return {a->ints().begin(), a->ints().end()};
}

std::optional<std::vector<std::int64_t>> NodeContext::attr_or_input(const std::string& name,
                                                                    int input_from_opset,
                                                                    std::size_t input) {
  if (opset() >= input_from_opset && has_input(input)) return ints_input(input, name);
  // Before input_from_opset the list is an attribute; exporters sometimes keep writing it.
  if (has_attr(name)) return attr_ints(name);
  return std::nullopt;
}

bool NodeContext::output_used(std::size_t k) const {
  if (k >= output_count() || output_name(k).empty()) return false;
  return !graph_.consumers(output_name(k)).empty() || graph_.is_graph_output(output_name(k));
}

void NodeContext::set_output(std::size_t k, Value v) {
  if (k < output_count() && !output_name(k).empty()) graph_.define(output_name(k), std::move(v));
}

void NodeContext::set_output_constant(std::size_t k, Const c) {
  set_output(k, Value{-1, nullptr, std::make_shared<const Const>(std::move(c))});
}

void NodeContext::refuse_extra_outputs(std::size_t from, const std::string& what) const {
  for (std::size_t k = from; k < output_count(); ++k)
    if (output_used(k))
      fail("its output " + quote(output_name(k)) + " (" + what +
           ") is used, but mpsim models only the main output");
}

int NodeContext::emit(Layer layer) {
  const std::string base = label();
  layer.name = graph_.unique_name(emitted_ == 0 ? base : base + "_" + std::to_string(emitted_));
  ++emitted_;
  return graph_.add_layer(std::move(layer), index_);
}

}  // namespace mpsim::onnx_import
