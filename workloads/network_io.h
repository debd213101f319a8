// Reading networks: the TOML network files of the model zoo (and users' own), ONNX models and
// SCALE-Sim topologies. Every error names the file, and the line where one is known.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/importers.h"
#include "workloads/network.h"

namespace mpsim {

// A network file (format in docs/workloads.md). `source` names the text in error messages.
// Every key, type and range error of every layer is reported in one UserError, a line each
// ("file:line:col: key 'layer.conv1.kernel': ..."); of the errors that need the layers above
// (an unknown input, a shape that cannot be inferred) only the first.
// With `batch`, every [[input]]'s leading dimension becomes `batch` (shapes that follow it write
// 0 for the batch in reshapes, as the bundled networks do).
Network parse_network_toml(std::string_view text, const std::string& source,
                           std::optional<std::int64_t> batch = std::nullopt);
Network load_network_toml(const std::string& path,
                          std::optional<std::int64_t> batch = std::nullopt);

// Every key of a network file as markdown tables (the top level, [[input]] and [[layer]], then
// each op's own keys), printed from the schema the reader checks files against;
// docs/workloads.md holds them verbatim (`mpsim workload keys`).
std::string network_keys_markdown();

// The built-in networks (workloads/zoo/NAME.toml).
std::vector<std::string> builtin_network_names();
std::string builtin_network_path(const std::string& name);  // throws UserError if unknown

// How to size a workload: the batch (a network file's inputs' leading dimension, an ONNX
// model's dynamic leading dimension; unset: as the file says, 1 for a dynamic one) and sizes for
// an ONNX model's other dynamic dimensions (see import_onnx).
struct WorkloadOptions {
  std::optional<std::int64_t> batch;
  std::vector<InputShape> input_shapes;
  bool operator==(const WorkloadOptions&) const = default;
};

// NAME of a built-in network, or a path ending in .toml, .onnx or .csv (SCALE-Sim topology).
// ONNX weights are not decoded (use import_onnx for them).
Network load_workload(const std::string& name_or_path, const WorkloadOptions& options = {});

}  // namespace mpsim
