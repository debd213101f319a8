// What an accuracy evaluation needs, gathered by one set of rules shared by `mpsim eval`, the
// search and the Python module: the model (dynamic dimensions sized from the data), the scored
// data, calibration data that never overlaps it, the input normalization, and a precision map
// checked against the model's quantizer groups.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "quant/dataset.h"
#include "workloads/importers.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

struct EvalSetup {
  std::string model;                           // an ONNX model with weights
  std::string dataset = "fashion-mnist:test";  // fashion-mnist[:test|:train] or X.npy
  std::string labels;                          // labels of a .npy data set
  std::size_t limit = 0;                       // the first N samples only (0: all)
  std::size_t calib = 1000;                    // calibration samples (0: none)
  std::string calib_data;                      // calibration inputs for a .npy data set
  std::string normalize;                       // "MEAN,STD", "none", or "": the model's metadata
  std::vector<InputShape> input_shapes;  // the model's dynamic dimensions (else from the data)
};

struct Normalization {
  float mean = 0;
  float std_dev = 1;
  bool from_metadata = false;  // the model's "mean"/"std" metadata, not --normalize
};

struct PreparedEvaluation {
  Network net;  // with weights
  Dataset data;
  Dataset calib;             // empty unless asked for (with_calibration)
  std::string calib_source;  // where the calibration samples come from, for reports
  std::optional<Normalization> normalization;  // applied to data and calib already
  // True when nothing stated the scaling: no --normalize and no metadata in the model. A model
  // trained on normalized inputs then scores near chance; callers say so.
  bool scaling_unstated = false;
};

// Loads everything; calibration data only `with_calibration` (a quantized evaluation). Errors
// name the file or option.
PreparedEvaluation prepare_evaluation(const EvalSetup& setup, bool with_calibration);

// "MEAN,STD", "none", or "": the model's own metadata ("mean" and "std"), else none.
std::optional<Normalization> input_normalization(const std::string& text, const Network& net,
                                                 const std::string& model);

// Whether a data set spec names a .npy file (else it is a Fashion-MNIST split).
bool is_npy_path(const std::string& spec);

// A data set: "fashion-mnist[:test|:train]" or a .npy file (with optional labels).
Dataset load_eval_data(const std::string& spec, const std::string& labels, std::size_t limit);

// Calibration samples that are never the scored ones: the other Fashion-MNIST split; for .npy
// inputs `calib_data`, else the start of the evaluated file itself (said so in `source`).
Dataset load_calibration_data(const EvalSetup& setup, std::string& source);

// A precision map file resolved against the model, its quantizer groups checked (or widened
// with `resolve_groups`), as every costing command checks them.
PrecisionMap precision_map_for_evaluation(const Network& net, const std::string& map_path,
                                          bool resolve_groups);

}  // namespace mpsim
