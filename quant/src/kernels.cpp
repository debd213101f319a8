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

void add_bias(float* out, std::int64_t channels, std::int64_t inner, const float* bias) {
  if (!bias) return;
  for (std::int64_t c = 0; c < channels; ++c) {
    float* row = out + c * inner;
    const float b = bias[c];
    for (std::int64_t i = 0; i < inner; ++i)
      row[i] += b;
  }
}

// Copies `channels` planes (h x w) into a zero-padded buffer of planes (ph x pw), plus one
// spare row so that "wide" reads past the last plane stay inside the buffer.
void pad_planes(const Conv2dParams& c, const float* in, std::int64_t channels, std::int64_t h,
                std::int64_t w, std::vector<float>& padded) {
  const std::int64_t ph = h + c.pad_top + c.pad_bottom, pw = w + c.pad_left + c.pad_right;
  padded.resize(static_cast<std::size_t>(channels * ph * pw + pw));
  float* p = padded.data();
  // Only the border is zeroed: the interior is overwritten.
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    float* plane = p + ch * ph * pw;
    std::fill(plane, plane + c.pad_top * pw, 0.0f);
    for (std::int64_t y = 0; y < h; ++y) {
      float* row = plane + (y + c.pad_top) * pw;
      std::fill(row, row + c.pad_left, 0.0f);
      std::memcpy(row + c.pad_left, in + (ch * h + y) * w, static_cast<std::size_t>(w) * 4);
      std::fill(row + c.pad_left + w, row + pw, 0.0f);
    }
    std::fill(plane + (c.pad_top + h) * pw, plane + ph * pw, 0.0f);
  }
  std::fill(p + channels * ph * pw, p + channels * ph * pw + pw, 0.0f);
}

// Columns of one group of one sample from its padded planes: row (c, ki, kj) holds the pixels
// that meet kernel tap (ki, kj) of channel c at every output position; `ld` is the row stride.
// No bounds checks: the padding is in the buffer.
MPSIM_HOT void im2col(const Conv2dParams& c, const float* padded, std::int64_t channels,
                      std::int64_t ph, std::int64_t pw, std::int64_t oh, std::int64_t ow,
                      float* col, std::int64_t ld) {
  const std::int64_t kh = c.kernel_h, kw = c.kernel_w, sh = c.stride_h, sw = c.stride_w;
  const std::int64_t dh = c.dilation_h, dw = c.dilation_w;
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    const float* plane = padded + ch * ph * pw;
    for (std::int64_t ki = 0; ki < kh; ++ki) {
      for (std::int64_t kj = 0; kj < kw; ++kj) {
        float* row = col + ((ch * kh + ki) * kw + kj) * ld;
        const float* base = plane + ki * dh * pw + kj * dw;
        for (std::int64_t y = 0; y < oh; ++y) {
          const float* src = base + y * sh * pw;
          float* dst = row + y * ow;
          for (std::int64_t x = 0; x < ow; ++x)
            dst[x] = src[x * sw];
        }
      }
    }
  }
}

// One channel of a depthwise convolution: out (oh x ow) from one input plane (h x w). The plane
// is first copied into a zero-padded buffer so the taps need no bounds checks. At stride 1 each
// tap is then one long multiply-add over a "wide" output grid of oh rows of the padded width,
// whose extra columns are dropped at the end: long loops vectorise, 7-wide rows do not.
MPSIM_HOT void depthwise_plane(const Layer& l, const float* plane, std::int64_t h, std::int64_t w,
                               const float* k, float bias, float* out, std::int64_t oh,
                               std::int64_t ow, std::vector<float>& padded,
                               std::vector<float>& wide) {
  const auto& c = l.conv;
  const std::int64_t ph = h + c.pad_top + c.pad_bottom, pw = w + c.pad_left + c.pad_right;
  padded.assign(static_cast<std::size_t>(ph * pw + pw), 0.0f);  // one spare row for the wide grid
  for (std::int64_t y = 0; y < h; ++y)
    std::memcpy(padded.data() + (y + c.pad_top) * pw + c.pad_left, plane + y * w,
                static_cast<std::size_t>(w) * sizeof(float));
  const float* src = padded.data();
  if (c.stride_h == 1 && c.stride_w == 1) {
    const std::int64_t n = oh * pw;
    wide.assign(static_cast<std::size_t>(n), bias);
    float* acc = wide.data();
    for (std::int64_t ki = 0; ki < c.kernel_h; ++ki)
      for (std::int64_t kj = 0; kj < c.kernel_w; ++kj) {
        const float wt = k[ki * c.kernel_w + kj];
        const float* s = src + ki * c.dilation_h * pw + kj * c.dilation_w;
        for (std::int64_t i = 0; i < n; ++i)
          acc[i] += wt * s[i];
      }
    for (std::int64_t y = 0; y < oh; ++y)
      std::memcpy(out + y * ow, acc + y * pw, static_cast<std::size_t>(ow) * sizeof(float));
    return;
  }
  for (std::int64_t y = 0; y < oh; ++y) {
    float* dst = out + y * ow;
    for (std::int64_t x = 0; x < ow; ++x)
      dst[x] = bias;
    for (std::int64_t ki = 0; ki < c.kernel_h; ++ki)
      for (std::int64_t kj = 0; kj < c.kernel_w; ++kj) {
        const float wt = k[ki * c.kernel_w + kj];
        const float* s = src + (y * c.stride_h + ki * c.dilation_h) * pw + kj * c.dilation_w;
        for (std::int64_t x = 0; x < ow; ++x)
          dst[x] += wt * s[x * c.stride_w];
      }
  }
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

float* Scratch::columns_of(std::size_t n) {
  if (columns.size() < n) columns.resize(n);
  return columns.data();
}

float* Scratch::product_of(std::size_t n) {
  if (product.size() < n) product.resize(n);
  return product.data();
}

// dst (rows x n) = the first n columns of src (rows x ld) + b. The pointers never alias; saying
// so lets the short rows vectorise.
MPSIM_HOT void compact_rows(const float* __restrict src, float* __restrict dst, std::int64_t rows,
                            std::int64_t n, std::int64_t ld, float b) {
  if (n == ld) {
    for (std::int64_t i = 0; i < rows * n; ++i)
      dst[i] = src[i] + b;
    return;
  }
  for (std::int64_t y = 0; y < rows; ++y)
    for (std::int64_t x = 0; x < n; ++x)
      dst[y * n + x] = src[y * ld + x] + b;
}

// A convolution as a sum of stride-1 convolutions on "phase planes": with stride s, tap
// (ki, kj) = (ry + s a, rx + s b) reads pixel (s (y + a) + ry, s (x + b) + rx) of the padded
// input, which is pixel (y + a, x + b) of phase plane (ry, rx) (every s-th row and column from
// (ry, rx)). For stride 1 the only phase is the padded input itself. Each phase plane row band
// (c, a) is copied once, contiguously, for oh rows of the phase width (a "wide" grid whose extra
// columns are computed and dropped), and read at column shifts b: one GEMM per (phase, b) over
// the rows (c, a), with a constant row stride. Compared with im2col this copies kw (stride 1)
// to about 1.5 (stride 2) times fewer values and never gathers with a stride inside a row.
MPSIM_HOT void phase_conv(const Conv2dParams& c, const float* in, std::int64_t batch,
                          std::int64_t ch, std::int64_t h, std::int64_t w, std::int64_t oh,
                          std::int64_t ow, std::int64_t og, std::int64_t groups,
                          const float* weight, const float* bias, float* out, Scratch& scratch) {
  const std::int64_t sh = c.stride_h, sw = c.stride_w;
  const std::int64_t dh = sh == 1 ? c.dilation_h : 1, dw = sw == 1 ? c.dilation_w : 1;
  const std::int64_t kh = c.kernel_h, kw = c.kernel_w, cg = ch / groups;
  const std::int64_t p = oh * ow, in_size = ch * h * w, out_size = groups * og * p;
  const std::int64_t ph = h + c.pad_top + c.pad_bottom, pw = w + c.pad_left + c.pad_right;
  const std::int64_t PH = (ph + sh - 1) / sh, PW = (pw + sw - 1) / sw;  // phase plane size
  const std::int64_t wp = oh * PW;                                      // wide positions/sample

  // The phases with taps: (ry, rx, A rows of taps, B columns of taps, first row index).
  struct Phase {
    std::int64_t ry, rx, a, b, row0;
  };
  std::vector<Phase> phases;
  std::int64_t rows = 0, max_b = 1;
  for (std::int64_t ry = 0; ry < sh; ++ry)
    for (std::int64_t rx = 0; rx < sw; ++rx) {
      const std::int64_t a = ry < kh ? (kh - ry + sh - 1) / sh : 0;
      const std::int64_t b = rx < kw ? (kw - rx + sw - 1) / sw : 0;
      if (a == 0 || b == 0) continue;
      phases.push_back({ry, rx, a, b, rows});
      rows += cg * a;
      max_b = std::max(max_b, b);
    }
  const std::int64_t spare = (max_b - 1) * dw;
  const std::int64_t step = std::clamp<std::int64_t>(
      (std::int64_t{128} << 10) / std::max<std::int64_t>(rows * wp, 1), 1, batch);
  const std::int64_t ld = step * wp + spare;
  float* cols = scratch.columns_of(static_cast<std::size_t>(rows * ld));
  float* prod = scratch.product_of(static_cast<std::size_t>(og * step * wp));

  // Weights regrouped per (group, phase, b): [o][(c, a)] = w[o][c][ry + sh a][rx + sw b].
  std::vector<float>& wk = scratch.weights;
  std::vector<std::int64_t> wk_at;  // offset of each (group, phase, b) block
  std::int64_t total = 0;
  for (std::int64_t g = 0; g < groups; ++g)
    for (const Phase& f : phases)
      for (std::int64_t bi = 0; bi < f.b; ++bi) {
        wk_at.push_back(total);
        total += og * cg * f.a;
      }
  wk.resize(static_cast<std::size_t>(total));
  {
    std::size_t blk = 0;
    for (std::int64_t g = 0; g < groups; ++g)
      for (const Phase& f : phases)
        for (std::int64_t bi = 0; bi < f.b; ++bi) {
          float* dst = wk.data() + wk_at[blk++];
          const std::int64_t kj = f.rx + sw * bi;
          for (std::int64_t o = 0; o < og; ++o)
            for (std::int64_t ci = 0; ci < cg; ++ci)
              for (std::int64_t ai = 0; ai < f.a; ++ai)
                dst[(o * cg + ci) * f.a + ai] =
                    weight[((g * og + o) * cg + ci) * kh * kw + (f.ry + sh * ai) * kw + kj];
        }
  }

  std::vector<float>& pad = scratch.padded;
  std::vector<float>& phase = scratch.phases;
  const std::int64_t phase_plane = PH * PW;
  for (std::int64_t s0 = 0; s0 < batch; s0 += step) {
    const std::int64_t ns = std::min(step, batch - s0), np = ns * wp;
    for (std::int64_t g = 0; g < groups; ++g) {
      for (std::int64_t s = 0; s < ns; ++s) {
        pad_planes(c, in + (s0 + s) * in_size + g * cg * h * w, cg, h, w, pad);
        const float* planes = pad.data();  // stride 1: the padded planes are the phase
        if (sh > 1 || sw > 1) {
          phase.assign(static_cast<std::size_t>(sh * sw * cg * phase_plane + PW), 0.0f);
          for (const Phase& f : phases)
            for (std::int64_t ci = 0; ci < cg; ++ci) {
              float* dst = phase.data() + ((f.ry * sw + f.rx) * cg + ci) * phase_plane;
              const float* src = pad.data() + ci * ph * pw;
              for (std::int64_t i = 0; f.ry + sh * i < ph; ++i) {
                const float* r = src + (f.ry + sh * i) * pw + f.rx;
                const std::int64_t n = (pw - f.rx + sw - 1) / sw;
                for (std::int64_t j = 0; j < n; ++j)
                  dst[i * PW + j] = r[j * sw];
              }
            }
          planes = phase.data();
        }
        for (const Phase& f : phases) {
          const float* base = planes + (f.ry * sw + f.rx) * cg * phase_plane;
          if (sh == 1 && sw == 1) base = planes;
          for (std::int64_t ci = 0; ci < cg; ++ci)
            for (std::int64_t ai = 0; ai < f.a; ++ai)
              std::memcpy(cols + (f.row0 + ci * f.a + ai) * ld + s * wp,
                          base + ci * phase_plane + ai * dh * PW,
                          static_cast<std::size_t>(wp) * sizeof(float));
        }
      }
      for (std::int64_t r = 0; r < rows; ++r)  // read by the shifted rows' last columns
        for (std::int64_t i = np; i < np + spare; ++i)
          cols[r * ld + i] = 0.0f;
      bool first = true;
      std::size_t blk =
          static_cast<std::size_t>(g) * wk_at.size() / static_cast<std::size_t>(groups);
      for (const Phase& f : phases)
        for (std::int64_t bi = 0; bi < f.b; ++bi) {
          sgemm(og, np, cg * f.a, wk.data() + wk_at[blk++], cg * f.a, cols + f.row0 * ld + bi * dw,
                ld, false, prod, np, !first);
          first = false;
        }
      for (std::int64_t s = 0; s < ns; ++s)
        for (std::int64_t o = 0; o < og; ++o)
          compact_rows(prod + o * np + s * wp, out + (s0 + s) * out_size + (g * og + o) * p, oh, ow,
                       PW, bias ? bias[g * og + o] : 0.0f);
    }
  }
}

MPSIM_HOT void conv2d(const Layer& l, const Shape& is, const float* in, std::int64_t batch,
                      const float* weight, const float* bias, float* out, Scratch& scratch) {
  const auto& c = l.conv;
  const std::int64_t ch = is[1], h = is[2], w = is[3];
  const std::int64_t oc = c.out_channels, oh = l.output_shape[2], ow = l.output_shape[3];
  const std::int64_t groups = c.groups, cg = ch / groups, og = oc / groups;
  const std::int64_t taps = c.kernel_h * c.kernel_w, k = cg * taps, p = oh * ow;
  const std::int64_t in_size = ch * h * w, out_size = oc * p;

  if (cg == 1 && groups > 1) {  // depthwise (with any channel multiplier)
    for (std::int64_t s = 0; s < batch; ++s)
      for (std::int64_t o = 0; o < oc; ++o)
        depthwise_plane(l, in + s * in_size + (o / og) * h * w, h, w, weight + o * taps,
                        bias ? bias[o] : 0.0f, out + s * out_size + o * p, oh, ow, scratch.columns,
                        scratch.product);
    return;
  }

  const bool pointwise = taps == 1 && c.stride_h == 1 && c.stride_w == 1 && c.pad_top == 0 &&
                         c.pad_left == 0 && c.pad_bottom == 0 && c.pad_right == 0;
  const std::int64_t ph = h + c.pad_top + c.pad_bottom, pw = w + c.pad_left + c.pad_right;
  const bool unit_stride = c.stride_h == 1 && c.stride_w == 1;
  const bool unit_dilation = c.dilation_h == 1 && c.dilation_w == 1;
  if (!pointwise && (unit_stride || unit_dilation)) {
    phase_conv(c, in, batch, ch, h, w, oh, ow, og, groups, weight, bias, out, scratch);
    return;
  }
  if (p >= 128) {
    // Large images: one GEMM per sample and group, straight into the output.
    for (std::int64_t s = 0; s < batch; ++s) {
      for (std::int64_t g = 0; g < groups; ++g) {
        const float* src = in + s * in_size + g * cg * h * w;
        const float* cols = src;
        if (!pointwise) {
          float* buf = scratch.columns_of(static_cast<std::size_t>(k * p));
          pad_planes(c, src, cg, h, w, scratch.padded);
          im2col(c, scratch.padded.data(), cg, ph, pw, oh, ow, buf, p);
          cols = buf;
        }
        float* dst = out + s * out_size + g * og * p;
        sgemm(og, p, k, weight + g * og * k, k, cols, p, false, dst, p);
        add_bias(dst, og, p, bias ? bias + g * og : nullptr);
      }
    }
    return;
  }
  // Small images: several samples' columns side by side, one GEMM per group, then scattered
  // back to sample-major order. Samples are taken a few at a time so that the columns stay in
  // the core's L2 cache (about 512 KiB of them).
  const std::int64_t step = std::clamp<std::int64_t>(
      (std::int64_t{128} << 10) / std::max<std::int64_t>(k * p, 1), 1, batch);
  float* cols = scratch.columns_of(static_cast<std::size_t>(k * step * p));
  float* prod = scratch.product_of(static_cast<std::size_t>(og * step * p));
  for (std::int64_t s0 = 0; s0 < batch; s0 += step) {
    const std::int64_t ns = std::min(step, batch - s0), np = ns * p;
    for (std::int64_t g = 0; g < groups; ++g) {
      for (std::int64_t s = 0; s < ns; ++s) {
        const float* src = in + (s0 + s) * in_size + g * cg * h * w;
        if (pointwise) {
          for (std::int64_t r = 0; r < k; ++r)
            std::memcpy(cols + r * np + s * p, src + r * p, static_cast<std::size_t>(p) * 4);
        } else {
          pad_planes(c, src, cg, h, w, scratch.padded);
          im2col(c, scratch.padded.data(), cg, ph, pw, oh, ow, cols + s * p, np);
        }
      }
      sgemm(og, np, k, weight + g * og * k, k, cols, np, false, prod, np);
      for (std::int64_t s = 0; s < ns; ++s)
        for (std::int64_t o = 0; o < og; ++o) {
          const float* src = prod + o * np + s * p;
          float* dst = out + (s0 + s) * out_size + (g * og + o) * p;
          const float b = bias ? bias[g * og + o] : 0.0f;
          for (std::int64_t i = 0; i < p; ++i)
            dst[i] = src[i] + b;
        }
    }
  }
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

bool eltwise_supported(const std::string& s) {
  return s == "add" || s == "sub" || s == "mul" || s == "div" || s == "pow" || s == "max" ||
         s == "min";
}

void eltwise(const Layer& l, const Shape& as, const float* a, const Shape& bs, const float* b,
             float* out) {
  const Shape& os = l.output_shape;
  const std::string& s = l.subop;
  if (s == "add") return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x + y; });
  if (s == "sub") return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x - y; });
  if (s == "mul") return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x * y; });
  if (s == "div") return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return x / y; });
  if (s == "max")
    return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return std::max(x, y); });
  if (s == "min")
    return binary_loop(as, a, bs, b, os, out, [](float x, float y) { return std::min(x, y); });
  if (element_count(bs) == 1 && b[0] == 2.0f)  // the variance's square
    return binary_loop(as, a, bs, b, os, out, [](float x, float) { return x * x; });
  binary_loop(as, a, bs, b, os, out, [](float x, float y) { return std::pow(x, y); });
}

bool unary_supported(const std::string& s) {
  static const char* known[] = {"relu", "relu6",      "gelu",      "silu",        "sigmoid",
                                "tanh", "erf",        "sqrt",      "exp",         "neg",
                                "abs",  "reciprocal", "hardswish", "hardsigmoid", "clip"};
  for (const char* k : known)
    if (s == k) return true;
  return false;
}

namespace {
template <class F>
void map_values(std::int64_t n, const float* in, float* out, F f) {
  for (std::int64_t i = 0; i < n; ++i)
    out[i] = f(in[i]);
}
}  // namespace

MPSIM_HOT void unary(const Layer& l, std::int64_t n, const float* in, float* out) {
  const std::string& s = l.subop;
  if (s == "relu") return map_values(n, in, out, [](float x) { return x > 0.0f ? x : 0.0f; });
  if (s == "relu6")
    return map_values(n, in, out, [](float x) { return std::min(std::max(x, 0.0f), 6.0f); });
  if (s == "clip") {
    const float lo = l.clip_min, hi = l.clip_max;
    return map_values(n, in, out, [lo, hi](float x) { return std::min(std::max(x, lo), hi); });
  }
  if (s == "gelu")  // the exact (erf) form
    return map_values(
        n, in, out, [](float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); });
  if (s == "sigmoid")
    return map_values(n, in, out, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
  if (s == "silu") return map_values(n, in, out, [](float x) { return x / (1.0f + std::exp(-x)); });
  if (s == "hardswish")
    return map_values(n, in, out,
                      [](float x) { return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; });
  if (s == "hardsigmoid") {
    const float a = l.alpha, b = l.beta;
    return map_values(n, in, out,
                      [a, b](float x) { return std::min(std::max(a * x + b, 0.0f), 1.0f); });
  }
  if (s == "tanh") return map_values(n, in, out, [](float x) { return std::tanh(x); });
  if (s == "erf") return map_values(n, in, out, [](float x) { return std::erf(x); });
  if (s == "sqrt") return map_values(n, in, out, [](float x) { return std::sqrt(x); });
  if (s == "exp") return map_values(n, in, out, [](float x) { return std::exp(x); });
  if (s == "neg") return map_values(n, in, out, [](float x) { return -x; });
  if (s == "abs") return map_values(n, in, out, [](float x) { return std::fabs(x); });
  map_values(n, in, out, [](float x) { return 1.0f / x; });  // reciprocal
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

bool reduce_supported(const std::string& s) {
  return s == "mean" || s == "sum" || s == "max";
}

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
  const bool is_max = l.subop == "max";
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
      out[o] = l.subop == "mean" ? acc / static_cast<float>(count) : acc;
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
  if (l.subop == "mean")
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
