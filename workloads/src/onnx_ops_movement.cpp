// Mapping of data-movement ops on activations to Layers. Unsqueeze, Squeeze, Flatten and Reshape
// all become a reshape to an explicit target shape; Split and Gather become slices and gathers;
// Identity, Dropout and Cast pass their input through.
#include "workloads/src/onnx_ops.h"
#include "workloads/src/onnx_shape_rules.h"
#include "workloads/src/shape_inference.h"

namespace mpsim::onnx_import {

namespace {

void pass_through(NodeContext& ctx) {
  ctx.need_inputs(1, ctx.op() == "Dropout" ? 3 : 1);  // Dropout: ratio, training_mode
  if (ctx.op() == "Dropout") {
    if (ctx.has_input(2)) {
      const auto training = ctx.constant_input(2, "training_mode");
      if (training->size() == 1 && training->real(0) != 0)
        ctx.fail("training_mode=true is not supported");
    }
    ctx.refuse_extra_outputs(1, "mask");
  }
  ctx.set_output(0, ctx.input(0));
}

void emit_reshape(NodeContext& ctx, const Shape& target) {
  Layer l;
  l.op = Op::kReshape;
  l.target_shape = target;
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_reshape(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const Ints target = ctx.ints_input(1, "shape");
  emit_reshape(ctx, reshape_shape(ctx.input_shape(0), target, ctx.attr_int("allowzero", 0)));
}

void map_flatten(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  emit_reshape(ctx, flatten_shape(ctx.input_shape(0), ctx.attr_int("axis", 1)));
}

void map_unsqueeze(NodeContext& ctx) {
  ctx.need_inputs(1, 2);
  const auto axes = ctx.attr_or_input("axes", 13, 1);
  if (!axes) ctx.fail("needs axes");
  emit_reshape(ctx, unsqueeze_shape(ctx.input_shape(0), *axes));
}

void map_squeeze(NodeContext& ctx) {
  ctx.need_inputs(1, 2);
  const auto axes = ctx.attr_or_input("axes", 13, 1);
  emit_reshape(ctx, squeeze_shape(ctx.input_shape(0), axes.value_or(Ints{})));
}

void map_transpose(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  Layer l;
  l.op = Op::kTranspose;
  l.axes = ctx.attr_ints("perm");  // empty: reversed, as in ONNX
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

void map_concat(NodeContext& ctx) {
  if (!ctx.has_attr("axis")) ctx.fail("needs the axis attribute");
  Layer l;
  l.op = Op::kConcat;
  l.axis = ctx.attr_int("axis", 0);
  for (std::size_t i = 0; i < ctx.input_count(); ++i)
    l.inputs.push_back(ctx.activation_input(i));
  if (l.inputs.empty()) ctx.fail("needs at least one input");
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

// A kSlice layer for one span; returns its id.
int emit_slice(NodeContext& ctx, int input, std::int64_t dim, const SliceSpan& s) {
  if (s.count <= 0) ctx.fail("a slice along axis " + std::to_string(s.axis) + " selects nothing");
  Layer l;
  l.op = Op::kSlice;
  l.axis = s.axis;
  l.start = s.start;
  l.step = s.step;
  // The exclusive end just past the last element taken. Going backwards to the first element it
  // is -1, which kSlice would read from the end: -dim - 1 says "before element 0" instead.
  l.end = s.start + (s.count - 1) * s.step + (s.step > 0 ? 1 : -1);
  if (l.end < 0) l.end = -dim - 1;
  l.inputs = {input};
  return ctx.emit(std::move(l));
}

void map_slice(NodeContext& ctx) {
  const Shape x = ctx.input_shape(0);
  std::vector<SliceSpan> spans;
  if (ctx.opset() >= 10) {
    ctx.need_inputs(3, 5);
    std::optional<Ints> axes, steps;
    if (ctx.has_input(3)) axes = ctx.ints_input(3, "axes");
    if (ctx.has_input(4)) steps = ctx.ints_input(4, "steps");
    spans = slice_spans(x, ctx.ints_input(1, "starts"), ctx.ints_input(2, "ends"), axes, steps);
  } else {
    std::optional<Ints> axes;
    if (ctx.has_attr("axes")) axes = ctx.attr_ints("axes");
    spans = slice_spans(x, ctx.attr_ints("starts"), ctx.attr_ints("ends"), axes, {});
  }
  // One kSlice per axis that actually cuts; a slice that keeps everything is the input itself.
  int id = ctx.activation_input(0);
  for (const auto& s : spans) {
    const std::int64_t dim = x[static_cast<std::size_t>(s.axis)];
    if (s.start == 0 && s.step == 1 && s.count == dim) continue;
    id = emit_slice(ctx, id, dim, s);
  }
  ctx.set_output_layer(0, id);
}

void map_split(NodeContext& ctx) {
  ctx.need_inputs(1, 2);
  const Shape x = ctx.input_shape(0);
  const auto axis = normalized_axes({ctx.attr_int("axis", 0)}, x.size())[0];
  const std::int64_t dim = x[static_cast<std::size_t>(axis)];
  const auto sizes = split_sizes(dim, ctx.attr_or_input("split", 13, 1), ctx.output_count());
  const int in = ctx.activation_input(0);
  std::int64_t start = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    if (ctx.output_used(k)) {
      ctx.set_output_layer(k, emit_slice(ctx, in, dim, SliceSpan{axis, start, 1, sizes[k]}));
    }
    start += sizes[k];
  }
}

// Gather with constant indices on an activation: one index removes the axis (kGather); a run of
// evenly spaced indices keeps it (kSlice).
void map_gather(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const Shape x = ctx.input_shape(0);
  const auto axis = normalized_axes({ctx.attr_int("axis", 0)}, x.size())[0];
  const std::int64_t dim = x[static_cast<std::size_t>(axis)];
  const auto idx = ctx.constant_input(1, "indices");
  if (!idx->is_int) ctx.fail("indices must be integers");
  Ints v = idx->ints;
  for (auto& i : v) {
    if (i < -dim || i >= dim)
      ctx.fail("index " + std::to_string(i) + " is outside axis " + std::to_string(axis) + " of " +
               shape_string(x));
    if (i < 0) i += dim;
  }
  if (idx->shape.empty()) {
    Layer l;
    l.op = Op::kGather;
    l.axis = axis;
    l.index = v[0];
    l.inputs = {ctx.activation_input(0)};
    ctx.set_output_layer(0, ctx.emit(std::move(l)));
    return;
  }
  const std::int64_t step = v.size() > 1 ? v[1] - v[0] : 1;
  bool even = idx->shape.size() == 1 && !v.empty() && step != 0;
  for (std::size_t k = 1; even && k < v.size(); ++k)
    even = v[k] - v[k - 1] == step;
  if (!even)
    ctx.fail("only a scalar index or evenly spaced 1-D indices can be imported (a gather of " +
             shape_string(idx->shape) + " indices is not modelled)");
  const SliceSpan s{axis, v[0], step, static_cast<std::int64_t>(v.size())};
  ctx.set_output_layer(0, emit_slice(ctx, ctx.activation_input(0), dim, s));
}

void map_expand(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const Shape x = ctx.input_shape(0);
  const Ints target = ctx.ints_input(1, "shape");
  Shape out;
  try {
    out = broadcast_shapes(x, Shape(target.begin(), target.end()));
  } catch (const UserError& e) {
    ctx.fail(e.what());
  }
  if (out != x)
    ctx.fail("expanding an activation from " + shape_string(x) + " to " + shape_string(out) +
             " is not supported (mpsim has no broadcast op); only constants can be expanded");
  ctx.set_output(0, ctx.input(0));
}

void map_pad(NodeContext& ctx) {
  ctx.need_inputs(1, 3);
  const std::string mode = ctx.attr_string("mode", "constant");
  if (mode != "constant") ctx.fail("only constant padding is supported, not " + quote(mode));
  Ints pads;
  double value = 0;
  if (ctx.opset() >= 11) {
    pads = ctx.ints_input(1, "pads");
    if (ctx.has_input(2)) {
      const auto v = ctx.constant_input(2, "constant_value");
      if (v->size() != 1) ctx.fail("constant_value must be a scalar");
      value = v->real(0);
    }
  } else {
    pads = ctx.attr_ints("pads");
    value = ctx.attr_float("value", 0.0f);
  }
  if (value != 0) ctx.fail("only zero padding is supported");
  const Shape x = ctx.input_shape(0);
  if (pads.size() != 2 * x.size())
    ctx.fail("expected " + std::to_string(2 * x.size()) + " pads for the input " + shape_string(x) +
             ", got " + std::to_string(pads.size()));
  bool any = false;
  for (std::size_t d = 0; d < pads.size(); ++d) {
    if (pads[d] < 0) ctx.fail("negative pads (cropping) are not supported");
    check_plausible(pads[d], "pad");
    if (pads[d] != 0) any = true;
    const std::size_t axis = d % x.size();
    if (pads[d] != 0 && (x.size() != 4 || axis < 2))
      ctx.fail(
          "only spatial padding of NCHW inputs (the last two dims of a 4-D input) is "
          "supported");
  }
  if (!any) {
    ctx.set_output(0, ctx.input(0));
    return;
  }
  Layer l;
  l.op = Op::kPad;
  l.pool.pad_top = pads[2];
  l.pool.pad_left = pads[3];
  l.pool.pad_bottom = pads[6];
  l.pool.pad_right = pads[7];
  l.inputs = {ctx.activation_input(0)};
  ctx.set_output_layer(0, ctx.emit(std::move(l)));
}

}  // namespace

void add_movement_ops(HandlerTable& layers) {
  layers["Identity"] = pass_through;
  layers["Dropout"] = pass_through;
  layers["Cast"] = pass_through;
  layers["Reshape"] = map_reshape;
  layers["Flatten"] = map_flatten;
  layers["Unsqueeze"] = map_unsqueeze;
  layers["Squeeze"] = map_squeeze;
  layers["Transpose"] = map_transpose;
  layers["Concat"] = map_concat;
  layers["Slice"] = map_slice;
  layers["Split"] = map_split;
  layers["Gather"] = map_gather;
  layers["Expand"] = map_expand;
  layers["Pad"] = map_pad;
}

}  // namespace mpsim::onnx_import
