// ONNX models: imported with their weights, shapes inferred through the graph.
#include "fuzz/fuzz_support.h"
#include "workloads/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mpsim::fuzz::ScratchFile file(data, size, ".onnx");
  const std::string& path = file.path();
  return mpsim::fuzz::expect_user_errors_only([&] { mpsim::import_onnx(path); });
}
