// Fake quantization: round a tensor onto a format's grid and back to fp32, with a scale (and a
// zero point for unsigned integers), per tensor, per channel or per group.
//
// Integer grids: x_hat = (clamp(round_half_even(x / scale) + zp, qmin, qmax) - zp) * scale,
// with qmin/qmax from the format (narrow range for intN, see docs/formats.md). Binary gives
// sign(x) * scale (sign(0) = +1); ternary {-1, 0, +1} * scale. Float formats give
// Q(x / scale) * scale with Q the format's round-to-nearest-even conversion. NaN stays NaN.
//
// Tensors are row-major spans of fp32 with a shape; `out` may alias `in`. MX block formats
// carry their own scales: use formats/mx.h. Bad arguments throw UserError. Integer formats wider
// than 24 bits (accumulators) work, within the precision of fp32.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "formats/format.h"

namespace mpsim {

struct QuantParams {
  float scale = 1.0f;           // positive and finite
  std::int64_t zero_point = 0;  // uint formats only; in [qmin, qmax]
};

// Max rule, symmetric: scale = amax / qmax (qmax = 2^(b-1) - 1 for intN; the format's max for
// floats, so amax maps onto it). amax = 0 gives scale 1: every grid holds an all-zero tensor.
QuantParams symmetric_params(const Format& f, float amax);

// Min/max rule for uint formats: the range is widened to include 0, scale = (max - min) / qmax,
// zero point = round_half_even(-min / scale). An empty range gives scale 1, zero point 0.
QuantParams asymmetric_params(const Format& f, float min, float max);

// The max rule applied to data, ignoring NaN and infinities: asymmetric for uint formats,
// symmetric otherwise.
QuantParams params_from_data(const Format& f, std::span<const float> x);

// One value; checks the parameters on every call, so prefer the span forms in loops.
float fake_quant(const Format& f, float x, QuantParams p = {},
                 Saturation s = Saturation::kSaturate);

// Per tensor: one scale (and zero point) for every element.
void fake_quant(const Format& f, std::span<const float> in, std::span<float> out,
                QuantParams p = {}, Saturation s = Saturation::kSaturate);

// Per channel: params[c] applies where the index along `axis` is c (params.size() equals
// shape[axis]). A negative axis counts from the end.
void fake_quant_per_channel(const Format& f, std::span<const float> in, std::span<float> out,
                            std::span<const std::int64_t> shape, int axis,
                            std::span<const QuantParams> params,
                            Saturation s = Saturation::kSaturate);

// Per group: each row of the last (reduction) axis is cut into groups of `group_size`
// consecutive elements (the last group of a row may be shorter); params are ordered row by row,
// ceil(shape.back() / group_size) per row.
void fake_quant_per_group(const Format& f, std::span<const float> in, std::span<float> out,
                          std::span<const std::int64_t> shape, int group_size,
                          std::span<const QuantParams> params,
                          Saturation s = Saturation::kSaturate);

// params_from_data for every channel along `axis`, or every group (ordered as above).
std::vector<QuantParams> params_per_channel(const Format& f, std::span<const float> x,
                                            std::span<const std::int64_t> shape, int axis);
std::vector<QuantParams> params_per_group(const Format& f, std::span<const float> x,
                                          std::span<const std::int64_t> shape, int group_size);

}  // namespace mpsim
