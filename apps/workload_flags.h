// The flags that size a workload, shared by every command that loads one: --batch for the batch
// (a network file's inputs' leading dimension, an ONNX model's dynamic leading dimension) and
// --input-shape for an ONNX model's other dynamic dimensions.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/network_io.h"

namespace mpsim::cli {

struct WorkloadFlags {
  std::int64_t batch = 0;  // 0: not given
  std::vector<std::string> input_shapes;

  // Parsed; a malformed --input-shape is a UserError naming it.
  WorkloadOptions options() const;
  // The flags as text, for fingerprints that must change when they do.
  std::vector<std::string> describe() const;
};

// Adds --input-shape, and --batch unless `with_batch` is false (eval sets its own batch).
void add_workload_flags(CLI::App& cmd, WorkloadFlags& flags, bool with_batch = true);

}  // namespace mpsim::cli
