// Multi-node patterns imported as one layer, so that a model reads the same whatever opset it was
// exported with and a cost model sees the operation the network actually performs:
//   - MatMul by a constant followed by Add of a constant vector: a linear layer with bias (torch
//     exports nn.Linear on 3-D inputs this way);
//   - ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div [, Mul gamma [, Add beta]]: a layer
//     norm (torch's nn.LayerNorm below opset 17);
//   - Div sqrt(2), Erf, Add 1, Mul x, Mul 0.5: GELU (exact form; no ONNX op before opset 20);
//   - HardSigmoid(alpha 1/6) then Mul by its own input: HardSwish (torch below opset 14).
// Each pattern only matches when its intermediate tensors feed nothing else, so no value the rest
// of the graph reads is lost. None of them changes the MAC count.
#include <algorithm>
#include <cmath>
#include <optional>

#include "workloads/src/onnx_ops.h"
#include "workloads/src/onnx_shape_rules.h"

namespace mpsim::onnx_import {

namespace {

using Node = onnx::NodeProto;

bool is_op(const Node& n, const char* op) {
  return (n.domain().empty() || n.domain() == "ai.onnx") && n.op_type() == op;
}

// A node's first output; empty (matching nothing) for a malformed node without outputs.
const std::string& out0(const Node& n) {
  static const std::string none;
  return n.output_size() > 0 ? n.output(0) : none;
}

// The one node reading `tensor`, or -1 when several do (or it is a graph output).
int sole_consumer(const Graph& g, const std::string& tensor) {
  const auto& c = g.consumers(tensor);
  if (c.size() != 1 || g.is_graph_output(tensor)) return -1;
  return c[0];
}

// The operand of a two-input node other than `tensor`; empty when `tensor` is not an operand.
std::string other_operand(const Node& n, const std::string& tensor) {
  if (n.input_size() != 2) return {};
  if (n.input(0) == tensor) return n.input(1);
  if (n.input(1) == tensor) return n.input(0);
  return {};
}

bool is_scalar(const std::shared_ptr<const Const>& c, double value, double tolerance) {
  return c && c->size() == 1 && std::fabs(c->real(0) - value) <= tolerance;
}

// "/encoder/ln_1/ReduceMean" -> "/encoder/ln_1/LayerNormalization", as torch names the fused op
// at opset 17.
std::string scoped_name(const Graph& g, int anchor, const std::string& op) {
  const std::string& name = g.proto().node(anchor).name();
  if (name.empty()) return op + "_" + std::to_string(anchor);
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? op + "_" + name : name.substr(0, slash + 1) + op;
}

int add_fused(NodeContext& ctx, Layer l, const std::string& op, const std::vector<int>& nodes,
              const std::string& output) {
  Graph& g = ctx.graph();
  l.name = g.unique_name(scoped_name(g, ctx.index(), op));
  const int id = g.add_layer(std::move(l), ctx.index());
  for (int n : nodes)
    g.skip_node(n);
  g.define(output, Value{id, nullptr, {}});
  return id;
}

bool fuse_linear_bias(NodeContext& ctx) {
  if (ctx.input_count() != 2 || !matmul_has_constant_weight(ctx)) return false;
  Graph& g = ctx.graph();
  const int add = sole_consumer(g, ctx.output_name(0));
  if (add < 0 || !is_op(g.proto().node(add), "Add")) return false;
  const Node& a = g.proto().node(add);
  const std::string bias_name = other_operand(a, ctx.output_name(0));
  if (bias_name.empty() || bias_name == ctx.output_name(0)) return false;
  const auto bias = g.peek_constant(bias_name);
  const std::int64_t n = ctx.input_shape(1)[1];
  const std::size_t rank = std::max<std::size_t>(ctx.input_shape(0).size(), 2);
  if (!bias || static_cast<std::int64_t>(bias->size()) != n || bias->shape.empty() ||
      bias->shape.back() != n || bias->shape.size() > rank)
    return false;
  Layer l = matmul_linear_layer(ctx);
  l.has_bias = true;
  if (g.keep_weights()) {
    l.bias = to_float_tensor(*bias);
    l.bias->shape = {n};
  }
  // The layer keeps the MatMul's name: it is the node that does the work.
  l.name = g.unique_name(ctx.label());
  const int id = g.add_layer(std::move(l), ctx.index());
  g.skip_node(add);
  g.define(out0(a), Value{id, nullptr, {}});
  return true;
}

// ReduceMean axes as the attribute (opsets up to 17), when they are the trailing dims.
std::optional<Ints> trailing_reduce_axes(const Node& n, std::size_t rank) {
  Ints axes;
  bool keepdims = true;
  for (const auto& a : n.attribute()) {
    if (a.name() == "axes") axes.assign(a.ints().begin(), a.ints().end());
    if (a.name() == "keepdims") keepdims = a.i() != 0;
  }
  if (axes.empty() || !keepdims || n.input_size() != 1) return std::nullopt;
  for (auto& v : axes) {
    if (v < -static_cast<std::int64_t>(rank) || v >= static_cast<std::int64_t>(rank))
      return std::nullopt;
    if (v < 0) v += static_cast<std::int64_t>(rank);
  }
  std::sort(axes.begin(), axes.end());
  for (std::size_t i = 0; i < axes.size(); ++i)
    if (axes[i] != static_cast<std::int64_t>(rank - axes.size() + i)) return std::nullopt;
  return axes;
}

bool fuse_layernorm(NodeContext& ctx) {
  if (ctx.input_count() != 1 || ctx.is_constant(0)) return false;
  Graph& g = ctx.graph();
  const auto& nodes = g.proto().node();
  const std::string& x = ctx.input_name(0);
  const Shape xs = ctx.input_shape(0);
  const auto axes = trailing_reduce_axes(ctx.node(), xs.size());
  if (!axes) return false;

  const int sub = sole_consumer(g, ctx.output_name(0));
  if (sub < 0 || !is_op(nodes[sub], "Sub") || nodes[sub].input_size() != 2 ||
      nodes[sub].input(0) != x || nodes[sub].input(1) != ctx.output_name(0))
    return false;
  const std::string& d = out0(nodes[sub]);
  const auto& d_users = g.consumers(d);
  if (d_users.size() != 2 || g.is_graph_output(d)) return false;
  const int pow = is_op(nodes[d_users[0]], "Pow") ? d_users[0] : d_users[1];
  const int div = pow == d_users[0] ? d_users[1] : d_users[0];
  if (!is_op(nodes[pow], "Pow") || nodes[pow].input_size() != 2 || nodes[pow].input(0) != d ||
      !is_scalar(g.peek_constant(nodes[pow].input(1)), 2.0, 0.0))
    return false;
  const int mean2 = sole_consumer(g, out0(nodes[pow]));
  if (mean2 < 0 || !is_op(nodes[mean2], "ReduceMean") ||
      trailing_reduce_axes(nodes[mean2], xs.size()) != axes)
    return false;
  const int add_eps = sole_consumer(g, out0(nodes[mean2]));
  if (add_eps < 0 || !is_op(nodes[add_eps], "Add")) return false;
  const auto eps = g.peek_constant(other_operand(nodes[add_eps], out0(nodes[mean2])));
  if (!eps || eps->size() != 1) return false;
  const int sqrt = sole_consumer(g, out0(nodes[add_eps]));
  if (sqrt < 0 || !is_op(nodes[sqrt], "Sqrt")) return false;
  if (!is_op(nodes[div], "Div") || nodes[div].input_size() != 2 || nodes[div].input(0) != d ||
      nodes[div].input(1) != out0(nodes[sqrt]) || sole_consumer(g, out0(nodes[sqrt])) != div)
    return false;
  std::vector<int> fused = {sub, pow, mean2, add_eps, sqrt, div};
  std::string end = out0(nodes[div]);

  // The optional affine part: constants with one value per normalised element.
  const Shape normalized(xs.end() - static_cast<std::ptrdiff_t>(axes->size()), xs.end());
  auto affine = [&](const char* op) -> std::shared_ptr<const Const> {
    const int n = sole_consumer(g, end);
    if (n < 0 || !is_op(nodes[n], op)) return nullptr;
    const std::string other = other_operand(nodes[n], end);
    if (other.empty() || other == end) return nullptr;
    auto c = g.peek_constant(other);
    if (!c || element_count(c->shape) != element_count(normalized) ||
        c->shape.size() > normalized.size())
      return nullptr;
    fused.push_back(n);
    end = out0(nodes[n]);
    return c;
  };
  const auto gamma = affine("Mul");
  const auto beta = gamma ? affine("Add") : nullptr;

  Layer l;
  l.op = Op::kLayerNorm;
  l.axis = -static_cast<std::int64_t>(axes->size());  // as LayerNormalization writes it
  l.epsilon = static_cast<float>(eps->real(0));
  if (g.keep_weights()) {
    if (gamma) l.weight = to_float_tensor(*gamma);
    if (beta) l.bias = to_float_tensor(*beta);
  }
  l.inputs = {g.activation(x)};
  add_fused(ctx, std::move(l), "LayerNormalization", fused, end);
  return true;
}

bool fuse_gelu(NodeContext& ctx) {
  if (ctx.input_count() != 2 || ctx.is_constant(0) || !ctx.is_constant(1)) return false;
  Graph& g = ctx.graph();
  const auto& nodes = g.proto().node();
  if (!is_scalar(g.constant(ctx.input(1)), std::sqrt(2.0), 1e-3)) return false;
  const std::string& x = ctx.input_name(0);
  const int erf = sole_consumer(g, ctx.output_name(0));
  if (erf < 0 || !is_op(nodes[erf], "Erf")) return false;
  const int add = sole_consumer(g, out0(nodes[erf]));
  if (add < 0 || !is_op(nodes[add], "Add") ||
      !is_scalar(g.peek_constant(other_operand(nodes[add], out0(nodes[erf]))), 1.0, 1e-6))
    return false;
  const int mul = sole_consumer(g, out0(nodes[add]));
  if (mul < 0 || !is_op(nodes[mul], "Mul") || other_operand(nodes[mul], out0(nodes[add])) != x)
    return false;
  const int half = sole_consumer(g, out0(nodes[mul]));
  if (half < 0 || !is_op(nodes[half], "Mul") ||
      !is_scalar(g.peek_constant(other_operand(nodes[half], out0(nodes[mul]))), 0.5, 1e-6))
    return false;
  Layer l;
  l.op = Op::kUnary;
  l.unary = UnaryOp::kGelu;
  l.inputs = {g.activation(x)};
  add_fused(ctx, std::move(l), "Gelu", {erf, add, mul, half}, out0(nodes[half]));
  return true;
}

// x * HardSigmoid(x) with torch's constants (alpha 1/6, beta 1/2): torch's hardswish before
// opset 14 introduced HardSwish.
bool fuse_hardswish(NodeContext& ctx) {
  if (ctx.input_count() != 1 || ctx.is_constant(0)) return false;
  if (std::fabs(ctx.attr_float("alpha", 0.2f) - 1.0f / 6.0f) > 1e-6f ||
      std::fabs(ctx.attr_float("beta", 0.5f) - 0.5f) > 1e-6f)
    return false;
  Graph& g = ctx.graph();
  const auto& nodes = g.proto().node();
  const std::string& x = ctx.input_name(0);
  const int mul = sole_consumer(g, ctx.output_name(0));
  if (mul < 0 || !is_op(nodes[mul], "Mul") || other_operand(nodes[mul], ctx.output_name(0)) != x)
    return false;
  Layer l;
  l.op = Op::kUnary;
  l.unary = UnaryOp::kHardSwish;
  l.inputs = {g.activation(x)};
  add_fused(ctx, std::move(l), "HardSwish", {mul}, out0(nodes[mul]));
  return true;
}

}  // namespace

bool try_fuse(NodeContext& ctx) {
  const auto& n = ctx.node();
  if (!n.domain().empty() && n.domain() != "ai.onnx") return false;
  if (n.output_size() < 1 || n.output(0).empty()) return false;
  if (n.op_type() == "MatMul") return fuse_linear_bias(ctx);
  if (n.op_type() == "ReduceMean") return fuse_layernorm(ctx);
  if (n.op_type() == "Div") return fuse_gelu(ctx);
  if (n.op_type() == "HardSigmoid") return fuse_hardswish(ctx);
  return false;
}

}  // namespace mpsim::onnx_import
