// Mapping of compute ops (convolution, GEMM, normalisation, activations, pooling, element-wise)
// from ONNX nodes to Layers.
#include <algorithm>
#include <cmath>
#include <limits>

#include "workloads/src/onnx_ops.h"
#include "workloads/src/onnx_shape_rules.h"

namespace mpsim::onnx_import {

namespace {

struct Pads {
  std::int64_t top = 0, left = 0, bottom = 0, right = 0;
};

// Explicit pads, or the ones auto_pad implies for this input (SAME_*: output = ceil(in/stride),
// the odd padding element at the end for SAME_UPPER, at the start for SAME_LOWER).
Pads resolve_pads(NodeContext& ctx, const Shape& x, const Ints& kernel, const Ints& strides,
                  const Ints& dilations) {
  const std::string mode = ctx.attr_string("auto_pad", "NOTSET");
  Pads p;
  if (mode == "NOTSET") {
    const Ints pads = ctx.attr_ints("pads", {0, 0, 0, 0});
    if (pads.size() != 4)
      ctx.fail("expected 4 pads (top, left, bottom, right), got " + std::to_string(pads.size()));
    for (auto v : pads) {
      if (v < 0) ctx.fail("negative pads are not supported");
      check_plausible(v, "pad");
    }
    return {pads[0], pads[1], pads[2], pads[3]};
  }
  if (mode == "VALID") return p;
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER")
    ctx.fail("auto_pad " + quote(mode) + " is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  std::int64_t begin[2], end[2];
  for (std::size_t d = 0; d < 2; ++d) {
    const std::int64_t in = x[2 + d];
    const std::int64_t out = (in + strides[d] - 1) / strides[d];
    const std::int64_t span = (kernel[d] - 1) * dilations[d] + 1;
    const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * strides[d] + span - in);
    const std::int64_t small = total / 2, big = total - small;
    begin[d] = mode == "SAME_UPPER" ? small : big;
    end[d] = mode == "SAME_UPPER" ? big : small;
  }
  return {begin[0], begin[1], end[0], end[1]};
}

Ints pair_attr(NodeContext& ctx, const std::string& name, std::int64_t fallback) {
  Ints v = ctx.attr_ints(name, {fallback, fallback});
  if (v.size() != 2)
    ctx.fail("attribute '" + name + "' should have 2 values for a 2-D op, got " +
             std::to_string(v.size()));
  for (auto e : v) {
    if (e <= 0) ctx.fail("attribute '" + name + "' must be positive");
    check_plausible(e, name);
  }
  return v;
}

void need_rank4(NodeContext& ctx, const Shape& x) {
  if (x.size() != 4)
    ctx.fail("only 2-D spatial ops on NCHW inputs are supported; the input is " + shape_string(x));
}

// A per-channel vector (bias, scale) as an fp32 tensor of n values; a single value is repeated.
Tensor channel_vector(NodeContext& ctx, std::size_t input, std::int64_t n,
                      const std::string& what) {
  Tensor t = ctx.float_input(input);
  if (t.data.size() == 1 && n > 1) t.data.assign(static_cast<std::size_t>(n), t.data[0]);
  if (static_cast<std::int64_t>(t.data.size()) != n)
    ctx.fail("the " + what + " " + quote(ctx.input_name(input)) + " has shape " +
             shape_string(t.shape) + ", expected " + std::to_string(n) + " values");
  t.shape = {n};
  return t;
}

// ---- convolution and GEMM -------------------------------------------------------------------

void map_conv(NodeContext& ctx) {
  ctx.need_inputs(2, 3);
  const Shape x = ctx.input_shape(0);
  if (!ctx.is_constant(1))
    ctx.fail("the weight " + quote(ctx.input_name(1)) +
             " must be an initializer or a constant; it is computed from activations");
  const Shape w = ctx.input_shape(1);
  if (x.size() != 4 || w.size() != 4)
    ctx.fail("only 2-D convolutions are supported (4-D input and weight); got input " +
             shape_string(x) + " and weight " + shape_string(w));
  Layer l;
  l.op = Op::kConv2d;
  auto& c = l.conv;
  c.groups = ctx.attr_int("group", 1);
  if (c.groups <= 0) ctx.fail("group must be positive");
  if (w[1] * c.groups != x[1])
    ctx.fail("the weight " + shape_string(w) + " with group " + std::to_string(c.groups) +
             " expects " + std::to_string(w[1] * c.groups) + " input channels, the input " +
             shape_string(x) + " has " + std::to_string(x[1]));
  const Ints kernel = ctx.attr_ints("kernel_shape", {w[2], w[3]});
  if (kernel != Ints{w[2], w[3]})
    ctx.fail("kernel_shape does not match the weight " + shape_string(w));
  const Ints strides = pair_attr(ctx, "strides", 1), dilations = pair_attr(ctx, "dilations", 1);
  const Pads p = resolve_pads(ctx, x, kernel, strides, dilations);
  c.out_channels = w[0];
  c.kernel_h = w[2];
  c.kernel_w = w[3];
  c.stride_h = strides[0];
  c.stride_w = strides[1];
  c.dilation_h = dilations[0];
  c.dilation_w = dilations[1];
  c.pad_top = p.top;
  c.pad_left = p.left;
  c.pad_bottom = p.bottom;
  c.pad_right = p.right;
  l.has_bias = ctx.has_input(2);
  if (l.has_bias && !ctx.is_constant(2)) ctx.fail("the bias must be a constant");
  if (ctx.graph().keep_weights()) {
    l.weight = ctx.float_input(1);
    if (l.has_bias) l.bias = channel_vector(ctx, 2, c.out_channels, "bias");
  }
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_gemm(NodeContext& ctx) {
  ctx.need_inputs(2, 3);
  const bool trans_a = ctx.attr_int("transA", 0), trans_b = ctx.attr_int("transB", 0);
  const float alpha = ctx.attr_float("alpha", 1.0f), beta = ctx.attr_float("beta", 1.0f);
  const Shape a = ctx.input_shape(0), b = ctx.input_shape(1);
  if (a.size() != 2 || b.size() != 2)
    ctx.fail("Gemm needs 2-D operands, got " + shape_string(a) + " and " + shape_string(b));
  int a_id = ctx.activation_input(0);
  if (trans_a) {
    Layer t;
    t.op = Op::kTranspose;
    t.axes = {1, 0};
    t.inputs = {a_id};
    a_id = ctx.emit(std::move(t));
  }
  const std::int64_t k = trans_a ? a[0] : a[1];
  const std::int64_t kb = trans_b ? b[1] : b[0], n = trans_b ? b[0] : b[1];
  if (k != kb)
    ctx.fail("operands " + shape_string(a) + (trans_a ? " (transposed)" : "") + " and " +
             shape_string(b) + (trans_b ? " (transposed)" : "") + " do not multiply");
  // C becomes the linear bias when it is one value per output (or a single value); anything
  // else is added as a separate element-wise node.
  const bool has_c = ctx.has_input(2);
  bool c_is_bias = false;
  if (has_c && ctx.is_constant(2)) {
    const Shape c = ctx.input_shape(2);
    const auto count = element_count(c);
    c_is_bias = count == 1 || (count == n && c.back() == n);  // [N], [1, N] or one value
  }
  int id;
  if (ctx.is_constant(1)) {
    Layer l;
    l.op = Op::kLinear;
    l.out_features = n;
    l.has_bias = c_is_bias;
    if (ctx.graph().keep_weights()) {
      // Layer weights are [out, in]: B is that already when transB is set.
      Tensor w = trans_b ? ctx.float_input(1) : ctx.graph().float_matrix_transposed(ctx.input(1));
      if (alpha != 1.0f)
        for (auto& v : w.data)
          v *= alpha;
      l.weight = std::move(w);
      if (c_is_bias) {
        l.bias = channel_vector(ctx, 2, n, "bias C");
        if (beta != 1.0f)
          for (auto& v : l.bias->data)
            v *= beta;
      }
    }
    l.inputs = {a_id};
    id = ctx.emit(std::move(l));
  } else {
    // Both operands computed: a matmul. alpha and beta scale values only, not the MAC count.
    Layer l;
    l.op = Op::kMatMul;
    l.transpose_b = trans_b;
    l.inputs = {a_id, ctx.activation_input(1)};
    id = ctx.emit(std::move(l));
  }
  if (has_c && !c_is_bias) {
    Layer add;
    add.op = Op::kEltwise;
    add.binary = BinaryOp::kAdd;
    add.inputs = {id, ctx.activation_input(2)};
    id = ctx.emit(std::move(add));
  }
  ctx.set_output_layer(0, id);
}

void map_matmul(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  if (matmul_has_constant_weight(ctx)) {
    ctx.set_output_layer(0, ctx.emit(matmul_linear_layer(ctx)));
    return;
  }
  const Shape a = ctx.input_shape(0), b = ctx.input_shape(1);
  if (a.size() < 2 || b.size() < 2)
    ctx.fail("MatMul with a 1-D operand is not supported (" + shape_string(a) + " by " +
             shape_string(b) + ")");
  Layer l;
  l.op = Op::kMatMul;
  l.inputs = {ctx.activation_input(0), ctx.activation_input(1)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

// ---- normalisation --------------------------------------------------------------------------

void map_batchnorm(NodeContext& ctx) {
  ctx.need_inputs(5, 5);
  if (ctx.attr_int("training_mode", 0) != 0) ctx.fail("training_mode=1 is not supported");
  ctx.refuse_extra_outputs(1, "running statistics");
  const Shape x = ctx.input_shape(0);
  if (x.size() < 2) ctx.fail("the input " + shape_string(x) + " has no channel axis");
  for (std::size_t i = 1; i < 5; ++i)
    ctx.constant_input(i, i == 1 ? "scale" : i == 2 ? "bias" : i == 3 ? "mean" : "variance");
  Layer l;
  l.op = Op::kBatchNorm;
  if (ctx.graph().keep_weights()) {
    // Stored as the per-channel affine map it is at inference:
    // y = x * scale / sqrt(var + eps) + (bias - mean * scale / sqrt(var + eps)).
    const std::int64_t c = x[1];
    const double eps = ctx.attr_float("epsilon", 1e-5f);
    Tensor scale = channel_vector(ctx, 1, c, "scale"), bias = channel_vector(ctx, 2, c, "bias");
    const Tensor mean = channel_vector(ctx, 3, c, "mean"), var = channel_vector(ctx, 4, c, "var");
    for (std::size_t i = 0; i < scale.data.size(); ++i) {
      const double s = scale.data[i] / std::sqrt(static_cast<double>(var.data[i]) + eps);
      scale.data[i] = static_cast<float>(s);
      bias.data[i] = static_cast<float>(bias.data[i] - mean.data[i] * s);
    }
    l.weight = std::move(scale);
    l.bias = std::move(bias);
  }
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_layernorm(NodeContext& ctx) {
  ctx.need_inputs(2, 3);
  ctx.refuse_extra_outputs(1, "mean and inverse standard deviation");
  const Shape x = ctx.input_shape(0);
  Layer l;
  l.op = Op::kLayerNorm;
  l.axis = ctx.attr_int("axis", -1);
  const auto axis = normalized_axes({l.axis}, x.size())[0];
  const Shape normalized(x.begin() + axis, x.end());
  const std::int64_t n = element_count(normalized);
  for (std::size_t i = 1; i < 3; ++i)
    if (ctx.has_input(i)) {
      const std::string what = i == 1 ? "scale" : "bias";
      ctx.constant_input(i, what);
      if (element_count(ctx.input_shape(i)) != n)
        ctx.fail("the " + what + " has shape " + shape_string(ctx.input_shape(i)) +
                 ", expected the normalised shape " + shape_string(normalized));
    }
  l.epsilon = ctx.attr_float("epsilon", 1e-5f);
  if (ctx.graph().keep_weights()) {
    l.weight = ctx.float_input(1);
    if (ctx.has_input(2)) l.bias = ctx.float_input(2);
  }
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

// ---- element-wise ---------------------------------------------------------------------------

// The ONNX ops that map one to one onto a sub-op; the handlers look their node's op up here.
constexpr std::pair<const char*, UnaryOp> kOnnxUnary[] = {
    {"Relu", UnaryOp::kRelu}, {"Sigmoid", UnaryOp::kSigmoid},
    {"Tanh", UnaryOp::kTanh}, {"Erf", UnaryOp::kErf},
    {"Sqrt", UnaryOp::kSqrt}, {"Exp", UnaryOp::kExp},
    {"Neg", UnaryOp::kNeg},   {"Reciprocal", UnaryOp::kReciprocal},
    {"Abs", UnaryOp::kAbs},   {"HardSwish", UnaryOp::kHardSwish},
};
constexpr std::pair<const char*, BinaryOp> kOnnxBinary[] = {
    {"Add", BinaryOp::kAdd}, {"Sub", BinaryOp::kSub}, {"Mul", BinaryOp::kMul},
    {"Div", BinaryOp::kDiv}, {"Pow", BinaryOp::kPow}, {"Max", BinaryOp::kMax},
    {"Min", BinaryOp::kMin},
};
constexpr std::pair<const char*, ReduceOp> kOnnxReduce[] = {
    {"ReduceMean", ReduceOp::kMean},
    {"ReduceSum", ReduceOp::kSum},
    {"ReduceMax", ReduceOp::kMax},
};

// The sub-op of the node's op in `table`; a node registered with a handler but missing from
// its table would be a bug, reported as an unsupported op rather than guessed.
template <typename E, std::size_t N>
E sub_op_of(NodeContext& ctx, const std::pair<const char*, E> (&table)[N]) {
  for (const auto& [onnx_op, e] : table)
    if (ctx.op() == onnx_op) return e;
  std::vector<std::string> known;
  for (const auto& entry : table)
    known.emplace_back(entry.first);
  ctx.fail("op " + quote(ctx.op()) + " is not one of " + join(known));
}

void emit_unary(NodeContext& ctx, UnaryOp op) {
  Layer l;
  l.op = Op::kUnary;
  l.unary = op;
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_unary(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  emit_unary(ctx, sub_op_of(ctx, kOnnxUnary));
}

// HardSigmoid's constants default to 0.2 and 0.5 in ONNX (torch exports 1/6 and 0.5).
void map_hardsigmoid(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  Layer l;
  l.op = Op::kUnary;
  l.unary = UnaryOp::kHardSigmoid;
  l.alpha = ctx.attr_float("alpha", 0.2f);
  l.beta = ctx.attr_float("beta", 0.5f);
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_clip(NodeContext& ctx) {
  ctx.need_inputs(1, 3);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  float lo = -kInf, hi = kInf;
  if (ctx.opset() < 11) {
    lo = ctx.attr_float("min", -kInf);
    hi = ctx.attr_float("max", kInf);
  } else {
    auto bound = [&](std::size_t i, const char* what, float fallback) {
      if (!ctx.has_input(i)) return fallback;
      auto c = ctx.constant_input(i, what);
      if (c->size() != 1) ctx.fail(std::string("the ") + what + " must be a scalar");
      return static_cast<float>(c->real(0));
    };
    lo = bound(1, "min", -kInf);
    hi = bound(2, "max", kInf);
  }
  if (lo == 0.0f && hi == 6.0f) return emit_unary(ctx, UnaryOp::kRelu6);
  if (lo == 0.0f && hi == kInf) return emit_unary(ctx, UnaryOp::kRelu);
  Layer l;
  l.op = Op::kUnary;
  l.unary = UnaryOp::kClip;
  l.clip_min = lo;
  l.clip_max = hi;
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

// Binary ops; a constant operand becomes an input-like node (Graph::activation). Max and Min
// take any number of operands: chained pairwise.
void map_binary(NodeContext& ctx) {
  const bool variadic = ctx.op() == "Max" || ctx.op() == "Min";
  ctx.need_inputs(variadic ? 1 : 2, variadic ? 64 : 2);
  const BinaryOp op = sub_op_of(ctx, kOnnxBinary);
  int id = ctx.activation_input(0);
  for (std::size_t i = 1; i < ctx.input_count(); ++i) {
    Layer l;
    l.op = Op::kEltwise;
    l.binary = op;
    l.inputs = {id, ctx.activation_input(i)};
    id = ctx.emit(std::move(l));
  }
  ctx.set_output_layer(0, id);
}

void map_softmax(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  Layer l;
  l.op = Op::kSoftmax;
  // Before opset 13 the default axis is 1 and the op normalises over all dims from it; the
  // cost model sees one softmax either way.
  l.axis = ctx.attr_int("axis", ctx.opset() < 13 ? 1 : -1);
  l.softmax_flatten = ctx.opset() < 13;
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_reduce(NodeContext& ctx) {
  ctx.need_inputs(1, 2);
  // Axes became an input at opset 13 for ReduceSum and at 18 for the others.
  const int input_from = ctx.op() == "ReduceSum" ? 13 : 18;
  const auto axes = ctx.attr_or_input("axes", input_from, 1);
  const bool empty = !axes || axes->empty();
  if (empty && ctx.attr_int("noop_with_empty_axes", 0)) {
    ctx.set_output(0, ctx.input(0));
    return;
  }
  Layer l;
  l.op = Op::kReduce;
  l.reduce = sub_op_of(ctx, kOnnxReduce);
  if (!empty) l.axes = *axes;
  l.keepdims = ctx.attr_int("keepdims", 1) != 0;
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

// ---- pooling --------------------------------------------------------------------------------

void map_pool(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  ctx.refuse_extra_outputs(1, "indices");
  const Shape x = ctx.input_shape(0);
  need_rank4(ctx, x);
  if (!ctx.has_attr("kernel_shape")) ctx.fail("needs kernel_shape");
  const Ints kernel = pair_attr(ctx, "kernel_shape", 1), strides = pair_attr(ctx, "strides", 1),
             dilations = pair_attr(ctx, "dilations", 1);
  if (dilations != Ints{1, 1}) ctx.fail("dilated pooling is not supported");
  const Pads p = resolve_pads(ctx, x, kernel, strides, dilations);
  Layer l;
  l.op = ctx.op() == "MaxPool" ? Op::kMaxPool : Op::kAvgPool;
  l.pool.kernel_h = kernel[0];
  l.pool.kernel_w = kernel[1];
  l.pool.stride_h = strides[0];
  l.pool.stride_w = strides[1];
  l.pool.pad_top = p.top;
  l.pool.pad_left = p.left;
  l.pool.pad_bottom = p.bottom;
  l.pool.pad_right = p.right;
  l.pool.ceil_mode = ctx.attr_int("ceil_mode", 0) != 0;
  l.pool.count_include_pad = ctx.attr_int("count_include_pad", 0) != 0;
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_global_avgpool(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  need_rank4(ctx, ctx.input_shape(0));
  Layer l;
  l.op = Op::kGlobalAvgPool;
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

}  // namespace

bool matmul_has_constant_weight(NodeContext& ctx) {
  return !ctx.is_constant(0) && ctx.is_constant(1) && ctx.input_shape(1).size() == 2;
}

// MatMul by a [K, N] constant is a linear layer; Layer weights are [out, in] = [N, K].
Layer matmul_linear_layer(NodeContext& ctx) {
  const Shape a = ctx.input_shape(0), b = ctx.input_shape(1);
  if (a.empty() || a.back() != b[0])
    ctx.fail("the input " + shape_string(a) + " and the weight " + shape_string(b) +
             " do not multiply");
  Layer l;
  l.op = Op::kLinear;
  l.out_features = b[1];
  if (ctx.graph().keep_weights()) l.weight = ctx.graph().float_matrix_transposed(ctx.input(1));
  l.inputs = {ctx.activation_input(0)};
  return l;
}

void add_compute_ops(HandlerTable& layers) {
  layers["Conv"] = map_conv;
  layers["Gemm"] = map_gemm;
  layers["MatMul"] = map_matmul;
  layers["BatchNormalization"] = map_batchnorm;
  layers["LayerNormalization"] = map_layernorm;
  for (const auto& entry : kOnnxUnary)
    layers[entry.first] = map_unary;
  layers["HardSigmoid"] = map_hardsigmoid;
  layers["Clip"] = map_clip;
  for (const auto& entry : kOnnxBinary)
    layers[entry.first] = map_binary;
  layers["Softmax"] = map_softmax;
  for (const auto& entry : kOnnxReduce)
    layers[entry.first] = map_reduce;
  layers["MaxPool"] = map_pool;
  layers["AveragePool"] = map_pool;
  layers["GlobalAveragePool"] = map_global_avgpool;
}

}  // namespace mpsim::onnx_import
