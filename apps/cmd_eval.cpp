// mpsim eval: the accuracy of a network under a precision map, by fake quantization on real
// data (quant/evaluator.h): top-1, agreement with fp32, SQNR, and the engine's speed. The speed
// is a fact of the machine, not of the network and map, so it goes to stderr and enters the
// result only with --timing: without it the same command writes the same bytes at any --threads.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "apps/commands.h"
#include "apps/eval_flags.h"
#include "explore/evaluation.h"
#include "explore/json_text.h"
#include "explore/text_table.h"
#include "formats/error.h"
#include "formats/output_file.h"
#include "quant/evaluator.h"

namespace mpsim::cli {

namespace {

struct EvalCliOptions {
  EvalFlags data;
  std::string map;
  bool resolve_groups = false;
  bool per_layer = false;
  bool timing = false;
  std::string format = "table";
  std::string out;
};

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

std::string speed_text(const EvalResult& r, int threads) {
  char speed[128];
  std::snprintf(speed, sizeof speed, "%.0f images/s, %.1f GFLOP/s on %d thread%s (%.3f s)",
                r.images_per_second, r.gflops, threads, threads == 1 ? "" : "s", r.seconds);
  return speed;
}

// Said once on stderr when nothing states the input scaling: a model trained on normalized
// inputs but fed unnormalized ones scores near chance with no other sign of why.
void note_unnormalized_inputs(const EvalCliOptions& o, Io& io) {
  const bool fmnist = !is_npy_path(o.data.dataset);
  io.err << "mpsim: eval: " << o.data.model
         << " states no input normalization (no 'mean'/'std' metadata), so inputs are used "
         << (fmnist ? "as the data set gives them: Fashion-MNIST pixels / 255, in [0, 1]"
                    : "as stored in " + o.data.dataset)
         << ". If the model was trained on normalized inputs, pass --normalize MEAN,STD"
         << (fmnist ? " (Fashion-MNIST's training pixels: --normalize 0.2860,0.3530)" : "")
         << "; --normalize none keeps the inputs as they are without this note.\n";
}

void run_eval(const EvalCliOptions& o, Io& io) {
  if (!o.out.empty()) check_output_path(o.out);
  const EvalSetup setup = o.data.setup();
  PreparedEvaluation prepared = prepare_evaluation(setup, !o.map.empty());
  if (prepared.scaling_unstated) note_unnormalized_inputs(o, io);
  const auto& norm = prepared.normalization;
  const std::string& calib_source = prepared.calib_source;
  Network& net = prepared.net;
  std::optional<PrecisionMap> map;
  if (!o.map.empty()) map = precision_map_for_evaluation(net, o.map, o.resolve_groups);

  EvalOptions options;
  options.calibration = parse_calibration(o.data.calibration);
  options.per_layer = o.per_layer && map;
  options.engine.threads = o.data.threads;
  options.engine.micro_batch = o.data.micro_batch;
  Evaluator evaluator(std::move(net), std::move(prepared.data), std::move(prepared.calib), options);
  const EvalResult r = evaluator.evaluate(map ? &*map : nullptr);
  const int threads = evaluator.engine().threads();

  std::ostringstream text;
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["model"] = o.data.model;
    j["dataset"] = o.data.dataset;
    j["map"] = o.map.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.map);
    j["images"] = r.images;
    j["top1"] = number_or_null(r.top1);
    j["top1_fp32"] = number_or_null(r.top1_fp32);
    j["agreement"] = r.agreement;
    j["sqnr_db"] = number_or_null(r.sqnr_db);
    if (o.timing) {
      j["images_per_second"] = r.images_per_second;
      j["gflops"] = r.gflops;
      j["seconds"] = r.seconds;
      j["threads"] = threads;
    }
    if (map) {
      j["calibration"] = {{"method", calibration_name(options.calibration)},
                          {"images", r.calibration_images},
                          {"source", calib_source}};
    }
    j["normalization"] = norm ? nlohmann::ordered_json{{"mean", norm->mean}, {"std", norm->std_dev}}
                              : nlohmann::ordered_json(nullptr);
    if (options.per_layer) {
      j["layers"] = nlohmann::ordered_json::array();
      for (const auto& l : r.layers)
        j["layers"].push_back({{"name", l.name}, {"sqnr_db", number_or_null(l.sqnr_db)}});
    }
    text << json_text(j) << '\n';
  } else {
    std::vector<std::pair<std::string, std::string>> rows;
    rows.emplace_back("model", o.data.model);
    rows.emplace_back("dataset", o.data.dataset + " (" + with_commas(r.images) + " images)");
    rows.emplace_back("map", o.map.empty() ? "none (fp32)" : o.map);
    if (map)
      rows.emplace_back("calibration", calibration_name(options.calibration) + " on " +
                                           with_commas(r.calibration_images) + " images of " +
                                           calib_source);
    if (norm) {
      char text_norm[96];
      std::snprintf(text_norm, sizeof text_norm, "(x - %g) / %g, from %s", norm->mean,
                    norm->std_dev, norm->from_metadata ? "the model's metadata" : "--normalize");
      rows.emplace_back("normalization", text_norm);
    } else {
      rows.emplace_back("normalization", "none (inputs as the data set gives them)");
    }
    rows.emplace_back(
        "top-1", percent_text(r.top1) + (map ? "  (fp32 " + percent_text(r.top1_fp32) + ")" : ""));
    rows.emplace_back("agreement", percent_text(r.agreement));
    rows.emplace_back("SQNR", decibels(r.sqnr_db));
    if (o.timing) rows.emplace_back("speed", speed_text(r, threads));
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
  io.err << "mpsim: eval: " << speed_text(r, threads) << '\n';
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
  add_eval_flags(*cmd, o->data,
                 "fashion-mnist[:test|:train] or a .npy file of inputs (first axis: samples)");
  cmd->add_option("--map,-m", o->map, "Precision map (TOML); without it the model runs in fp32");
  cmd->add_flag("--resolve-groups", o->resolve_groups,
                "Widen quantizer groups the map breaks instead of reporting them");
  cmd->add_flag("--per-layer", o->per_layer, "Also report the SQNR of every MAC layer's output");
  cmd->add_flag("--timing", o->timing,
                "Also put the engine's speed in the result (it is always said on stderr)");
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("--out,-o", o->out, "Write to this file (whole or not at all)");
  cmd->callback([o, &io] { run_eval(*o, io); });
}

}  // namespace mpsim::cli
