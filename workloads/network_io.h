// Reading networks: the TOML network files of the model zoo (and users' own), ONNX models and
// SCALE-Sim topologies. Every error names the file, and the line where one is known.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workloads/network.h"

namespace mpsim {

// A network file (format in docs/workloads.md). `source` names the text in error messages.
Network parse_network_toml(std::string_view text, const std::string& source);
Network load_network_toml(const std::string& path);

// The built-in networks (workloads/zoo/NAME.toml).
std::vector<std::string> builtin_network_names();
std::string builtin_network_path(const std::string& name);  // throws UserError if unknown

// NAME of a built-in network, or a path ending in .toml, .onnx or .csv (SCALE-Sim topology).
// ONNX weights are not decoded (use import_onnx for them).
Network load_workload(const std::string& name_or_path);

}  // namespace mpsim
