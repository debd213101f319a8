// Importing ViT-B/16 from ONNX (346 MB of fp32 weights) and counting its MACs. The model is
// exported once into /tmp by scripts/export_test_models.py (Debian's python3-torch) and reused.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "formats/error.h"
#include "workloads/importers.h"

namespace {

// The exported model's path, or empty when it cannot be made.
const std::string& vit_model() {
  static const std::string path = [] {
    const std::string target = "/tmp/mpsim-bench-vit_b_16-opset13.onnx";
    if (std::filesystem::exists(target)) return target;
    // Written under another name and renamed, so an interrupted export is never picked up.
    const std::string partial = target + ".partial";
    const std::string cmd = std::string(MPSIM_PYTHON) + " '" + MPSIM_SOURCE_DIR +
                            "/scripts/export_test_models.py' vit_b_16 '" + partial +
                            "' --opset 13 > /dev/null 2>&1";
    std::error_code ec;
    if (std::system(cmd.c_str()) != 0) return std::string();
    std::filesystem::rename(partial, target, ec);
    return ec ? std::string() : target;
  }();
  return path;
}

void BM_ImportOnnxVit(benchmark::State& state, bool keep_weights) {
  const std::string& path = vit_model();
  if (path.empty()) {
    state.SkipWithError("cannot export ViT-B/16 to ONNX: run scripts/setup.sh (python3-torch)");
    return;
  }
  mpsim::OnnxImportOptions options;
  options.keep_weights = keep_weights;
  for (auto _ : state) {
    const mpsim::Network net = mpsim::import_onnx(path, options);
    benchmark::DoNotOptimize(net.total_macs());
  }
}
BENCHMARK_CAPTURE(BM_ImportOnnxVit, vit_b16_with_weights, true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ImportOnnxVit, vit_b16_shapes_only, false)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
