#include "explore/evaluation.h"

#include <cmath>
#include <cstdlib>

#include "explore/costing.h"
#include "formats/error.h"

namespace mpsim {

bool is_npy_path(const std::string& s) {
  return s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0;
}

Dataset load_eval_data(const std::string& spec, const std::string& labels, std::size_t limit) {
  if (is_npy_path(spec)) return load_npy(spec, labels, limit);
  if (!labels.empty()) throw UserError("--labels goes with a .npy data set, not " + spec);
  return load_dataset(spec, limit);
}

Dataset load_calibration_data(const EvalSetup& setup, std::string& source) {
  if (setup.calib == 0) return {};
  if (!setup.calib_data.empty()) {
    source = setup.calib_data;
    return load_eval_data(setup.calib_data, "", setup.calib);
  }
  if (is_npy_path(setup.dataset)) {
    source = setup.dataset + " (its first images: no separate calibration split given)";
    return load_npy(setup.dataset, "", setup.calib);
  }
  source = setup.dataset == "fashion-mnist:train" ? "fashion-mnist:test" : "fashion-mnist:train";
  return load_dataset(source, setup.calib);
}

std::optional<Normalization> input_normalization(const std::string& text, const Network& net,
                                                 const std::string& model) {
  auto number = [&](const std::string& s, const std::string& what) {
    char* end = nullptr;
    const float v = std::strtof(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
      throw UserError(what + ": expected a number, found " + quote(s));
    return v;
  };
  if (text == "none") return std::nullopt;
  if (text.empty()) {
    const auto& m = net.metadata();
    const auto mean = m.find("mean"), sd = m.find("std");
    if (mean == m.end() || sd == m.end()) return std::nullopt;
    const std::string where = model + ": metadata '" + mean->first + "'/'" + sd->first + "'";
    return Normalization{number(mean->second, where), number(sd->second, where), true};
  }
  const auto comma = text.find(',');
  if (comma == std::string::npos)
    throw UserError("--normalize: expected MEAN,STD or none, found " + quote(text));
  const float mean = number(text.substr(0, comma), "--normalize mean");
  const float sd = number(text.substr(comma + 1), "--normalize std");
  if (!(sd > 0)) throw UserError("--normalize: the standard deviation must be positive");
  return Normalization{mean, sd, false};
}

PreparedEvaluation prepare_evaluation(const EvalSetup& setup, bool with_calibration) {
  PreparedEvaluation e;
  e.data = load_eval_data(setup.dataset, setup.labels, setup.limit);
  // The model's batch dimension is the engine's to set (one sample per batch entry); other
  // dynamic dimensions follow the settings, else the data's own shape.
  OnnxImportOptions import;
  import.input_shapes = setup.input_shapes;
  import.data_shape = Shape{1};
  import.data_shape->insert(import.data_shape->end(), e.data.sample_shape.begin(),
                            e.data.sample_shape.end());
  e.net = import_onnx(setup.model, import);
  if (with_calibration) e.calib = load_calibration_data(setup, e.calib_source);
  e.normalization = input_normalization(setup.normalize, e.net, setup.model);
  e.scaling_unstated = !e.normalization && setup.normalize.empty();
  if (e.normalization) {
    normalize(e.data, e.normalization->mean, e.normalization->std_dev);
    normalize(e.calib, e.normalization->mean, e.normalization->std_dev);
  }
  return e;
}

PrecisionMap precision_map_for_evaluation(const Network& net, const std::string& map_path,
                                          bool resolve_groups) {
  PrecisionMap map = resolve_precision_map(load_precision_map(map_path), net);
  enforce_quantizer_groups(net, map, map_path, resolve_groups);
  return map;
}

}  // namespace mpsim
