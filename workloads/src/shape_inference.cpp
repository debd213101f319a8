#include "workloads/src/shape_inference.h"

#include <algorithm>
#include <numeric>

#include "formats/error.h"

namespace mpsim {

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw UserError(message);
}

void need_inputs(const std::vector<const Layer*>& in, std::size_t n, const char* what) {
  if (in.size() != n)
    fail(std::string(what) + " takes " + std::to_string(n) + " input" + (n == 1 ? "" : "s") +
         ", got " + std::to_string(in.size()));
}

void need_rank(const Shape& s, std::size_t rank, const char* what) {
  if (s.size() != rank)
    fail(std::string(what) + " needs a rank-" + std::to_string(rank) + " input, got " +
         shape_string(s));
}

void need_positive(std::int64_t v, const char* key) {
  if (v <= 0) fail(std::string(key) + " must be positive, got " + std::to_string(v));
}

// a x b x ..., or a failure naming `what` when the product passes kMaxCount: sizes from a file
// (a topology's 10^14-channel layer) must not wrap into nonsense that looks like a result.
std::int64_t product(std::initializer_list<std::int64_t> factors, const char* what) {
  std::int64_t n = 1;
  std::string text;
  for (auto f : factors) {
    text += (text.empty() ? "" : " x ") + std::to_string(f);
    if (__builtin_mul_overflow(n, f, &n) || n > kMaxCount)
      fail(std::string(what) + " (" + text + " ...) is more than 2^62");
  }
  return n;
}

// a + b + ..., with the same guard.
std::int64_t sum(std::initializer_list<std::int64_t> terms, const char* what) {
  std::int64_t n = 0;
  for (auto t : terms)
    if (__builtin_add_overflow(n, t, &n) || n > kMaxCount)
      fail(std::string(what) + " is more than 2^62");
  return n;
}

std::int64_t conv_out(std::int64_t in, std::int64_t k, std::int64_t stride, std::int64_t pad0,
                      std::int64_t pad1, std::int64_t dilation, bool ceil_mode) {
  const std::int64_t span =
      sum({product({dilation, k - 1}, "the dilated window"), 1}, "the window");
  const std::int64_t room = sum({in, pad0, pad1}, "the padded input") - span;
  if (room < 0)
    fail("the window (" + std::to_string(span) + ") is larger than the padded input (" +
         std::to_string(in + pad0 + pad1) + ")");
  std::int64_t out = room / stride + 1 + (ceil_mode && room % stride != 0 ? 1 : 0);
  // A ceil-mode window must start inside the input or its left padding (PyTorch's rule).
  if (ceil_mode && (out - 1) * stride >= in + pad0) --out;
  return out;
}

void infer_conv(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "conv2d");
  const Shape& x = in[0]->output_shape;
  need_rank(x, 4, "conv2d");
  auto& c = l.conv;
  need_positive(c.out_channels, "out_channels");
  need_positive(c.kernel_h, "kernel");
  need_positive(c.kernel_w, "kernel");
  need_positive(c.stride_h, "stride");
  need_positive(c.stride_w, "stride");
  need_positive(c.dilation_h, "dilation");
  need_positive(c.dilation_w, "dilation");
  need_positive(c.groups, "groups");
  if (c.pad_top < 0 || c.pad_left < 0 || c.pad_bottom < 0 || c.pad_right < 0)
    fail("padding must not be negative");
  const std::int64_t cin = x[1];
  if (cin % c.groups != 0 || c.out_channels % c.groups != 0)
    fail("groups = " + std::to_string(c.groups) + " must divide the input channels (" +
         std::to_string(cin) + ") and out_channels (" + std::to_string(c.out_channels) + ")");
  const std::int64_t oh =
      conv_out(x[2], c.kernel_h, c.stride_h, c.pad_top, c.pad_bottom, c.dilation_h, false);
  const std::int64_t ow =
      conv_out(x[3], c.kernel_w, c.stride_w, c.pad_left, c.pad_right, c.dilation_w, false);
  l.output_shape = {x[0], c.out_channels, oh, ow};
  const std::int64_t k =
      product({cin / c.groups, c.kernel_h, c.kernel_w}, "the reduction length (channels x kernel)");
  l.gemm = {c.groups, product({x[0], oh, ow}, "the output positions"), c.out_channels / c.groups,
            k};
  l.weight_count = product({c.out_channels, k}, "the weight count");
  l.bias_count = l.has_bias ? c.out_channels : 0;
  if (l.weight) {
    const Shape want{c.out_channels, cin / c.groups, c.kernel_h, c.kernel_w};
    if (l.weight->shape != want)
      fail("weight shape " + shape_string(l.weight->shape) + " does not match " +
           shape_string(want));
  }
}

void infer_linear(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "linear");
  const Shape& x = in[0]->output_shape;
  if (x.empty()) fail("linear needs an input of rank 1 or more");
  need_positive(l.out_features, "out_features");
  const std::int64_t k = x.back();
  l.output_shape = x;
  l.output_shape.back() = l.out_features;
  l.gemm = {1, element_count(x) / k, l.out_features, k};
  l.weight_count = product({k, l.out_features}, "the weight count");
  l.bias_count = l.has_bias ? l.out_features : 0;
  if (l.weight && l.weight->shape != Shape{l.out_features, k})
    fail("weight shape " + shape_string(l.weight->shape) + " does not match " +
         shape_string(Shape{l.out_features, k}));
}

void infer_matmul(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 2, "matmul");
  Shape a = in[0]->output_shape;
  Shape b = in[1]->output_shape;
  if (a.size() < 2 || b.size() < 2)
    fail("matmul needs operands of rank 2 or more, got " + shape_string(a) + " and " +
         shape_string(b));
  if (l.transpose_b) std::swap(b[b.size() - 1], b[b.size() - 2]);
  const std::int64_t m = a[a.size() - 2], k = a.back(), kb = b[b.size() - 2], n = b.back();
  if (k != kb)
    fail("matmul reduction lengths differ: " + shape_string(in[0]->output_shape) + " by " +
         shape_string(in[1]->output_shape) + (l.transpose_b ? " (transposed)" : ""));
  const Shape batch =
      broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
  l.output_shape = batch;
  l.output_shape.push_back(m);
  l.output_shape.push_back(n);
  l.gemm = {element_count(batch), m, n, k};
}

void infer_pool(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "pooling");
  const Shape& x = in[0]->output_shape;
  need_rank(x, 4, "pooling");
  if (l.op == Op::kGlobalAvgPool) {
    l.output_shape = {x[0], x[1], 1, 1};
    return;
  }
  auto& p = l.pool;
  need_positive(p.kernel_h, "kernel");
  need_positive(p.kernel_w, "kernel");
  need_positive(p.stride_h, "stride");
  need_positive(p.stride_w, "stride");
  // A window that lies wholly in the padding pools nothing (ONNX: pads smaller than the kernel).
  if (p.pad_top >= p.kernel_h || p.pad_bottom >= p.kernel_h || p.pad_left >= p.kernel_w ||
      p.pad_right >= p.kernel_w)
    fail("pooling padding (" + std::to_string(p.pad_top) + ", " + std::to_string(p.pad_left) +
         ", " + std::to_string(p.pad_bottom) + ", " + std::to_string(p.pad_right) +
         ") must be smaller than the kernel (" + std::to_string(p.kernel_h) + " x " +
         std::to_string(p.kernel_w) + ")");
  l.output_shape = {
      x[0], x[1], conv_out(x[2], p.kernel_h, p.stride_h, p.pad_top, p.pad_bottom, 1, p.ceil_mode),
      conv_out(x[3], p.kernel_w, p.stride_w, p.pad_left, p.pad_right, 1, p.ceil_mode)};
}

void infer_concat(Layer& l, const std::vector<const Layer*>& in) {
  if (in.empty()) fail("concat needs at least one input");
  Shape out = in[0]->output_shape;
  const auto axis = normalize_axis(l.axis, out.size());
  for (std::size_t i = 1; i < in.size(); ++i) {
    const Shape& s = in[i]->output_shape;
    bool ok = s.size() == out.size();
    for (std::size_t d = 0; ok && d < s.size(); ++d)
      if (static_cast<std::int64_t>(d) != axis && s[d] != out[d]) ok = false;
    if (!ok)
      fail("concat inputs " + shape_string(in[0]->output_shape) + " and " + shape_string(s) +
           " differ outside axis " + std::to_string(axis));
    out[static_cast<std::size_t>(axis)] =
        sum({out[static_cast<std::size_t>(axis)], s[static_cast<std::size_t>(axis)]},
            "the concatenated axis");
  }
  l.output_shape = out;
}

void infer_reshape(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "reshape");
  const Shape& x = in[0]->output_shape;
  Shape out = l.target_shape;
  std::int64_t known = 1;
  int infer_at = -1;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && i < x.size()) out[i] = x[i];  // ONNX: 0 copies the input dim
    if (out[i] == -1) {
      if (infer_at >= 0) fail("reshape: at most one dimension may be -1");
      infer_at = static_cast<int>(i);
    } else if (out[i] <= 0) {
      fail("reshape: bad dimension " + std::to_string(out[i]));
    } else {
      known *= out[i];
    }
  }
  const std::int64_t total = element_count(x);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0)
      fail("reshape of " + shape_string(x) + " to " + shape_string(l.target_shape) +
           " is impossible");
    out[static_cast<std::size_t>(infer_at)] = total / known;
  }
  if (element_count(out) != total)
    fail("reshape of " + shape_string(x) + " (" + std::to_string(total) + " elements) to " +
         shape_string(out) + " changes the element count");
  l.output_shape = out;
  l.target_shape = out;  // resolved, so a network written back is explicit
}

void infer_transpose(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "transpose");
  const Shape& x = in[0]->output_shape;
  if (l.axes.empty()) {  // ONNX default: reverse the dims
    l.axes.resize(x.size());
    std::iota(l.axes.rbegin(), l.axes.rend(), 0);
  }
  if (l.axes.size() != x.size()) fail("transpose: the permutation's length differs from the rank");
  std::vector<bool> seen(x.size(), false);
  Shape out;
  for (auto a : l.axes) {
    const auto n = normalize_axis(a, x.size());
    if (seen[static_cast<std::size_t>(n)]) fail("transpose: the permutation repeats an axis");
    seen[static_cast<std::size_t>(n)] = true;
    out.push_back(x[static_cast<std::size_t>(n)]);
  }
  l.output_shape = out;
}

void infer_slice(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "slice");
  Shape out = in[0]->output_shape;
  const auto axis = static_cast<std::size_t>(normalize_axis(l.axis, out.size()));
  const std::int64_t dim = out[axis];
  if (l.step == 0) fail("slice: step must not be 0");
  auto clampi = [](std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return std::min(std::max(v, lo), hi);
  };
  std::int64_t start = l.start < 0 ? l.start + dim : l.start;
  std::int64_t end = l.end < 0 ? l.end + dim : l.end;
  // ceil(span / |step|) without forming span + |step| - 1 or -step, either of which can wrap
  // for a step near the int64 limits.
  const std::uint64_t stride = l.step > 0 ? static_cast<std::uint64_t>(l.step)
                                          : static_cast<std::uint64_t>(-(l.step + 1)) + 1;
  auto windows = [stride](std::int64_t span) {
    const auto u = static_cast<std::uint64_t>(span);
    return static_cast<std::int64_t>(u / stride + (u % stride != 0 ? 1 : 0));
  };
  std::int64_t n;
  if (l.step > 0) {
    start = clampi(start, 0, dim);
    end = clampi(end, 0, dim);
    n = end > start ? windows(end - start) : 0;
  } else {
    start = clampi(start, 0, dim - 1);
    end = clampi(end, -1, dim - 1);
    n = start > end ? windows(start - end) : 0;
  }
  if (n <= 0) fail("slice selects nothing");
  out[axis] = n;
  l.output_shape = out;
}

void infer_gather(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "gather");
  Shape out = in[0]->output_shape;
  const auto axis = static_cast<std::size_t>(normalize_axis(l.axis, out.size()));
  if (l.index < -out[axis] || l.index >= out[axis])
    fail("gather index " + std::to_string(l.index) + " is outside 0.." +
         std::to_string(out[axis] - 1));
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
  l.output_shape = out;
}

void infer_reduce(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "reduce");
  const Shape& x = in[0]->output_shape;
  std::vector<bool> reduced(x.size(), l.axes.empty());
  for (auto a : l.axes)
    reduced[static_cast<std::size_t>(normalize_axis(a, x.size()))] = true;
  Shape out;
  for (std::size_t d = 0; d < x.size(); ++d) {
    if (!reduced[d]) {
      out.push_back(x[d]);
    } else if (l.keepdims) {
      out.push_back(1);
    }
  }
  l.output_shape = out;
}

void infer_pad(Layer& l, const std::vector<const Layer*>& in) {
  need_inputs(in, 1, "pad");
  Shape out = in[0]->output_shape;
  need_rank(out, 4, "pad");
  const auto& p = l.pool;
  if (p.pad_top < 0 || p.pad_left < 0 || p.pad_bottom < 0 || p.pad_right < 0)
    fail("padding must not be negative");
  out[2] += p.pad_top + p.pad_bottom;
  out[3] += p.pad_left + p.pad_right;
  l.output_shape = out;
}

}  // namespace

std::int64_t normalize_axis(std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r)
    fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + r : axis;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n, 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const std::int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      fail("shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

void infer_layer(Layer& l, const std::vector<const Layer*>& in) {
  l.gemm = {};
  l.weight_count = 0;
  l.bias_count = 0;
  switch (l.op) {
    case Op::kInput:
      if (!in.empty()) fail("an input takes no inputs");
      if (l.target_shape.empty()) fail("an input needs a shape");
      for (auto d : l.target_shape)
        need_positive(d, "shape");
      l.output_shape = l.target_shape;
      break;
    case Op::kConv2d:
      infer_conv(l, in);
      break;
    case Op::kLinear:
      infer_linear(l, in);
      break;
    case Op::kMatMul:
      infer_matmul(l, in);
      break;
    case Op::kMaxPool:
    case Op::kAvgPool:
    case Op::kGlobalAvgPool:
      infer_pool(l, in);
      break;
    case Op::kEltwise:
      need_inputs(in, 2, op_name(l).c_str());
      l.output_shape = broadcast_shapes(in[0]->output_shape, in[1]->output_shape);
      break;
    case Op::kUnary:
    case Op::kBatchNorm:
      need_inputs(in, 1, op_name(l).c_str());
      if (l.op == Op::kUnary && l.unary == UnaryOp::kClip && !(l.clip_min <= l.clip_max))
        fail("clip min " + number_text(l.clip_min, 7) + " is above its max " +
             number_text(l.clip_max, 7));
      l.output_shape = in[0]->output_shape;
      break;
    case Op::kLayerNorm:
    case Op::kSoftmax:
      need_inputs(in, 1, l.op == Op::kSoftmax ? "softmax" : "layernorm");
      normalize_axis(l.axis, in[0]->output_shape.size());
      l.output_shape = in[0]->output_shape;
      break;
    case Op::kReduce:
      infer_reduce(l, in);
      break;
    case Op::kConcat:
      infer_concat(l, in);
      break;
    case Op::kReshape:
      infer_reshape(l, in);
      break;
    case Op::kTranspose:
      infer_transpose(l, in);
      break;
    case Op::kSlice:
      infer_slice(l, in);
      break;
    case Op::kGather:
      infer_gather(l, in);
      break;
    case Op::kPad:
      infer_pad(l, in);
      break;
  }
  std::int64_t macs = 1;
  for (std::int64_t f : {l.gemm.groups, l.gemm.m, l.gemm.n, l.gemm.k})
    if (__builtin_mul_overflow(macs, f, &macs) || macs > kMaxCount)
      fail("more than 2^62 MACs (" + std::to_string(l.gemm.groups) + " x " +
           std::to_string(l.gemm.m) + " x " + std::to_string(l.gemm.n) + " x " +
           std::to_string(l.gemm.k) + ")");
  l.macs = macs;
  l.input_elements = 0;
  for (const Layer* p : in)
    l.input_elements += element_count(p->output_shape);
  l.output_elements = element_count(l.output_shape);
}

}  // namespace mpsim
