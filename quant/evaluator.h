// The fake-quant evaluator: accuracy of a precision map on real data. It owns an Engine, the
// evaluation and calibration sets, the fp32 reference outputs, the calibration statistics and
// a cache of quantized weights per (layer, weight format and rule), so that a search can
// evaluate many maps at the cost of the quantized runs alone.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quant/calibration.h"
#include "quant/dataset.h"
#include "quant/engine.h"
#include "quant/quantizers.h"
#include "quant/weight_quant.h"
#include "workloads/precision_map.h"

namespace mpsim {

struct EvalOptions {
  CalibrationOptions calibration;
  bool per_layer = false;  // SQNR of every MAC layer's output (needs a second fp32 pass)
  EngineOptions engine;
};

struct LayerSqnr {
  std::string name;
  double sqnr_db = 0;
};

struct EvalResult {
  std::int64_t images = 0;
  bool quantized = false;
  double top1 = 0;       // NaN without labels
  double top1_fp32 = 0;  // the reference network's
  double agreement = 1;  // share of images whose prediction equals the fp32 network's
  double sqnr_db = 0;    // of the network output; +infinity when identical to fp32
  double seconds = 0;    // wall time of the evaluated network's runs
  double images_per_second = 0;
  double gflops = 0;  // achieved: flops_per_sample x images / seconds
  std::int64_t calibration_images = 0;
  std::vector<LayerSqnr> layers;  // when per_layer, in network order
};

class Evaluator {
 public:
  // `data` and `calibration` are already normalised as the network expects; their samples must
  // have as many values as the network's input. `calibration` may be empty until a map needs
  // activation scales.
  Evaluator(Network net, Dataset data, Dataset calibration, EvalOptions options = {});
  // An evaluator of `other`'s network, options and calibration on other data: it starts from
  // `other`'s calibration statistics and quantized weights (calibrating `other` first when it
  // has calibration images), so two splits share one calibration, computed once.
  Evaluator(Evaluator& other, Dataset data);
  ~Evaluator();

  // fp32 when `map` is null.
  EvalResult evaluate(const PrecisionMap* map);

  // The quantizers a map turns into (calibrating on first use).
  QuantConfig quantizers(const PrecisionMap& map);

  Engine& engine();
  const Dataset& data() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpsim
