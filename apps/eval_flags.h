// The options `eval` and `search` share, so they read the same way in both: the model, its
// dynamic dimensions, the data, the calibration images and rule, the input normalization, and
// the evaluator's threads.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "apps/workload_flags.h"
#include "explore/evaluation.h"

namespace mpsim::cli {

struct EvalFlags {
  std::string model;
  WorkloadFlags shape;
  std::string dataset = "fashion-mnist:test";
  std::string labels;
  std::size_t limit = 0;
  std::size_t calib = 1000;
  std::string calib_data;
  std::string normalize;
  std::string calibration = "mse";
  int threads = 0;
  std::int64_t micro_batch = 16;

  EvalSetup setup() const;  // a malformed --input-shape is a UserError naming it
};

// `data_help` says what --dataset is for in this command.
void add_eval_flags(CLI::App& cmd, EvalFlags& f, const std::string& data_help);

}  // namespace mpsim::cli
