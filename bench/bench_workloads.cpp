// Loading built-in networks from their TOML files.
#include <benchmark/benchmark.h>

#include "workloads/network_io.h"

namespace {

void BM_LoadBuiltinNetwork(benchmark::State& state, const char* name) {
  for (auto _ : state) {
    mpsim::Network net = mpsim::load_workload(name);
    benchmark::DoNotOptimize(net.total_macs());
  }
}
BENCHMARK_CAPTURE(BM_LoadBuiltinNetwork, resnet50, "resnet50")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LoadBuiltinNetwork, vit_b16, "vit_b16")->Unit(benchmark::kMicrosecond);

}  // namespace
