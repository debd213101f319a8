// Quantizers as the engine applies them: a tensor rounded onto a format's grid in place, and the
// per-layer set a precision map turns into (quantized weights, activation and accumulator
// quantizers). Built by quant/evaluator.h from a map and calibration statistics.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "formats/fake_quant.h"
#include "formats/format.h"
#include "workloads/network.h"

namespace mpsim {

struct TensorQuantizer {
  enum class Mode {
    kScaled,      // one scale (and zero point) for the whole tensor
    kPerChannel,  // params[c] along `axis` of each sample
    kBlocks,      // MX blocks of 32 along `axis`, scales from the data
  };
  Format format = Format::parse("fp32");
  Mode mode = Mode::kScaled;
  QuantParams params;
  std::vector<QuantParams> channel_params;
  int axis = -1;  // of one sample's shape (kPerChannel, kBlocks)

  // Rounds `samples` consecutive samples of `sample_shape` in place.
  void apply(const Shape& sample_shape, std::int64_t samples, std::span<float> data) const;
  // The same from `in` into `out` (same size), saving a copy.
  void apply(const Shape& sample_shape, std::int64_t samples, std::span<const float> in,
             std::span<float> out) const;
};

struct LayerQuantizers {
  std::shared_ptr<const Tensor> weight;      // quantized weights (null: the layer's own)
  std::optional<TensorQuantizer> inputs[2];  // activation operands, before the layer
  std::optional<TensorQuantizer> output;     // the accumulator, after the layer (with bias)
};

// Indexed by layer id; layers without an entry run in fp32.
struct QuantConfig {
  std::vector<std::optional<LayerQuantizers>> layers;
};

}  // namespace mpsim
