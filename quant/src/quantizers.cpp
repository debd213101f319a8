#include "quant/quantizers.h"

#include "formats/mx.h"

namespace mpsim {

void TensorQuantizer::apply(const Shape& shape, std::int64_t samples, std::span<float> data) const {
  apply(shape, samples, data, data);
}

void TensorQuantizer::apply(const Shape& shape, std::int64_t samples, std::span<const float> in,
                            std::span<float> out) const {
  const auto n = static_cast<std::size_t>(element_count(shape));
  switch (mode) {
    case Mode::kScaled:
      fake_quant(format, in, out, params);
      return;
    case Mode::kPerChannel:
      for (std::size_t s = 0; s < static_cast<std::size_t>(samples); ++s)
        fake_quant_per_channel(format, in.subspan(s * n, n), out.subspan(s * n, n), shape, axis,
                               channel_params);
      return;
    case Mode::kBlocks:
      for (std::size_t s = 0; s < static_cast<std::size_t>(samples); ++s)
        mx_quantize(format, in.subspan(s * n, n), out.subspan(s * n, n), shape, axis);
      return;
  }
}

}  // namespace mpsim
