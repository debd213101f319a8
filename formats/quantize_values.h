// Quantizing plain values into a format and back, as `mpsim quantize` and mpsim.quantize() do:
// per tensor with a given scale (and zero point), or with a scale taken from the data for
// integer formats, or in MX blocks of 32 with their own power-of-two scales.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "formats/fake_quant.h"
#include "formats/format.h"

namespace mpsim {

struct QuantizeRequest {
  std::string format;  // a format name (formats/format.h)
  Saturation saturation = Saturation::kSaturate;
  std::optional<double> scale;             // x/scale is quantized; none: from the data (integers)
  std::optional<std::int64_t> zero_point;  // uint formats only, with a scale
};

// The format, after checking the request: a scale within fp32's range and not for MX formats, a
// zero point only for uint formats, with a scale and inside the format's range. Throws UserError
// naming the option (--scale, --zero-point) otherwise.
Format checked_quantize_format(const QuantizeRequest& r);

// Writes the dequantized values of `in` to `out` (same size; may alias `in`). MX formats form
// blocks of 32 consecutive values.
void quantize_values(const QuantizeRequest& r, std::span<const float> in, std::span<float> out);

}  // namespace mpsim
