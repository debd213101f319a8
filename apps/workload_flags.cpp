#include "apps/workload_flags.h"
#include "apps/option_checks.h"

namespace mpsim::cli {

WorkloadOptions WorkloadFlags::options() const {
  WorkloadOptions o;
  if (batch > 0) o.batch = batch;
  for (const auto& s : input_shapes)
    o.input_shapes.push_back(parse_input_shape(s));
  return o;
}

std::vector<std::string> WorkloadFlags::describe() const {
  std::vector<std::string> out;
  if (batch > 0) out.push_back("batch=" + std::to_string(batch));
  for (const auto& s : input_shapes)
    out.push_back("input_shape=" + s);
  return out;
}

void add_workload_flags(CLI::App& cmd, WorkloadFlags& flags, bool with_batch) {
  if (with_batch)
    cmd.add_option("--batch", flags.batch,
                   "Batch size: the inputs' leading dimension (an ONNX model's must be dynamic); "
                   "default 1, or what the file fixes")
        ->check(whole_number(1));
  cmd.add_option("--input-shape", flags.input_shapes,
                 "Size of an ONNX model's dynamic dimensions: NAME=1x3x224x224 for a graph "
                 "input, or NAME=SIZE for a named dimension such as seq (repeatable)");
}

}  // namespace mpsim::cli
