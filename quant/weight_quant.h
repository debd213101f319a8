// Weight quantization for the evaluator: a MAC layer's weight tensor [out, ...] rounded as a
// precision map says, with the formats library doing every rounding. Rules and sources are in
// docs/evaluator.md.
//
//   granularity  per_tensor, per_channel (output channel = axis 0), or clusters of N filters
//                (N consecutive output channels) or of N weights (N consecutive weights along
//                each filter's reduction axis), each unit with its own scale;
//   scale rule   max: the unit's max |w| maps onto the format's largest value (intN: 2^(N-1)-1,
//                narrow range; floats: their max; uintN: min/max with a zero point);
//                mse: the clip in a grid of 100 candidates (0.2 .. 1 x max |w|) minimising
//                the unit's squared rounding error;
//                twn (ternary): threshold 0.7 mean |w|, scale = mean |w| above it (Li et al.);
//                mse for ternary: the L2-optimal threshold (top-m rule); for binary: mean |w|;
//   MX formats   blocks of 32 along the reduction axis with the OCP scale rule (formats/mx.h);
//                the granularity does not apply;
//   16-bit floats and wider: rounded without a scale.
#pragma once

#include <span>
#include <vector>

#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

struct QuantizedWeights {
  Tensor values;
  // The scale of each output channel when one scale covers the whole channel (per tensor, per
  // channel, clusters of filters) and the format is an integer one; empty otherwise.
  std::vector<float> channel_scales;
};

// `w` has the output channel on axis 0 and the reduction over the rest (conv [O, I/g, kh, kw],
// linear [O, I]). Throws UserError when the map's choices do not apply to the format.
QuantizedWeights quantize_weights(const Tensor& w, const LayerPrecision& p);

// One unit (a contiguous run of weights sharing a scale), quantized into `out`; returns the
// scale. Exposed for tests.
float quantize_unit(const Format& f, WeightScale rule, std::span<const float> w,
                    std::span<float> out);

// The ternary rules on one unit: the scale alpha and the threshold (|w| above it is kept).
struct TernaryFit {
  float alpha = 0;
  float threshold = 0;
};
TernaryFit ternary_twn(std::span<const float> w);
TernaryFit ternary_optimal(std::span<const float> w);

}  // namespace mpsim
