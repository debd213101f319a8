#include "quant/quantizers.h"

#include "formats/mx.h"

namespace mpsim {

void TensorQuantizer::apply(const Shape& shape, std::int64_t samples, std::span<float> data) const {
  const std::int64_t n = element_count(shape);
  switch (mode) {
    case Mode::kScaled:
      fake_quant(format, data, data, params);
      return;
    case Mode::kPerChannel:
      for (std::int64_t s = 0; s < samples; ++s) {
        auto x = data.subspan(static_cast<std::size_t>(s * n), static_cast<std::size_t>(n));
        fake_quant_per_channel(format, x, x, shape, axis, channel_params);
      }
      return;
    case Mode::kBlocks:
      for (std::int64_t s = 0; s < samples; ++s) {
        auto x = data.subspan(static_cast<std::size_t>(s * n), static_cast<std::size_t>(n));
        mx_quantize(format, x, x, shape, axis);
      }
      return;
  }
}

}  // namespace mpsim
