#include "quant/src/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "quant/src/gemm.h"

namespace mpsim::quant_detail {

// The build is portable (no -march), so the hot loops are compiled for AVX-512 and AVX2 as well
// and picked at load time by the CPU they run on (GCC function multi-versioning).
#define MPSIM_HOT __attribute__((target_clones("avx512f", "avx2", "default")))

namespace {

std::int64_t product(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t n = 1;
  for (std::size_t i = from; i < to && i < s.size(); ++i)
    n *= s[i];
  return n;
}

std::size_t axis_of(std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

// Offsets of an operand broadcast to `out`: stride 0 along the dims where it has size 1.
std::vector<std::int64_t> broadcast_strides(const Shape& s, const Shape& out) {
  std::vector<std::int64_t> st(out.size(), 0);
  std::int64_t stride = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    const std::size_t o = out.size() - s.size() + i;
    st[o] = s[i] == 1 ? 0 : stride;
    stride *= s[i];
  }
  return st;
}

template <class F>
void binary_loop(const Shape& as, const float* a, const Shape& bs, const float* b, const Shape& os,
                 float* out, F f) {
  const std::int64_t n = element_count(os);
  const std::int64_t na = element_count(as), nb = element_count(bs);
  if (na == n && nb == n) {
    for (std::int64_t i = 0; i < n; ++i)
      out[i] = f(a[i], b[i]);
    return;
  }
  if (nb == 1 && na == n) {
    const float v = b[0];
    for (std::int64_t i = 0; i < n; ++i)
      out[i] = f(a[i], v);
    return;
  }
  if (na == 1 && nb == n) {
    const float v = a[0];
    for (std::int64_t i = 0; i < n; ++i)
      out[i] = f(v, b[i]);
    return;
  }
  // General broadcasting: an odometer over all dims but the last.
  const auto sa = broadcast_strides(as, os), sb = broadcast_strides(bs, os);
  const std::size_t r = os.size();
  const std::int64_t inner = r ? os[r - 1] : 1;
  const std::int64_t ia = r ? sa[r - 1] : 0, ib = r ? sb[r - 1] : 0;
  std::vector<std::int64_t> idx(r, 0);
  std::int64_t pa = 0, pb = 0;
  for (std::int64_t o = 0; o < n; o += inner) {
    float* dst = out + o;
    for (std::int64_t i = 0; i < inner; ++i)
      dst[i] = f(a[pa + i * ia], b[pb + i * ib]);
    for (std::size_t d = r - 1; d-- > 0;) {
      ++idx[d];
      pa += sa[d];
      pb += sb[d];
      if (idx[d] < os[d]) break;
      pa -= sa[d] * os[d];
      pb -= sb[d] * os[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

void conv2d(const Layer& l, const Shape& is, const float* in, std::int64_t batch,
            const float* weight, const float* bias, float* out, Scratch& scratch) {
  dnnl_conv2d(l, is, in, batch, weight, bias, out, *scratch.convolutions);
}

void linear(const Layer& l, std::int64_t rows, std::int64_t k, const float* in, const float* weight,
            const float* bias, float* out) {
  const std::int64_t n = l.out_features;
  sgemm(rows, n, k, in, k, weight, k, true, out, n);
  if (bias)
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t j = 0; j < n; ++j)
        out[r * n + j] += bias[j];
}

void matmul(const Layer& l, const Shape& as, const float* a, const Shape& bs, const float* b,
            float* out) {
  const std::int64_t m = as[as.size() - 2], k = as.back();
  const std::int64_t n = l.transpose_b ? bs[bs.size() - 2] : bs.back();
  const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const Shape ob(l.output_shape.begin(), l.output_shape.end() - 2);
  const auto sa = broadcast_strides(ab, ob), sb = broadcast_strides(bb, ob);
  const std::int64_t batches = element_count(ob);
  std::vector<std::int64_t> idx(ob.size(), 0);
  std::int64_t pa = 0, pb = 0;
  for (std::int64_t t = 0; t < batches; ++t) {
    sgemm(m, n, k, a + pa * m * k, k, b + pb * k * n, l.transpose_b ? k : n, l.transpose_b,
          out + t * m * n, n);
    for (std::size_t d = ob.size(); d-- > 0;) {
      ++idx[d];
      pa += sa[d];
      pb += sb[d];
      if (idx[d] < ob[d]) break;
      pa -= sa[d] * ob[d];
      pb -= sb[d] * ob[d];
      idx[d] = 0;
    }
  }
}

void pool(const Layer& l, const Shape& is, const float* in, float* out) {
  const auto& p = l.pool;
  const std::int64_t ch = is[1], h = is[2], w = is[3];
  const std::int64_t oh = l.output_shape[2], ow = l.output_shape[3];
  const bool is_max = l.op == Op::kMaxPool;
  for (std::int64_t c = 0; c < ch; ++c) {
    const float* plane = in + c * h * w;
    for (std::int64_t y = 0; y < oh; ++y) {
      for (std::int64_t x = 0; x < ow; ++x) {
        // PyTorch's window rule: the divisor with padding counts the window up to the padded
        // edge; without it, only the pixels inside the image.
        std::int64_t y0 = y * p.stride_h - p.pad_top, x0 = x * p.stride_w - p.pad_left;
        std::int64_t y1 = std::min(y0 + p.kernel_h, h + p.pad_bottom);
        std::int64_t x1 = std::min(x0 + p.kernel_w, w + p.pad_right);
        const std::int64_t padded = (y1 - y0) * (x1 - x0);
        y0 = std::max<std::int64_t>(y0, 0);
        x0 = std::max<std::int64_t>(x0, 0);
        y1 = std::min(y1, h);
        x1 = std::min(x1, w);
        float acc = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
        for (std::int64_t i = y0; i < y1; ++i)
          for (std::int64_t j = x0; j < x1; ++j)
            acc = is_max ? std::max(acc, plane[i * w + j]) : acc + plane[i * w + j];
        if (!is_max) {
          const std::int64_t count = p.count_include_pad ? padded : (y1 - y0) * (x1 - x0);
          acc = count > 0 ? acc / static_cast<float>(count) : 0.0f;
        }
        out[(c * oh + y) * ow + x] = acc;
      }
    }
  }
}

void global_avg_pool(const Shape& is, const float* in, float* out) {
  const std::int64_t ch = is[1], hw = is[2] * is[3];
  for (std::int64_t c = 0; c < ch; ++c) {
    double acc = 0;
    for (std::int64_t i = 0; i < hw; ++i)
      acc += in[c * hw + i];
    out[c] = static_cast<float>(acc / static_cast<double>(hw));
  }
}

void eltwise(const Layer& l, const Shape& as, const float* a, const Shape& bs, const float* b,
             float* out) {
  const Shape& os = l.output_shape;
  switch (l.binary) {
    case BinaryOp::kAdd:
      return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x + y; });
    case BinaryOp::kSub:
      return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x - y; });
    case BinaryOp::kMul:
      return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x * y; });
    case BinaryOp::kDiv:
      return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x / y; });
    case BinaryOp::kMax:
      return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return std::max(x, y); });
    case BinaryOp::kMin:
      return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return std::min(x, y); });
    case BinaryOp::kPow:
      if (element_count(bs) == 1 && b[0] == 2.0f)  // the variance's square
        return binary_loop(as, a, bs, b, os, out, [](float x, float) { return x * x; });
      return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return std::pow(x, y); });
  }
}

namespace {
template <class F>
void map_values(std::int64_t n, const float* in, float* out, F f) {
  for (std::int64_t i = 0; i < n; ++i)
    out[i] = f(in[i]);
}
}  // namespace

MPSIM_HOT void unary(const Layer& l, std::int64_t n, const float* in, float* out) {
  switch (l.unary) {
    case UnaryOp::kRelu:
      return map_values(n, in, out, [](float x) { return x > 0.0f ? x : 0.0f; });
    case UnaryOp::kRelu6:
      return map_values(n, in, out, [](float x) { return std::min(std::max(x, 0.0f), 6.0f); });
    case UnaryOp::kClip: {
      const float lo = l.clip_min, hi = l.clip_max;
      return map_values(n, in, out, [lo, hi](float x) { return std::min(std::max(x, lo), hi); });
    }
    case UnaryOp::kGelu:  // the exact (erf) form
      return map_values(n, in, out, [](float x) {
        return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
      });
    case UnaryOp::kSigmoid:
      return map_values(n, in, out, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
    case UnaryOp::kSilu:
      return map_values(n, in, out, [](float x) { return x / (1.0f + std::exp(-x)); });
    case UnaryOp::kHardSwish:
      return map_values(
          n, in, out, [](float x) { return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; });
    case UnaryOp::kHardSigmoid: {
      const float a = l.alpha, b = l.beta;
      return map_values(n, in, out,
                        [a, b](float x) { return std::min(std::max(a * x + b, 0.0f), 1.0f); });
    }
    case UnaryOp::kTanh:
      return map_values(n, in, out, [](float x) { return std::tanh(x); });
    case UnaryOp::kErf:
      return map_values(n, in, out, [](float x) { return std::erf(x); });
    case UnaryOp::kSqrt:
      return map_values(n, in, out, [](float x) { return std::sqrt(x); });
    case UnaryOp::kExp:
      return map_values(n, in, out, [](float x) { return std::exp(x); });
    case UnaryOp::kNeg:
      return map_values(n, in, out, [](float x) { return -x; });
    case UnaryOp::kAbs:
      return map_values(n, in, out, [](float x) { return std::fabs(x); });
    case UnaryOp::kReciprocal:
      return map_values(n, in, out, [](float x) { return 1.0f / x; });
  }
}

void batch_norm(const Layer& l, const Shape& is, const float* in, float* out) {
  const std::int64_t ch = is.size() > 1 ? is[1] : 1, inner = product(is, 2, is.size());
  const std::int64_t outer = is.empty() ? 1 : is[0];
  const float* scale = l.weight->data.data();
  const float* shift = l.bias->data.data();
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t c = 0; c < ch; ++c) {
      const std::int64_t base = (o * ch + c) * inner;
      for (std::int64_t i = 0; i < inner; ++i)
        out[base + i] = in[base + i] * scale[c] + shift[c];
    }
}

void layer_norm(const Layer& l, const Shape& is, const float* in, float* out) {
  const std::size_t axis = axis_of(l.axis, is.size());
  const std::int64_t inner = product(is, axis, is.size()), outer = product(is, 0, axis);
  const float* gamma = l.weight ? l.weight->data.data() : nullptr;
  const float* beta = l.bias ? l.bias->data.data() : nullptr;
  for (std::int64_t o = 0; o < outer; ++o) {
    const float* x = in + o * inner;
    float* y = out + o * inner;
    float mean = 0;
    for (std::int64_t i = 0; i < inner; ++i)
      mean += x[i];
    mean /= static_cast<float>(inner);
    float var = 0;
    for (std::int64_t i = 0; i < inner; ++i)
      var += (x[i] - mean) * (x[i] - mean);
    var /= static_cast<float>(inner);
    const float inv = 1.0f / std::sqrt(var + l.epsilon);
    for (std::int64_t i = 0; i < inner; ++i) {
      float v = (x[i] - mean) * inv;
      if (gamma) v *= gamma[i];
      if (beta) v += beta[i];
      y[i] = v;
    }
  }
}

void softmax(const Layer& l, const Shape& is, const float* in, float* out) {
  const std::size_t axis = axis_of(l.axis, is.size());
  const std::int64_t outer = product(is, 0, axis);
  const std::int64_t n = l.softmax_flatten ? product(is, axis, is.size()) : is[axis];
  const std::int64_t inner = l.softmax_flatten ? 1 : product(is, axis + 1, is.size());
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      const float* x = in + o * n * inner + i;
      float* y = out + o * n * inner + i;
      float m = -std::numeric_limits<float>::infinity();
      for (std::int64_t j = 0; j < n; ++j)
        m = std::max(m, x[j * inner]);
      float sum = 0;
      for (std::int64_t j = 0; j < n; ++j) {
        y[j * inner] = std::exp(x[j * inner] - m);
        sum += y[j * inner];
      }
      const float inv = 1.0f / sum;
      for (std::int64_t j = 0; j < n; ++j)
        y[j * inner] *= inv;
    }
}

namespace {
// What a reduction accumulates: the maximum, or the sum (divided by the count for the mean).
struct Reduction {
  bool is_max;
  bool is_mean;
};
Reduction reduction_of(ReduceOp op) {
  switch (op) {
    case ReduceOp::kMean:
      return {false, true};
    case ReduceOp::kSum:
      return {false, false};
    case ReduceOp::kMax:
      return {true, false};
  }
  return {false, false};  // not reached: the switch covers every ReduceOp
}
}  // namespace

void reduce(const Layer& l, const Shape& is, const float* in, float* out) {
  const std::size_t r = is.size();
  std::vector<bool> reduced(r, l.axes.empty());
  for (auto a : l.axes)
    reduced[axis_of(a, r)] = true;
  // Output strides of the input's dims (0 along reduced dims).
  std::vector<std::int64_t> os(r, 0);
  std::int64_t stride = 1, count = 1;
  for (std::size_t d = r; d-- > 0;) {
    if (reduced[d]) {
      count *= is[d];
    } else {
      os[d] = stride;
      stride *= is[d];
    }
  }
  const auto [is_max, is_mean] = reduction_of(l.reduce);
  // The common case (global pooling written as ReduceMean over H and W): the reduced dims are
  // the trailing ones, so each output is the reduction of one contiguous block.
  std::size_t first_reduced = r;
  while (first_reduced > 0 && reduced[first_reduced - 1])
    --first_reduced;
  bool trailing = true;
  for (std::size_t d = 0; d < first_reduced; ++d)
    trailing = trailing && !reduced[d];
  if (trailing) {
    for (std::int64_t o = 0; o < stride; ++o) {
      const float* x = in + o * count;
      float acc = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
      for (std::int64_t i = 0; i < count; ++i)
        acc = is_max ? std::max(acc, x[i]) : acc + x[i];
      out[o] = is_mean ? acc / static_cast<float>(count) : acc;
    }
    return;
  }
  std::fill(out, out + stride, is_max ? -std::numeric_limits<float>::infinity() : 0.0f);
  const std::int64_t n = element_count(is);
  std::vector<std::int64_t> idx(r, 0);
  std::int64_t po = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    out[po] = is_max ? std::max(out[po], in[i]) : out[po] + in[i];
    for (std::size_t d = r; d-- > 0;) {
      ++idx[d];
      po += os[d];
      if (idx[d] < is[d]) break;
      po -= os[d] * is[d];
      idx[d] = 0;
    }
  }
  if (is_mean)
    for (std::int64_t i = 0; i < stride; ++i)
      out[i] /= static_cast<float>(count);
}

void concat(const Layer& l, const std::vector<Shape>& shapes, const std::vector<const float*>& in,
            float* out) {
  const std::size_t axis = axis_of(l.axis, l.output_shape.size());
  const std::int64_t outer = product(l.output_shape, 0, axis);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < in.size(); ++i) {
      const std::int64_t block = product(shapes[i], axis, shapes[i].size());
      std::memcpy(out, in[i] + o * block, static_cast<std::size_t>(block) * sizeof(float));
      out += block;
    }
}

void transpose(const Layer& l, const Shape& is, const float* in, float* out) {
  const std::size_t r = is.size();
  std::vector<std::int64_t> in_strides(r, 1);
  for (std::size_t d = r; d-- > 1;)
    in_strides[d - 1] = in_strides[d] * is[d];
  const Shape& os = l.output_shape;
  std::vector<std::int64_t> st(r);  // input stride of each output dim
  for (std::size_t d = 0; d < r; ++d)
    st[d] = in_strides[axis_of(l.axes[d], r)];
  const std::int64_t n = element_count(os);
  const std::int64_t inner = r ? os[r - 1] : 1, si = r ? st[r - 1] : 0;
  std::vector<std::int64_t> idx(r, 0);
  std::int64_t p = 0;
  for (std::int64_t o = 0; o < n; o += inner) {
    for (std::int64_t i = 0; i < inner; ++i)
      out[o + i] = in[p + i * si];
    for (std::size_t d = r - 1; d-- > 0;) {
      ++idx[d];
      p += st[d];
      if (idx[d] < os[d]) break;
      p -= st[d] * os[d];
      idx[d] = 0;
    }
  }
}

void slice(const Layer& l, const Shape& is, const float* in, float* out) {
  const std::size_t axis = axis_of(l.axis, is.size());
  const std::int64_t dim = is[axis], outer = product(is, 0, axis);
  const std::int64_t inner = product(is, axis + 1, is.size());
  const std::int64_t n = l.output_shape[axis];
  // The start as shape inference resolved it (negative counts from the end, then clamped).
  std::int64_t start = l.start < 0 ? l.start + dim : l.start;
  start = l.step > 0 ? std::clamp<std::int64_t>(start, 0, dim)
                     : std::clamp<std::int64_t>(start, 0, dim - 1);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t j = 0; j < n; ++j)
      std::memcpy(out + (o * n + j) * inner, in + (o * dim + start + j * l.step) * inner,
                  static_cast<std::size_t>(inner) * sizeof(float));
}

void gather(const Layer& l, const Shape& is, const float* in, float* out) {
  const std::size_t axis = axis_of(l.axis, is.size());
  const std::int64_t dim = is[axis], outer = product(is, 0, axis);
  const std::int64_t inner = product(is, axis + 1, is.size());
  const std::int64_t index = l.index < 0 ? l.index + dim : l.index;
  for (std::int64_t o = 0; o < outer; ++o)
    std::memcpy(out + o * inner, in + (o * dim + index) * inner,
                static_cast<std::size_t>(inner) * sizeof(float));
}

void pad(const Layer& l, const Shape& is, const float* in, float* out) {
  const auto& p = l.pool;
  const std::int64_t ch = is[1], h = is[2], w = is[3];
  const std::int64_t oh = l.output_shape[2], ow = l.output_shape[3];
  std::fill(out, out + ch * oh * ow, 0.0f);
  for (std::int64_t c = 0; c < ch; ++c)
    for (std::int64_t y = 0; y < h; ++y)
      std::memcpy(out + (c * oh + y + p.pad_top) * ow + p.pad_left, in + (c * h + y) * w,
                  static_cast<std::size_t>(w) * sizeof(float));
}

}  // namespace mpsim::quant_detail
