// Fake quantization per tensor, channel and group, and the max / min-max range rules.
#include "formats/fake_quant.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "formats/error.h"
#include "formats/src/kernels.h"
#include "formats/src/tensor_shape.h"

namespace mpsim {

// The build is portable (no -march): the element loops are also compiled for AVX-512 and AVX2
// and chosen at load time by the CPU (GCC function multi-versioning).
#define MPSIM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

namespace {

// One scale and zero point, checked and turned into kernel constants: the integer clamp bounds
// already shifted by the zero point, so the loop does no integer arithmetic.
struct Prepared {
  float scale = 1;
  float lo = 0;  // qmin - zp
  float hi = 0;  // qmax - zp
};

void require_element_format(const Format& f, const char* what) {
  if (f.is_block())
    throw UserError(std::string(what) + ": " + f.name() +
                    " is an MX block format with its own scales; use mx_quantize (formats/mx.h)");
}

Prepared prepare(const Format& f, QuantParams p) {
  if (!(p.scale > 0) || !std::isfinite(p.scale))
    throw UserError("scale must be positive and finite, got " + number_text(p.scale, 7));
  if (p.zero_point != 0 && f.kind() != FormatKind::kUnsignedInt)
    throw UserError("zero point " + std::to_string(p.zero_point) + " given for " + f.name() +
                    ": only uint formats have a zero point (the others are symmetric)");
  if (p.zero_point < f.qmin() || p.zero_point > f.qmax())
    throw UserError("zero point " + std::to_string(p.zero_point) + " is outside " + f.name() +
                    "'s range " + std::to_string(f.qmin()) + ".." + std::to_string(f.qmax()));
  const auto zp = static_cast<float>(p.zero_point);  // exact up to 2^24
  return {p.scale, f.spec().qmin - zp, f.spec().qmax - zp};
}

// Calls body(op) with the element operation for f's kind, so the loops inside body are compiled
// once per kind with no per-element dispatch.
// Always inlined, so that the loops land in each target clone of the caller.
template <class Body>
[[gnu::always_inline]] inline void with_element_op(const Format& f, Saturation s, Body&& body) {
  switch (f.kind()) {
    case FormatKind::kFloat:
      body([q = detail::FloatKernel(f.spec(), s == Saturation::kSaturate)](
               float x, const Prepared& p) { return q(x / p.scale) * p.scale; });
      return;
    case FormatKind::kBinary:
      // sign(x / scale) is sign(x) for a positive scale.
      body([](float x, const Prepared& p) { return detail::quantize_binary(x) * p.scale; });
      return;
    default:
      if (f.spec().wide) {
        body([](float x, const Prepared& p) {
          return detail::quantize_int_wide(x / p.scale, p.lo, p.hi) * p.scale;
        });
      } else {
        body([](float x, const Prepared& p) {
          return detail::quantize_int(x / p.scale, p.lo, p.hi) * p.scale;
        });
      }
      return;
  }
}

void check_sizes(std::span<const float> in, std::span<float> out) {
  if (in.size() != out.size())
    throw std::invalid_argument("fake_quant: output holds " + std::to_string(out.size()) +
                                " values for " + std::to_string(in.size()) + " inputs");
}

// Min and max of the finite values, starting from 0 (both range rules include 0).
struct Range {
  float lo = 0;
  float hi = 0;
  void add(float x) {
    if (!std::isfinite(x)) return;
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
};

QuantParams params_for_range(const Format& f, const Range& r) {
  if (f.kind() == FormatKind::kUnsignedInt) return asymmetric_params(f, r.lo, r.hi);
  return symmetric_params(f, std::max(-r.lo, r.hi));
}

}  // namespace

QuantParams symmetric_params(const Format& f, float amax) {
  require_element_format(f, "symmetric_params");
  if (!(amax >= 0) || !std::isfinite(amax))
    throw UserError("symmetric_params: amax must be finite and >= 0, got " + number_text(amax, 7));
  const auto top = static_cast<float>(f.max());  // qmax for integers
  const float scale = amax / top;
  return {scale > 0 ? scale : 1.0f, 0};
}

QuantParams asymmetric_params(const Format& f, float min, float max) {
  if (f.kind() != FormatKind::kUnsignedInt)
    throw UserError("asymmetric_params: " + f.name() +
                    " is symmetric; a zero point needs a uint format");
  if (!std::isfinite(min) || !std::isfinite(max) || min > max)
    throw UserError("asymmetric_params: need finite min <= max, got " + number_text(min, 7) +
                    " and " + number_text(max, 7));
  const double lo = std::min(min, 0.0f);
  const double hi = std::max(max, 0.0f);
  const auto qmax = static_cast<double>(f.qmax());
  const auto scale = static_cast<float>((hi - lo) / qmax);
  if (!(scale > 0)) return {1.0f, 0};
  const double zp = std::nearbyint(-lo / scale);
  return {scale, static_cast<std::int64_t>(std::clamp(zp, 0.0, qmax))};
}

QuantParams params_from_data(const Format& f, std::span<const float> x) {
  require_element_format(f, "params_from_data");
  Range r;
  for (float v : x)
    r.add(v);
  return params_for_range(f, r);
}

float fake_quant(const Format& f, float x, QuantParams p, Saturation s) {
  require_element_format(f, "fake_quant");
  const Prepared prep = prepare(f, p);
  float y = 0;
  with_element_op(f, s, [&](auto op) { y = op(x, prep); });
  return y;
}

MPSIM_VECTOR_CLONES void fake_quant(const Format& f, std::span<const float> in,
                                    std::span<float> out, QuantParams p, Saturation s) {
  require_element_format(f, "fake_quant");
  check_sizes(in, out);
  const Prepared prep = prepare(f, p);
  if (f.kind() == FormatKind::kFloat && p.scale == 1.0f) {
    // Plain conversion: skip the divide and multiply by 1.
    const detail::FloatKernel q(f.spec(), s == Saturation::kSaturate);
    for (std::size_t i = 0; i < in.size(); ++i)
      out[i] = q(in[i]);
    return;
  }
  with_element_op(f, s, [&](auto op) {
    for (std::size_t i = 0; i < in.size(); ++i)
      out[i] = op(in[i], prep);
  });
}

MPSIM_VECTOR_CLONES void fake_quant_per_channel(const Format& f, std::span<const float> in,
                                                std::span<float> out,
                                                std::span<const std::int64_t> shape, int axis,
                                                std::span<const QuantParams> params, Saturation s) {
  require_element_format(f, "fake_quant_per_channel");
  check_sizes(in, out);
  const detail::AxisSplit split = detail::split_at_axis(shape, axis, in.size());
  if (params.size() != split.axis)
    throw UserError("fake_quant_per_channel: " + std::to_string(params.size()) +
                    " channel parameters for " + std::to_string(split.axis) + " channels");
  std::vector<Prepared> prep;
  prep.reserve(params.size());
  for (const QuantParams& p : params)
    prep.push_back(prepare(f, p));
  with_element_op(f, s, [&](auto op) {
    std::size_t i = 0;
    for (std::size_t o = 0; o < split.outer; ++o)
      for (std::size_t c = 0; c < split.axis; ++c) {
        const Prepared& p = prep[c];
        for (std::size_t j = 0; j < split.inner; ++j, ++i)
          out[i] = op(in[i], p);
      }
  });
}

void fake_quant_per_group(const Format& f, std::span<const float> in, std::span<float> out,
                          std::span<const std::int64_t> shape, int group_size,
                          std::span<const QuantParams> params, Saturation s) {
  require_element_format(f, "fake_quant_per_group");
  check_sizes(in, out);
  const detail::GroupSplit split = detail::split_groups(shape, group_size, in.size());
  if (params.size() != split.rows * split.groups_per_row)
    throw UserError("fake_quant_per_group: " + std::to_string(params.size()) +
                    " group parameters for " + std::to_string(split.rows * split.groups_per_row) +
                    " groups (" + std::to_string(split.groups_per_row) + " per row of " +
                    std::to_string(split.row_length) + ")");
  std::vector<Prepared> prep;
  prep.reserve(params.size());
  for (const QuantParams& p : params)
    prep.push_back(prepare(f, p));
  const std::size_t g = static_cast<std::size_t>(group_size);
  with_element_op(f, s, [&](auto op) {
    for (std::size_t r = 0; r < split.rows; ++r) {
      const std::size_t row = r * split.row_length;
      for (std::size_t k = 0; k < split.groups_per_row; ++k) {
        const Prepared& p = prep[r * split.groups_per_row + k];
        const std::size_t end = std::min(split.row_length, (k + 1) * g);
        for (std::size_t j = k * g; j < end; ++j)
          out[row + j] = op(in[row + j], p);
      }
    }
  });
}

std::vector<QuantParams> params_per_channel(const Format& f, std::span<const float> x,
                                            std::span<const std::int64_t> shape, int axis) {
  require_element_format(f, "params_per_channel");
  const detail::AxisSplit split = detail::split_at_axis(shape, axis, x.size());
  std::vector<Range> ranges(split.axis);
  std::size_t i = 0;
  for (std::size_t o = 0; o < split.outer; ++o)
    for (std::size_t c = 0; c < split.axis; ++c)
      for (std::size_t j = 0; j < split.inner; ++j, ++i)
        ranges[c].add(x[i]);
  std::vector<QuantParams> out;
  out.reserve(ranges.size());
  for (const Range& r : ranges)
    out.push_back(params_for_range(f, r));
  return out;
}

std::vector<QuantParams> params_per_group(const Format& f, std::span<const float> x,
                                          std::span<const std::int64_t> shape, int group_size) {
  require_element_format(f, "params_per_group");
  const detail::GroupSplit split = detail::split_groups(shape, group_size, x.size());
  std::vector<QuantParams> out;
  out.reserve(split.rows * split.groups_per_row);
  const std::size_t g = static_cast<std::size_t>(group_size);
  for (std::size_t r = 0; r < split.rows; ++r)
    for (std::size_t k = 0; k < split.groups_per_row; ++k) {
      Range range;
      const std::size_t end = std::min(split.row_length, (k + 1) * g);
      for (std::size_t j = k * g; j < end; ++j)
        range.add(x[r * split.row_length + j]);
      out.push_back(params_for_range(f, range));
    }
  return out;
}

}  // namespace mpsim
