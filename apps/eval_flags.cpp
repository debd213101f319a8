#include "apps/eval_flags.h"
#include "apps/option_checks.h"

namespace mpsim::cli {

EvalSetup EvalFlags::setup() const {
  EvalSetup s;
  s.model = model;
  s.dataset = dataset;
  s.labels = labels;
  s.limit = limit;
  s.calib = calib;
  s.calib_data = calib_data;
  s.normalize = normalize;
  s.input_shapes = shape.options().input_shapes;
  return s;
}

void add_eval_flags(CLI::App& cmd, EvalFlags& f, const std::string& data_help) {
  cmd.add_option("--model", f.model, "ONNX model with weights")->required();
  add_workload_flags(cmd, f.shape, false);
  cmd.add_option("--dataset", f.dataset, data_help)->capture_default_str();
  cmd.add_option("--labels", f.labels, "Labels for a .npy data set (1-D .npy of integers)");
  cmd.add_option("--limit", f.limit, "Use only the first N images of --dataset (0: all)")
      ->check(whole_number(0));
  cmd.add_option("--calib", f.calib,
                 "Calibration images for activation scales (from the other Fashion-MNIST split)")
      ->capture_default_str()
      ->check(whole_number(0));
  cmd.add_option("--calib-data", f.calib_data, "Calibration inputs (.npy) for a .npy data set");
  cmd.add_option("--calibration", f.calibration, "max, mse, percentile or percentile:P")
      ->capture_default_str();
  cmd.add_option("--normalize", f.normalize,
                 "MEAN,STD applied to inputs, or none; default: the model's metadata");
  cmd.add_option("--threads", f.threads, "Evaluator threads (0: every core)")
      ->capture_default_str()
      ->check(whole_number(0, kIntMax));
  cmd.add_option("--micro-batch", f.micro_batch, "Images per thread at a time")
      ->capture_default_str()
      ->check(whole_number(1));
}

}  // namespace mpsim::cli
