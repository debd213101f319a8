#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "formats/error.h"
#include "formats/input_file.h"
#include "workloads/importers.h"
#include "workloads/network_io.h"

namespace mpsim {

namespace fs = std::filesystem;

namespace {

// The zoo folder: $MPSIM_ZOO_DIR if set, else the source tree's workloads/zoo.
fs::path zoo_dir() {
  if (const char* env = std::getenv("MPSIM_ZOO_DIR"); env && *env) return env;
  return MPSIM_ZOO_DIR;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<std::string> builtin_network_names() {
  // A folder that cannot be listed, or holds no config, is an error rather than an empty list:
  // otherwise a mistyped $MPSIM_ZOO_DIR makes every name "unknown" and `list` print nothing with
  // exit 0.
  const fs::path dir = zoo_dir();
  const std::string where =
      dir.string() + (std::getenv("MPSIM_ZOO_DIR") && *std::getenv("MPSIM_ZOO_DIR")
                          ? " (from $MPSIM_ZOO_DIR)"
                          : "");
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec)
    throw UserError("the folder of the built-in networks, " + where +
                    ", cannot be read: " + ec.message());
  for (const auto& e : it)
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  if (names.empty())
    throw UserError("the folder of the built-in networks, " + where + ", holds no .toml file");
  std::sort(names.begin(), names.end());
  return names;
}

std::string builtin_network_path(const std::string& name) {
  const auto names = builtin_network_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    auto hint = closest_names(name, names);
    throw UserError("unknown network '" + name + "'" +
                    (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)") +
                    "; built-in networks: " + join(names) +
                    "; or give a path to a .toml, .onnx or SCALE-Sim .csv file");
  }
  return (zoo_dir() / (name + ".toml")).string();
}

Network load_workload(const std::string& name_or_path, const WorkloadOptions& options) {
  const std::string& s = name_or_path;
  const bool is_path = s.find('/') != std::string::npos || ends_with(s, ".toml") ||
                       ends_with(s, ".onnx") || ends_with(s, ".csv");
  const bool onnx = is_path && ends_with(s, ".onnx");
  if (!onnx && !options.input_shapes.empty())
    throw UserError("--input-shape " + options.input_shapes.front().name +
                    "=...: sets dynamic dimensions of ONNX models; " + s + " is not one" +
                    (ends_with(s, ".csv")
                         ? " (a SCALE-Sim topology states every layer's sizes)"
                         : " (a network file states its inputs' shapes; --batch sets the batch)"));
  if (!is_path) return load_network_toml(builtin_network_path(s), options.batch);
  // Costing needs shapes, not weight values: skip decoding them (5x faster on ViT-B/16).
  if (onnx) {
    OnnxImportOptions o;
    o.keep_weights = false;
    o.batch = options.batch;
    o.input_shapes = options.input_shapes;
    return import_onnx(s, o);
  }
  if (ends_with(s, ".csv")) {
    if (options.batch)
      throw UserError("--batch: " + s +
                      " is a SCALE-Sim topology, whose layers have no batch dimension");
    return import_scalesim_topology(s);
  }
  if (ends_with(s, ".toml")) return load_network_toml(s, options.batch);
  // A missing or special file is reported as such, not as an unknown kind.
  const InputFile check(s, "workload");
  throw UserError(s + ": unknown kind of workload file; expected .toml, .onnx or .csv");
}

}  // namespace mpsim
