#include "workloads/network.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <unordered_map>

#include "formats/error.h"
#include "workloads/src/shape_inference.h"

namespace mpsim {

std::string shape_string(const Shape& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(s[i]);
  }
  return out.empty() ? "scalar" : out;
}

std::int64_t element_count(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s)
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxCount)
      throw UserError("shape " + shape_string(s) + " has more than 2^62 elements");
  return n;
}

bool is_mac_op(Op op) {
  return op == Op::kConv2d || op == Op::kLinear || op == Op::kMatMul;
}

bool is_data_movement(Op op, std::string_view /*subop*/) {
  switch (op) {
    case Op::kReshape:
    case Op::kTranspose:
    case Op::kSlice:
    case Op::kGather:
    case Op::kPad:
    case Op::kMaxPool:
    case Op::kAvgPool:
    case Op::kGlobalAvgPool:
      return true;
    default:
      return false;
  }
}

namespace {

struct OpEntry {
  const char* name;
  Op op;
  const char* subop;
};

// Every name a network file may use for `op`.
constexpr OpEntry kOps[] = {
    {"input", Op::kInput, ""},
    {"conv2d", Op::kConv2d, ""},
    {"linear", Op::kLinear, ""},
    {"matmul", Op::kMatMul, ""},
    {"maxpool", Op::kMaxPool, ""},
    {"avgpool", Op::kAvgPool, ""},
    {"global_avgpool", Op::kGlobalAvgPool, ""},
    {"add", Op::kEltwise, "add"},
    {"sub", Op::kEltwise, "sub"},
    {"mul", Op::kEltwise, "mul"},
    {"div", Op::kEltwise, "div"},
    {"pow", Op::kEltwise, "pow"},
    {"max", Op::kEltwise, "max"},
    {"min", Op::kEltwise, "min"},
    {"relu", Op::kUnary, "relu"},
    {"relu6", Op::kUnary, "relu6"},
    {"clip", Op::kUnary, "clip"},
    {"gelu", Op::kUnary, "gelu"},
    {"silu", Op::kUnary, "silu"},
    {"sigmoid", Op::kUnary, "sigmoid"},
    {"hardswish", Op::kUnary, "hardswish"},
    {"hardsigmoid", Op::kUnary, "hardsigmoid"},
    {"tanh", Op::kUnary, "tanh"},
    {"erf", Op::kUnary, "erf"},
    {"sqrt", Op::kUnary, "sqrt"},
    {"exp", Op::kUnary, "exp"},
    {"neg", Op::kUnary, "neg"},
    {"reciprocal", Op::kUnary, "reciprocal"},
    {"abs", Op::kUnary, "abs"},
    {"batchnorm", Op::kBatchNorm, ""},
    {"layernorm", Op::kLayerNorm, ""},
    {"softmax", Op::kSoftmax, ""},
    {"reduce_mean", Op::kReduce, "mean"},
    {"reduce_sum", Op::kReduce, "sum"},
    {"reduce_max", Op::kReduce, "max"},
    {"concat", Op::kConcat, ""},
    {"reshape", Op::kReshape, ""},
    {"transpose", Op::kTranspose, ""},
    {"slice", Op::kSlice, ""},
    {"gather", Op::kGather, ""},
    {"pad", Op::kPad, ""},
};

}  // namespace

std::string op_name(Op op, std::string_view subop) {
  if (op == Op::kReduce) return "reduce_" + std::string(subop);
  for (const auto& e : kOps)
    if (e.op == op && (op != Op::kEltwise && op != Op::kUnary ? true : subop == e.subop))
      return e.name;
  return "unknown";
}

std::optional<OpName> parse_op_name(std::string_view name) {
  for (const auto& e : kOps)
    if (name == e.name) return OpName{e.op, e.subop};
  return std::nullopt;
}

std::vector<std::string> op_names() {
  std::vector<std::string> out;
  for (const auto& e : kOps)
    out.emplace_back(e.name);
  return out;
}

// ---------------------------------------------------------------------------------------------

struct Network::Graph {
  using Adjacency = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  Adjacency g;
  std::unordered_map<std::string, int> by_name;
  // Running totals, checked as layers are added so that they cannot wrap around.
  std::int64_t total_macs = 0;
  std::int64_t total_weights = 0;
};

Network::Network(std::string name) : name_(std::move(name)), graph_(std::make_unique<Graph>()) {}
Network::Network(const Network& o)
    : name_(o.name_),
      metadata_(o.metadata_),
      layers_(o.layers_),
      graph_(std::make_unique<Graph>(*o.graph_)) {}
Network& Network::operator=(const Network& o) {
  if (this != &o) {
    name_ = o.name_;
    metadata_ = o.metadata_;
    layers_ = o.layers_;
    graph_ = std::make_unique<Graph>(*o.graph_);
  }
  return *this;
}
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

int Network::add_input(std::string name, Shape shape, int source_line) {
  Layer l;
  l.name = std::move(name);
  l.op = Op::kInput;
  l.target_shape = std::move(shape);
  l.source_line = source_line;
  return add_layer(std::move(l));
}

int Network::add_layer(Layer layer) {
  // Callers that know the file (the parsers) put "file:line:" in front of this.
  auto where = [&] { return "layer '" + layer.name + "'"; };
  if (layer.name.empty()) throw UserError("a layer has no name");
  if (graph_->by_name.count(layer.name))
    throw UserError(where() + ": the name is used twice in network '" + name_ + "'");
  std::vector<const Layer*> ins;
  for (int id : layer.inputs) {
    if (id < 0 || static_cast<std::size_t>(id) >= layers_.size())
      throw UserError(where() + ": input id " + std::to_string(id) + " does not exist");
    ins.push_back(&layers_[static_cast<std::size_t>(id)]);
  }
  try {
    infer_layer(layer, ins);
  } catch (const UserError& e) {
    throw UserError(where() + ": " + e.what());
  }
  std::int64_t macs = 0, weights = 0;
  if (__builtin_add_overflow(graph_->total_macs, layer.macs, &macs) || macs > kMaxCount ||
      __builtin_add_overflow(graph_->total_weights, layer.weight_count, &weights) ||
      weights > kMaxCount)
    throw UserError(where() + ": the network's MACs or weights exceed 2^62");
  graph_->total_macs = macs;
  graph_->total_weights = weights;

  const int id = static_cast<int>(layers_.size());
  boost::add_vertex(graph_->g);
  for (int in : layer.inputs)
    boost::add_edge(in, id, graph_->g);
  graph_->by_name.emplace(layer.name, id);
  layers_.push_back(std::move(layer));
  return id;
}

std::optional<int> Network::find(std::string_view name) const {
  auto it = graph_->by_name.find(std::string(name));
  if (it == graph_->by_name.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Network::layer_names() const {
  std::vector<std::string> out;
  out.reserve(layers_.size());
  for (const auto& l : layers_)
    out.push_back(l.name);
  return out;
}

std::vector<int> Network::consumers(int id) const {
  std::vector<int> out;
  for (auto [e, end] = boost::out_edges(id, graph_->g); e != end; ++e)
    out.push_back(static_cast<int>(boost::target(*e, graph_->g)));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int> Network::mac_layers() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    if (is_mac_op(layers_[i].op)) out.push_back(static_cast<int>(i));
  return out;
}

std::vector<int> Network::outputs() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    if (boost::out_degree(i, graph_->g) == 0 && layers_[i].op != Op::kInput)
      out.push_back(static_cast<int>(i));
  return out;
}

std::int64_t Network::total_macs() const {
  return graph_->total_macs;
}

std::int64_t Network::total_weights() const {
  return graph_->total_weights;
}

}  // namespace mpsim
