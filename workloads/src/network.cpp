#include "workloads/network.h"

#include <algorithm>
#include <array>
#include <boost/graph/adjacency_list.hpp>
#include <unordered_map>

#include "formats/error.h"
#include "formats/name_table.h"
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

bool is_data_movement(Op op) {
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

// One table per sub-op enum, in enum order, serves its name, its parser and its list.
constexpr NameTable<UnaryOp, 15> kUnaryOps = {{
    {UnaryOp::kRelu, "relu"},
    {UnaryOp::kRelu6, "relu6"},
    {UnaryOp::kClip, "clip"},
    {UnaryOp::kGelu, "gelu"},
    {UnaryOp::kSilu, "silu"},
    {UnaryOp::kSigmoid, "sigmoid"},
    {UnaryOp::kHardSwish, "hardswish"},
    {UnaryOp::kHardSigmoid, "hardsigmoid"},
    {UnaryOp::kTanh, "tanh"},
    {UnaryOp::kErf, "erf"},
    {UnaryOp::kSqrt, "sqrt"},
    {UnaryOp::kExp, "exp"},
    {UnaryOp::kNeg, "neg"},
    {UnaryOp::kReciprocal, "reciprocal"},
    {UnaryOp::kAbs, "abs"},
}};

constexpr NameTable<BinaryOp, 7> kBinaryOps = {{
    {BinaryOp::kAdd, "add"},
    {BinaryOp::kSub, "sub"},
    {BinaryOp::kMul, "mul"},
    {BinaryOp::kDiv, "div"},
    {BinaryOp::kPow, "pow"},
    {BinaryOp::kMax, "max"},
    {BinaryOp::kMin, "min"},
}};

constexpr NameTable<ReduceOp, 3> kReduceOps = {{
    {ReduceOp::kMean, "mean"},
    {ReduceOp::kSum, "sum"},
    {ReduceOp::kMax, "max"},
}};

// Entry i names value i and the last entry is the enum's last value: no value lacks a name.
template <typename E, std::size_t N>
constexpr bool covers_enum(const NameTable<E, N>& table, E last) {
  for (std::size_t i = 0; i < N; ++i)
    if (static_cast<std::size_t>(table[i].first) != i) return false;
  return table[N - 1].first == last;
}
static_assert(covers_enum(kUnaryOps, UnaryOp::kAbs), "kUnaryOps must list UnaryOp in order");
static_assert(covers_enum(kBinaryOps, BinaryOp::kMin), "kBinaryOps must list BinaryOp in order");
static_assert(covers_enum(kReduceOps, ReduceOp::kMax), "kReduceOps must list ReduceOp in order");

bool has_sub_op(Op op) {
  return op == Op::kEltwise || op == Op::kUnary || op == Op::kReduce;
}
constexpr std::string_view kReducePrefix = "reduce_";

// The network-file names of the ops without sub-ops, in the order `op_names()` lists every op;
// an op with sub-ops stands there for all its names (its own name is unused).
constexpr std::pair<Op, const char*> kOps[] = {
    {Op::kInput, "input"},
    {Op::kConv2d, "conv2d"},
    {Op::kLinear, "linear"},
    {Op::kMatMul, "matmul"},
    {Op::kMaxPool, "maxpool"},
    {Op::kAvgPool, "avgpool"},
    {Op::kGlobalAvgPool, "global_avgpool"},
    {Op::kEltwise, ""},
    {Op::kUnary, ""},
    {Op::kBatchNorm, "batchnorm"},
    {Op::kLayerNorm, "layernorm"},
    {Op::kSoftmax, "softmax"},
    {Op::kReduce, ""},
    {Op::kConcat, "concat"},
    {Op::kReshape, "reshape"},
    {Op::kTranspose, "transpose"},
    {Op::kSlice, "slice"},
    {Op::kGather, "gather"},
    {Op::kPad, "pad"},
};

}  // namespace

std::string unary_op_name(UnaryOp op) {
  return name_of(kUnaryOps, op);
}
std::string binary_op_name(BinaryOp op) {
  return name_of(kBinaryOps, op);
}
std::string reduce_op_name(ReduceOp op) {
  return name_of(kReduceOps, op);
}
std::optional<UnaryOp> parse_unary_op(std::string_view name) {
  return parse_in(kUnaryOps, name);
}
std::optional<BinaryOp> parse_binary_op(std::string_view name) {
  return parse_in(kBinaryOps, name);
}
std::optional<ReduceOp> parse_reduce_op(std::string_view name) {
  return parse_in(kReduceOps, name);
}
std::vector<std::string> unary_op_names() {
  return names_in(kUnaryOps);
}
std::vector<std::string> binary_op_names() {
  return names_in(kBinaryOps);
}
std::vector<std::string> reduce_op_names() {
  return names_in(kReduceOps);
}

std::string op_name(const OpKind& k) {
  switch (k.op) {
    case Op::kEltwise:
      return binary_op_name(k.binary);
    case Op::kUnary:
      return unary_op_name(k.unary);
    case Op::kReduce:
      return std::string(kReducePrefix) + reduce_op_name(k.reduce);
    default:
      for (const auto& [op, name] : kOps)
        if (op == k.op) return name;
      return "unknown";  // only reachable with an Op cast from an out-of-range integer
  }
}

std::optional<OpKind> parse_op_name(std::string_view name) {
  OpKind k;
  if (auto b = parse_binary_op(name)) {
    k.op = Op::kEltwise;
    k.binary = *b;
    return k;
  }
  if (auto u = parse_unary_op(name)) {
    k.op = Op::kUnary;
    k.unary = *u;
    return k;
  }
  if (name.starts_with(kReducePrefix))
    if (auto r = parse_reduce_op(name.substr(kReducePrefix.size()))) {
      k.op = Op::kReduce;
      k.reduce = *r;
      return k;
    }
  for (const auto& [op, n] : kOps)
    if (!has_sub_op(op) && name == n) {
      k.op = op;
      return k;
    }
  return std::nullopt;
}

std::vector<std::string> op_names() {
  std::vector<std::string> out;
  auto append = [&out](const std::vector<std::string>& names, const std::string& prefix) {
    for (const auto& n : names)
      out.push_back(prefix + n);
  };
  for (const auto& [op, name] : kOps) {
    if (op == Op::kEltwise)
      append(binary_op_names(), "");
    else if (op == Op::kUnary)
      append(unary_op_names(), "");
    else if (op == Op::kReduce)
      append(reduce_op_names(), std::string(kReducePrefix));
    else
      out.emplace_back(name);
  }
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
  auto where = [&] { return "layer " + quote(layer.name); };
  if (layer.name.empty()) throw UserError("a layer has no name");
  if (graph_->by_name.count(layer.name))
    throw UserError(where() + ": the name is used twice in network " + quote(name_));
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
