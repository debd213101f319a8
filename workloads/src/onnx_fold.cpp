// Constant folding: evaluates nodes whose inputs are all known at import time. Exporters compute
// Reshape and Expand targets from Shape through Gather, Concat, arithmetic and so on; since every
// activation's shape is static here, those subgraphs reduce to int64 constants.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "workloads/src/onnx_ops.h"
#include "workloads/src/onnx_shape_rules.h"
#include "workloads/src/shape_inference.h"

namespace mpsim::onnx_import {

namespace {

using TP = onnx::TensorProto;

Shape broadcast(const Shape& a, const Shape& b) {
  try {
    return broadcast_shapes(a, b);
  } catch (const UserError& e) {
    throw OpError(e.what());
  }
}

std::vector<std::size_t> strides_of(const Shape& s) {
  std::vector<std::size_t> st(s.size(), 1);
  for (std::size_t d = s.size(); d-- > 1;)
    st[d - 1] = st[d] * static_cast<std::size_t>(s[d]);
  return st;
}

// Calls fn(index, flat) for every element of `shape` in row-major order.
void for_each_index(const Shape& shape, const std::function<void(const Ints&, std::size_t)>& fn) {
  const std::size_t n = checked_elements(shape);
  Ints idx(shape.size(), 0);
  for (std::size_t flat = 0; flat < n; ++flat) {
    fn(idx, flat);
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

// For each element of `out`, the flat index of the element of `in` (broadcast to out) it reads.
std::vector<std::size_t> broadcast_sources(const Shape& in, const Shape& out) {
  const auto st = strides_of(in);
  const std::size_t lead = out.size() - in.size();
  std::vector<std::size_t> src(checked_elements(out));
  for_each_index(out, [&](const Ints& idx, std::size_t flat) {
    std::size_t s = 0;
    for (std::size_t d = 0; d < in.size(); ++d)
      if (in[d] != 1) s += static_cast<std::size_t>(idx[lead + d]) * st[d];
    src[flat] = s;
  });
  return src;
}

// A constant made of chosen elements of another.
Const pick(const Const& in, Shape shape, const std::vector<std::size_t>& src) {
  Const out;
  out.shape = std::move(shape);
  out.is_int = in.is_int;
  if (in.is_int) {
    out.ints.reserve(src.size());
    for (auto s : src)
      out.ints.push_back(in.ints[s]);
  } else {
    out.reals.reserve(src.size());
    for (auto s : src)
      out.reals.push_back(in.reals[s]);
  }
  return out;
}

Const reshaped(Const c, Shape shape) {
  c.shape = std::move(shape);
  return c;
}

Const as_reals(const Const& c) {
  if (!c.is_int) return c;
  std::vector<double> v(c.ints.begin(), c.ints.end());
  return Const::of_reals(c.shape, std::move(v));
}

// ---- sources of constants -------------------------------------------------------------------

void fold_constant(NodeContext& ctx) {
  if (ctx.node().attribute_size() != 1) ctx.fail("expected exactly one value attribute");
  const auto& a = ctx.node().attribute(0);
  const std::string& name = a.name();
  if (name == "value" && a.type() == onnx::AttributeProto::TENSOR) {
    // Kept encoded: decoded only if something reads its values.
    ctx.set_output(0, Value{-1, &a.t(), {}});
  } else if (name == "value_float" && a.type() == onnx::AttributeProto::FLOAT) {
    ctx.set_output_constant(0, Const::of_reals({}, {a.f()}));
  } else if (name == "value_floats" && a.type() == onnx::AttributeProto::FLOATS) {
    ctx.set_output_constant(
        0, Const::of_reals({a.floats_size()}, {a.floats().begin(), a.floats().end()}));
  } else if (name == "value_int" && a.type() == onnx::AttributeProto::INT) {
    ctx.set_output_constant(0, Const::of_ints({}, {a.i()}));
  } else if (name == "value_ints" && a.type() == onnx::AttributeProto::INTS) {
    ctx.set_output_constant(0, Const::of_ints({a.ints_size()}, {a.ints().begin(), a.ints().end()}));
  } else {
    ctx.fail("attribute " + quote(name) +
             " is not a value mpsim can read (a tensor, float(s) or int(s))");
  }
}

// Shape and Size read only the input's static shape, so they also apply to activations.
void fold_shape(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  const Shape s = ctx.input_shape(0);
  const auto r = static_cast<std::int64_t>(s.size());
  std::int64_t start = ctx.attr_int("start", 0), end = ctx.attr_int("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<std::int64_t>(start, 0, r);
  end = std::clamp<std::int64_t>(end, start, r);
  Ints dims(s.begin() + start, s.begin() + end);
  ctx.set_output_constant(0, Const::of_ints({end - start}, std::move(dims)));
}

void fold_size(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  ctx.set_output_constant(0, Const::of_ints({}, {element_count(ctx.input_shape(0))}));
}

void fold_constant_of_shape(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  const Ints dims = ctx.ints_input(0, "shape");
  Shape shape(dims.begin(), dims.end());
  const std::size_t n = checked_elements(shape);
  Const fill = Const::of_reals({1}, {0.0});
  if (const auto* a = ctx.attr("value")) {
    if (a->type() != onnx::AttributeProto::TENSOR) ctx.fail("attribute 'value' should be a tensor");
    fill = *ctx.graph().constant(Value{-1, &a->t(), {}});
    if (fill.size() != 1) ctx.fail("attribute 'value' should hold one element");
  }
  if (fill.is_int) {
    ctx.set_output_constant(0, Const::of_ints(shape, Ints(n, fill.ints[0])));
  } else {
    ctx.set_output_constant(0, Const::of_reals(shape, std::vector<double>(n, fill.reals[0])));
  }
}

void fold_range(NodeContext& ctx) {
  ctx.need_inputs(3, 3);
  auto start = ctx.constant_input(0, "start"), limit = ctx.constant_input(1, "limit"),
       delta = ctx.constant_input(2, "delta");
  if (start->size() != 1 || limit->size() != 1 || delta->size() != 1)
    ctx.fail("start, limit and delta must be scalars");
  const bool ints = start->is_int && limit->is_int && delta->is_int;
  const double s = start->real(0), l = limit->real(0), d = delta->real(0);
  if (d == 0) ctx.fail("delta is 0");
  const double count = std::ceil((l - s) / d);
  if (!std::isfinite(count) || count > 1e9) ctx.fail("the range is not finite or too long");
  const auto n = static_cast<std::int64_t>(std::max(count, 0.0));
  checked_elements({n});
  if (ints) {
    Ints v;
    for (std::int64_t k = 0; k < n; ++k)
      v.push_back(start->ints[0] + k * delta->ints[0]);
    ctx.set_output_constant(0, Const::of_ints({n}, std::move(v)));
  } else {
    std::vector<double> v;
    for (std::int64_t k = 0; k < n; ++k)
      v.push_back(s + static_cast<double>(k) * d);
    ctx.set_output_constant(0, Const::of_reals({n}, std::move(v)));
  }
}

// ---- element-wise ---------------------------------------------------------------------------

void fold_identity(NodeContext& ctx) {
  ctx.need_inputs(1, 3);  // Dropout's ratio and training_mode inputs are ignored
  ctx.set_output(0, ctx.input(0));
}

void fold_cast(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  const auto in = ctx.constant_input(0, "input");
  const auto to = static_cast<int>(ctx.attr_int("to", 0));
  if (to == TP::BOOL) {
    Ints v;
    for (std::size_t k = 0; k < in->size(); ++k)
      v.push_back(in->real(k) != 0.0);
    ctx.set_output_constant(0, Const::of_ints(in->shape, std::move(v)));
  } else if (is_integer_type(to)) {
    Ints v;
    for (std::size_t k = 0; k < in->size(); ++k)
      v.push_back(in->integer(k));
    ctx.set_output_constant(0, Const::of_ints(in->shape, std::move(v)));
  } else if (is_real_type(to)) {
    ctx.set_output_constant(0, as_reals(*in));
  } else {
    ctx.fail("cannot cast to " + element_type_name(to));
  }
}

// Integer arithmetic on shape values wraps instead of overflowing (undefined behaviour) when a
// corrupt file holds absurd numbers; the absurd result is refused later by the shape checks.
template <class Op>
std::int64_t wrap(std::int64_t x, std::int64_t y, Op op) {
  return static_cast<std::int64_t>(
      op(static_cast<std::uint64_t>(x), static_cast<std::uint64_t>(y)));
}

template <class IntOp, class RealOp>
Const binary(const Const& a, const Const& b, IntOp int_op, RealOp real_op, bool int_result) {
  const Shape out = broadcast(a.shape, b.shape);
  const auto sa = broadcast_sources(a.shape, out), sb = broadcast_sources(b.shape, out);
  if (a.is_int && b.is_int) {
    Ints v(sa.size());
    for (std::size_t k = 0; k < v.size(); ++k)
      v[k] = int_op(a.ints[sa[k]], b.ints[sb[k]]);
    return Const::of_ints(out, std::move(v));
  }
  if (int_result) {
    Ints v(sa.size());
    for (std::size_t k = 0; k < v.size(); ++k)
      v[k] = real_op(a.real(sa[k]), b.real(sb[k])) != 0;
    return Const::of_ints(out, std::move(v));
  }
  std::vector<double> v(sa.size());
  for (std::size_t k = 0; k < v.size(); ++k)
    v[k] = real_op(a.real(sa[k]), b.real(sb[k]));
  return Const::of_reals(out, std::move(v));
}

void fold_binary(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const auto a = ctx.constant_input(0, "left operand"), b = ctx.constant_input(1, "right operand");
  const std::string& op = ctx.op();
  using I = std::int64_t;
  using U = std::uint64_t;
  Const r;
  if (op == "Add") {
    r = binary(
        *a, *b, [](I x, I y) { return wrap(x, y, std::plus<U>()); }, std::plus<double>(), false);
  } else if (op == "Sub") {
    r = binary(
        *a, *b, [](I x, I y) { return wrap(x, y, std::minus<U>()); }, std::minus<double>(), false);
  } else if (op == "Mul") {
    r = binary(
        *a, *b, [](I x, I y) { return wrap(x, y, std::multiplies<U>()); },
        std::multiplies<double>(), false);
  } else if (op == "Div") {
    // Integer Div truncates, as ONNX runtimes do; shape arithmetic depends on it.
    r = binary(
        *a, *b,
        [&](I x, I y) {
          if (y == 0) ctx.fail("integer division by zero");
          if (y == -1) return -x;  // INT64_MIN / -1 would trap
          return x / y;
        },
        std::divides<double>(), false);
  } else if (op == "Mod") {
    r = binary(
        *a, *b,
        [&](I x, I y) {
          if (y == 0) ctx.fail("integer modulo by zero");
          if (y == -1) return I{0};
          const I m = x % y;  // fmod=0: the result takes the divisor's sign
          return (m != 0 && ((m < 0) != (y < 0))) ? m + y : m;
        },
        [](double x, double y) { return std::fmod(x, y); }, false);
  } else if (op == "Pow") {
    r = binary(
        *a, *b, [](I x, I y) { return static_cast<I>(std::pow(x, y)); },
        [](double x, double y) { return std::pow(x, y); }, false);
  } else if (op == "Max") {
    r = binary(
        *a, *b, [](I x, I y) { return std::max(x, y); },
        [](double x, double y) { return std::max(x, y); }, false);
  } else if (op == "Min") {
    r = binary(
        *a, *b, [](I x, I y) { return std::min(x, y); },
        [](double x, double y) { return std::min(x, y); }, false);
  } else if (op == "Equal") {
    r = binary(*a, *b, std::equal_to<I>(), std::equal_to<double>(), true);
  } else if (op == "Less") {
    r = binary(*a, *b, std::less<I>(), std::less<double>(), true);
  } else if (op == "LessOrEqual") {
    r = binary(*a, *b, std::less_equal<I>(), std::less_equal<double>(), true);
  } else if (op == "Greater") {
    r = binary(*a, *b, std::greater<I>(), std::greater<double>(), true);
  } else if (op == "GreaterOrEqual") {
    r = binary(*a, *b, std::greater_equal<I>(), std::greater_equal<double>(), true);
  } else if (op == "And") {
    r = binary(
        *a, *b, [](I x, I y) { return I{(x && y) ? 1 : 0}; },
        [](double x, double y) { return (x != 0 && y != 0) ? 1.0 : 0.0; }, true);
  } else if (op == "Or") {
    r = binary(
        *a, *b, [](I x, I y) { return I{(x || y) ? 1 : 0}; },
        [](double x, double y) { return (x != 0 || y != 0) ? 1.0 : 0.0; }, true);
  } else {
    ctx.fail("no constant rule for this op");
  }
  ctx.set_output_constant(0, std::move(r));
}

void fold_unary(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  const auto in = ctx.constant_input(0, "input");
  const std::string& op = ctx.op();
  if (in->is_int && (op == "Neg" || op == "Abs" || op == "Relu" || op == "Not" || op == "Floor" ||
                     op == "Ceil")) {
    Ints v(in->ints);
    for (auto& x : v)
      x = op == "Neg"    ? -x
          : op == "Abs"  ? std::abs(x)
          : op == "Relu" ? std::max<std::int64_t>(x, 0)
          : op == "Not"  ? std::int64_t{x == 0}
                         : x;
    ctx.set_output_constant(0, Const::of_ints(in->shape, std::move(v)));
    return;
  }
  std::function<double(double)> f;
  if (op == "Neg")
    f = [](double x) { return -x; };
  else if (op == "Abs")
    f = [](double x) { return std::fabs(x); };
  else if (op == "Sqrt")
    f = [](double x) { return std::sqrt(x); };
  else if (op == "Exp")
    f = [](double x) { return std::exp(x); };
  else if (op == "Reciprocal")
    f = [](double x) { return 1.0 / x; };
  else if (op == "Floor")
    f = [](double x) { return std::floor(x); };
  else if (op == "Ceil")
    f = [](double x) { return std::ceil(x); };
  else if (op == "Relu")
    f = [](double x) { return std::max(x, 0.0); };
  else if (op == "Sigmoid")
    f = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  else if (op == "Tanh")
    f = [](double x) { return std::tanh(x); };
  else if (op == "Erf")
    f = [](double x) { return std::erf(x); };
  else
    ctx.fail("no constant rule for this op");
  Const out = as_reals(*in);
  for (auto& x : out.reals)
    x = f(x);
  ctx.set_output_constant(0, std::move(out));
}

void fold_where(NodeContext& ctx) {
  ctx.need_inputs(3, 3);
  const auto c = ctx.constant_input(0, "condition"), x = ctx.constant_input(1, "X"),
             y = ctx.constant_input(2, "Y");
  const Shape out = broadcast(broadcast(c->shape, x->shape), y->shape);
  const auto sc = broadcast_sources(c->shape, out), sx = broadcast_sources(x->shape, out),
             sy = broadcast_sources(y->shape, out);
  if (x->is_int && y->is_int) {
    Ints v(sc.size());
    for (std::size_t k = 0; k < v.size(); ++k)
      v[k] = c->real(sc[k]) != 0 ? x->ints[sx[k]] : y->ints[sy[k]];
    ctx.set_output_constant(0, Const::of_ints(out, std::move(v)));
  } else {
    std::vector<double> v(sc.size());
    for (std::size_t k = 0; k < v.size(); ++k)
      v[k] = c->real(sc[k]) != 0 ? x->real(sx[k]) : y->real(sy[k]);
    ctx.set_output_constant(0, Const::of_reals(out, std::move(v)));
  }
}

// ---- data movement --------------------------------------------------------------------------

void fold_unsqueeze(NodeContext& ctx) {
  const auto in = ctx.constant_input(0, "data");
  const auto axes = ctx.attr_or_input("axes", 13, 1);
  if (!axes) ctx.fail("needs axes");
  ctx.set_output_constant(0, reshaped(*in, unsqueeze_shape(in->shape, *axes)));
}

void fold_squeeze(NodeContext& ctx) {
  const auto in = ctx.constant_input(0, "data");
  const auto axes = ctx.attr_or_input("axes", 13, 1);
  ctx.set_output_constant(0, reshaped(*in, squeeze_shape(in->shape, axes.value_or(Ints{}))));
}

void fold_reshape(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const auto in = ctx.constant_input(0, "data");
  const Ints target = ctx.ints_input(1, "shape");
  ctx.set_output_constant(
      0, reshaped(*in, reshape_shape(in->shape, target, ctx.attr_int("allowzero", 0))));
}

void fold_flatten(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  const auto in = ctx.constant_input(0, "input");
  ctx.set_output_constant(0, reshaped(*in, flatten_shape(in->shape, ctx.attr_int("axis", 1))));
}

void fold_concat(NodeContext& ctx) {
  if (ctx.input_count() == 0) ctx.fail("needs at least one input");
  std::vector<std::shared_ptr<const Const>> ins;
  bool all_int = true;
  for (std::size_t i = 0; i < ctx.input_count(); ++i) {
    ins.push_back(ctx.constant_input(i, "input " + std::to_string(i)));
    all_int = all_int && ins.back()->is_int;
  }
  const Shape& first = ins[0]->shape;
  const auto axis =
      static_cast<std::size_t>(normalized_axes({ctx.attr_int("axis", 0)}, first.size())[0]);
  Shape out = first;
  out[axis] = 0;
  for (const auto& c : ins) {
    bool ok = c->shape.size() == first.size();
    for (std::size_t d = 0; ok && d < first.size(); ++d)
      if (d != axis && c->shape[d] != first[d]) ok = false;
    if (!ok)
      ctx.fail("inputs " + shape_string(first) + " and " + shape_string(c->shape) +
               " differ outside axis " + std::to_string(axis));
    out[axis] += c->shape[axis];
  }
  // Row-major: copy blocks of (dim along axis x inner) per outer index.
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d)
    outer *= static_cast<std::size_t>(first[d]);
  for (std::size_t d = axis + 1; d < first.size(); ++d)
    inner *= static_cast<std::size_t>(first[d]);
  Const r;
  r.shape = out;
  r.is_int = all_int;
  // The result is capped like every constant computed at import time: each input is, but a
  // node may list the same large constant many times (found by fuzzing: minutes and gigabytes).
  const std::size_t total = checked_elements(out);
  if (all_int)
    r.ints.reserve(total);
  else
    r.reals.reserve(total);
  for (std::size_t o = 0; o < outer; ++o)
    for (const auto& c : ins) {
      const std::size_t block = static_cast<std::size_t>(c->shape[axis]) * inner;
      for (std::size_t k = 0; k < block; ++k) {
        if (all_int) {
          r.ints.push_back(c->ints[o * block + k]);
        } else {
          r.reals.push_back(c->real(o * block + k));
        }
      }
    }
  ctx.set_output_constant(0, std::move(r));
}

void fold_gather(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const auto data = ctx.constant_input(0, "data");
  const auto idx = ctx.constant_input(1, "indices");
  if (!idx->is_int) ctx.fail("indices must be integers");
  const auto axis =
      static_cast<std::size_t>(normalized_axes({ctx.attr_int("axis", 0)}, data->shape.size())[0]);
  const std::int64_t dim = data->shape[axis];
  Shape out(data->shape.begin(), data->shape.begin() + static_cast<std::ptrdiff_t>(axis));
  out.insert(out.end(), idx->shape.begin(), idx->shape.end());
  out.insert(out.end(), data->shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1,
             data->shape.end());
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d)
    outer *= static_cast<std::size_t>(data->shape[d]);
  for (std::size_t d = axis + 1; d < data->shape.size(); ++d)
    inner *= static_cast<std::size_t>(data->shape[d]);
  std::vector<std::size_t> src;
  src.reserve(checked_elements(out));
  for (std::size_t o = 0; o < outer; ++o)
    for (auto i : idx->ints) {
      if (i < -dim || i >= dim)
        ctx.fail("index " + std::to_string(i) + " is outside a dim of " + std::to_string(dim));
      const auto row = static_cast<std::size_t>(i < 0 ? i + dim : i);
      for (std::size_t k = 0; k < inner; ++k)
        src.push_back((o * static_cast<std::size_t>(dim) + row) * inner + k);
    }
  ctx.set_output_constant(0, pick(*data, out, src));
}

// Elements of `in` selected per axis by spans (axes not listed are taken whole).
Const slice_const(const Const& in, const std::vector<SliceSpan>& spans) {
  Shape out = in.shape;
  Ints start(in.shape.size(), 0), step(in.shape.size(), 1);
  for (const auto& s : spans) {
    const auto a = static_cast<std::size_t>(s.axis);
    out[a] = s.count;
    start[a] = s.start;
    step[a] = s.step;
  }
  const auto st = strides_of(in.shape);
  std::vector<std::size_t> src(checked_elements(out));
  for_each_index(out, [&](const Ints& idx, std::size_t flat) {
    std::size_t s = 0;
    for (std::size_t d = 0; d < idx.size(); ++d)
      s += static_cast<std::size_t>(start[d] + idx[d] * step[d]) * st[d];
    src[flat] = s;
  });
  return pick(in, out, src);
}

void fold_slice(NodeContext& ctx) {
  const auto in = ctx.constant_input(0, "data");
  std::vector<SliceSpan> spans;
  if (ctx.opset() >= 10) {
    ctx.need_inputs(3, 5);
    std::optional<Ints> axes, steps;
    if (ctx.has_input(3)) axes = ctx.ints_input(3, "axes");
    if (ctx.has_input(4)) steps = ctx.ints_input(4, "steps");
    spans =
        slice_spans(in->shape, ctx.ints_input(1, "starts"), ctx.ints_input(2, "ends"), axes, steps);
  } else {
    std::optional<Ints> axes;
    if (ctx.has_attr("axes")) axes = ctx.attr_ints("axes");
    spans = slice_spans(in->shape, ctx.attr_ints("starts"), ctx.attr_ints("ends"), axes, {});
  }
  ctx.set_output_constant(0, slice_const(*in, spans));
}

void fold_split(NodeContext& ctx) {
  const auto in = ctx.constant_input(0, "input");
  const auto axis = normalized_axes({ctx.attr_int("axis", 0)}, in->shape.size())[0];
  const auto sizes = split_sizes(in->shape[static_cast<std::size_t>(axis)],
                                 ctx.attr_or_input("split", 13, 1), ctx.output_count());
  std::int64_t start = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    ctx.set_output_constant(k, slice_const(*in, {SliceSpan{axis, start, 1, sizes[k]}}));
    start += sizes[k];
  }
}

void fold_transpose(NodeContext& ctx) {
  ctx.need_inputs(1, 1);
  const auto in = ctx.constant_input(0, "data");
  const std::size_t r = in->shape.size();
  Ints perm = ctx.attr_ints("perm");
  if (perm.empty())
    for (std::size_t d = r; d-- > 0;)
      perm.push_back(static_cast<std::int64_t>(d));
  if (perm.size() != r) ctx.fail("perm's length differs from the input's rank");
  perm = normalized_axes(perm, r);
  Shape out(r);
  for (std::size_t d = 0; d < r; ++d)
    out[d] = in->shape[static_cast<std::size_t>(perm[d])];
  const auto st = strides_of(in->shape);
  std::vector<std::size_t> src(checked_elements(out));
  for_each_index(out, [&](const Ints& idx, std::size_t flat) {
    std::size_t s = 0;
    for (std::size_t d = 0; d < r; ++d)
      s += static_cast<std::size_t>(idx[d]) * st[static_cast<std::size_t>(perm[d])];
    src[flat] = s;
  });
  ctx.set_output_constant(0, pick(*in, out, src));
}

void fold_expand(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const auto in = ctx.constant_input(0, "input");
  const Ints target = ctx.ints_input(1, "shape");
  const Shape out = broadcast(in->shape, Shape(target.begin(), target.end()));
  ctx.set_output_constant(0, pick(*in, out, broadcast_sources(in->shape, out)));
}

void fold_tile(NodeContext& ctx) {
  ctx.need_inputs(2, 2);
  const auto in = ctx.constant_input(0, "input");
  const Ints repeats = ctx.ints_input(1, "repeats");
  if (repeats.size() != in->shape.size()) ctx.fail("repeats' length differs from the input's rank");
  Shape out = in->shape;
  for (std::size_t d = 0; d < out.size(); ++d) {
    if (repeats[d] < 0) ctx.fail("repeats must not be negative");
    if (__builtin_mul_overflow(out[d], repeats[d], &out[d]) || out[d] > kMaxCount)
      ctx.fail("repeats make a dimension of more than 2^62");
  }
  const auto st = strides_of(in->shape);
  std::vector<std::size_t> src(checked_elements(out));
  for_each_index(out, [&](const Ints& idx, std::size_t flat) {
    std::size_t s = 0;
    for (std::size_t d = 0; d < idx.size(); ++d)
      s += static_cast<std::size_t>(idx[d] % in->shape[d]) * st[d];
    src[flat] = s;
  });
  ctx.set_output_constant(0, pick(*in, out, src));
}

}  // namespace

void add_fold_ops(HandlerTable& folds) {
  folds["Constant"] = fold_constant;
  folds["ConstantOfShape"] = fold_constant_of_shape;
  folds["Shape"] = fold_shape;
  folds["Size"] = fold_size;
  folds["Range"] = fold_range;
  folds["Identity"] = fold_identity;
  folds["Dropout"] = fold_identity;
  folds["Cast"] = fold_cast;
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Mod", "Pow", "Max", "Min", "Equal", "Less",
                         "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or"})
    folds[op] = fold_binary;
  for (const char* op : {"Neg", "Abs", "Sqrt", "Exp", "Reciprocal", "Floor", "Ceil", "Relu",
                         "Sigmoid", "Tanh", "Erf", "Not"})
    folds[op] = fold_unary;
  folds["Where"] = fold_where;
  folds["Unsqueeze"] = fold_unsqueeze;
  folds["Squeeze"] = fold_squeeze;
  folds["Reshape"] = fold_reshape;
  folds["Flatten"] = fold_flatten;
  folds["Concat"] = fold_concat;
  folds["Gather"] = fold_gather;
  folds["Slice"] = fold_slice;
  folds["Split"] = fold_split;
  folds["Transpose"] = fold_transpose;
  folds["Expand"] = fold_expand;
  folds["Tile"] = fold_tile;
}

}  // namespace mpsim::onnx_import
