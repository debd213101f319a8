// mpsim eval: the accuracy of a network under a precision map, by fake quantization on real
// data (quant/evaluator.h): top-1, agreement with fp32, SQNR, and the engine's speed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "apps/commands.h"
#include "apps/output.h"
#include "apps/workload_flags.h"
#include "formats/error.h"
#include "quant/dataset.h"
#include "quant/evaluator.h"
#include "workloads/importers.h"
#include "workloads/precision_map.h"

namespace mpsim::cli {

namespace {

struct EvalCliOptions {
  std::string model;
  WorkloadFlags shape;
  std::string dataset = "fashion-mnist:test";
  std::string labels;
  std::size_t limit = 0;
  std::size_t calib = 1000;
  std::string calib_data;
  std::string map;
  std::string calibration = "max";
  std::string normalize;
  bool per_layer = false;
  int threads = 0;
  std::int64_t micro_batch = 16;
  std::string format = "table";
  std::string out;
};

bool is_npy(const std::string& s) {
  return s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0;
}

Dataset load_data(const std::string& spec, const std::string& labels, std::size_t limit) {
  if (is_npy(spec)) return load_npy(spec, labels, limit);
  if (!labels.empty()) throw UserError("--labels goes with a .npy data set, not " + spec);
  return load_dataset(spec, limit);
}

// Calibration images come from the other split, so that they are never the images scored;
// for .npy inputs from --calib-data, else from the start of the evaluated file itself.
Dataset load_calibration(const EvalCliOptions& o, std::string& source) {
  if (o.calib == 0) return {};
  if (!o.calib_data.empty()) {
    source = o.calib_data;
    return load_data(o.calib_data, "", o.calib);
  }
  if (is_npy(o.dataset)) {
    source = o.dataset + " (its first images: no separate calibration split given)";
    return load_npy(o.dataset, "", o.calib);
  }
  source = o.dataset == "fashion-mnist:train" ? "fashion-mnist:test" : "fashion-mnist:train";
  return load_dataset(source, o.calib);
}

// "MEAN,STD", "none", or empty: the model's own metadata ("mean" and "std"), else none.
std::optional<std::pair<float, float>> normalization(const std::string& text, const Network& net,
                                                     const std::string& model) {
  auto number = [&](const std::string& s, const std::string& what) {
    char* end = nullptr;
    const float v = std::strtof(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
      throw UserError(what + ": expected a number, found '" + s + "'");
    return v;
  };
  if (text == "none") return std::nullopt;
  if (text.empty()) {
    const auto& m = net.metadata();
    const auto mean = m.find("mean"), sd = m.find("std");
    if (mean == m.end() || sd == m.end()) return std::nullopt;
    const std::string where = model + ": metadata '" + mean->first + "'/'" + sd->first + "'";
    return std::make_pair(number(mean->second, where), number(sd->second, where));
  }
  const auto comma = text.find(',');
  if (comma == std::string::npos)
    throw UserError("--normalize: expected MEAN,STD or none, found '" + text + "'");
  const float mean = number(text.substr(0, comma), "--normalize mean");
  const float sd = number(text.substr(comma + 1), "--normalize std");
  if (!(sd > 0)) throw UserError("--normalize: the standard deviation must be positive");
  return std::make_pair(mean, sd);
}

std::string percent(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", 100 * v);
  return buf;
}

std::string decibels(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return "inf dB";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f dB", v);
  return buf;
}

nlohmann::ordered_json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

// Said once on stderr when nothing states the input scaling: a model trained on normalized
// inputs but fed unnormalized ones scores near chance with no other sign of why.
void note_unnormalized_inputs(const EvalCliOptions& o, Io& io) {
  const bool fmnist = !is_npy(o.dataset);
  io.err << "mpsim: eval: " << o.model
         << " states no input normalization (no 'mean'/'std' metadata), so inputs are used "
         << (fmnist ? "as the data set gives them: Fashion-MNIST pixels / 255, in [0, 1]"
                    : "as stored in " + o.dataset)
         << ". If the model was trained on normalized inputs, pass --normalize MEAN,STD"
         << (fmnist ? " (Fashion-MNIST's training pixels: --normalize 0.2860,0.3530)" : "")
         << "; --normalize none keeps the inputs as they are without this note.\n";
}

void run_eval(const EvalCliOptions& o, Io& io) {
  Dataset data = load_data(o.dataset, o.labels, o.limit);
  // The model's batch dimension is the engine's to set (one sample per batch entry); other
  // dynamic dimensions follow --input-shape, else the data's own shape.
  OnnxImportOptions import;
  for (const auto& s : o.shape.input_shapes)
    import.input_shapes.push_back(parse_input_shape(s));
  import.data_shape = Shape{1};
  import.data_shape->insert(import.data_shape->end(), data.sample_shape.begin(),
                            data.sample_shape.end());
  Network net = import_onnx(o.model, import);
  std::string calib_source;
  Dataset calib = o.map.empty() ? Dataset{} : load_calibration(o, calib_source);
  const auto norm = normalization(o.normalize, net, o.model);
  if (!norm && o.normalize.empty()) note_unnormalized_inputs(o, io);
  if (norm) {
    normalize(data, norm->first, norm->second);
    normalize(calib, norm->first, norm->second);
  }
  std::optional<PrecisionMap> map;
  if (!o.map.empty()) map = resolve_precision_map(load_precision_map(o.map), net);

  EvalOptions options;
  options.calibration = parse_calibration(o.calibration);
  options.per_layer = o.per_layer && map;
  options.engine.threads = o.threads;
  options.engine.micro_batch = o.micro_batch;
  Evaluator evaluator(std::move(net), std::move(data), std::move(calib), options);
  const EvalResult r = evaluator.evaluate(map ? &*map : nullptr);
  const int threads = evaluator.engine().threads();

  std::ostringstream text;
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["model"] = o.model;
    j["dataset"] = o.dataset;
    j["map"] = o.map.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.map);
    j["images"] = r.images;
    j["top1"] = number_or_null(r.top1);
    j["top1_fp32"] = number_or_null(r.top1_fp32);
    j["agreement"] = r.agreement;
    j["sqnr_db"] = number_or_null(r.sqnr_db);
    j["images_per_second"] = r.images_per_second;
    j["gflops"] = r.gflops;
    j["seconds"] = r.seconds;
    j["threads"] = threads;
    if (map) {
      j["calibration"] = {{"method", calibration_name(options.calibration)},
                          {"images", r.calibration_images},
                          {"source", calib_source}};
    }
    j["normalization"] = norm ? nlohmann::ordered_json{{"mean", norm->first}, {"std", norm->second}}
                              : nlohmann::ordered_json(nullptr);
    if (options.per_layer) {
      j["layers"] = nlohmann::ordered_json::array();
      for (const auto& l : r.layers)
        j["layers"].push_back({{"name", l.name}, {"sqnr_db", number_or_null(l.sqnr_db)}});
    }
    text << j.dump(2) << '\n';
  } else {
    std::vector<std::pair<std::string, std::string>> rows;
    rows.emplace_back("model", o.model);
    rows.emplace_back("dataset", o.dataset + " (" + with_commas(r.images) + " images)");
    rows.emplace_back("map", o.map.empty() ? "none (fp32)" : o.map);
    if (map)
      rows.emplace_back("calibration", calibration_name(options.calibration) + " on " +
                                           with_commas(r.calibration_images) + " images of " +
                                           calib_source);
    if (norm) {
      char text_norm[96];
      std::snprintf(text_norm, sizeof text_norm, "(x - %g) / %g, from %s", norm->first,
                    norm->second, o.normalize.empty() ? "the model's metadata" : "--normalize");
      rows.emplace_back("normalization", text_norm);
    } else {
      rows.emplace_back("normalization", "none (inputs as the data set gives them)");
    }
    rows.emplace_back("top-1",
                      percent(r.top1) + (map ? "  (fp32 " + percent(r.top1_fp32) + ")" : ""));
    rows.emplace_back("agreement", percent(r.agreement));
    rows.emplace_back("SQNR", decibels(r.sqnr_db));
    char speed[96];
    std::snprintf(speed, sizeof speed, "%.0f images/s, %.1f GFLOP/s on %d thread%s",
                  r.images_per_second, r.gflops, threads, threads == 1 ? "" : "s");
    rows.emplace_back("speed", speed);
    std::size_t width = 0;
    for (const auto& [k, v] : rows)
      width = std::max(width, k.size());
    for (const auto& [k, v] : rows)
      text << k << std::string(width + 2 - k.size(), ' ') << v << '\n';
    if (options.per_layer) {
      text << '\n';
      TextTable layers({"layer", "SQNR"});
      for (const auto& l : r.layers)
        layers.add_row({l.name, decibels(l.sqnr_db)});
      layers.print(text);
    }
  }
  if (o.out.empty()) {
    io.out << text.str();
  } else {
    write_file_atomically(o.out, text.str());
  }
}

}  // namespace

void add_eval_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<EvalCliOptions>();
  auto* cmd = app.add_subcommand(
      "eval", "Accuracy of an ONNX model in fp32 or under a precision map (fake quantization)");
  cmd->add_option("--model", o->model, "ONNX model with weights")->required();
  add_workload_flags(*cmd, o->shape, false);
  cmd->add_option("--dataset", o->dataset,
                  "fashion-mnist[:test|:train] or a .npy file of inputs (first axis: samples)")
      ->capture_default_str();
  cmd->add_option("--labels", o->labels, "Labels for a .npy data set (1-D .npy of integers)");
  cmd->add_option("--limit", o->limit, "Evaluate only the first N images (0: all)");
  cmd->add_option("--calib", o->calib,
                  "Calibration images for activation scales (from the other Fashion-MNIST split)")
      ->capture_default_str();
  cmd->add_option("--calib-data", o->calib_data, "Calibration inputs (.npy) for a .npy data set");
  cmd->add_option("--map,-m", o->map, "Precision map (TOML); without it the model runs in fp32");
  cmd->add_option("--calibration", o->calibration, "max, mse, percentile or percentile:P")
      ->capture_default_str();
  cmd->add_option("--normalize", o->normalize,
                  "MEAN,STD applied to inputs, or none; default: the model's metadata");
  cmd->add_flag("--per-layer", o->per_layer, "Also report the SQNR of every MAC layer's output");
  cmd->add_option("--threads", o->threads, "Threads (0: every core)")->capture_default_str();
  cmd->add_option("--micro-batch", o->micro_batch, "Images per thread at a time")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("--out,-o", o->out, "Write to this file (whole or not at all)");
  cmd->callback([o, &io] { run_eval(*o, io); });
}

}  // namespace mpsim::cli
