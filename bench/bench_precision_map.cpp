// Parsing and validating a precision map for ResNet-50: the file is parsed, every pattern
// matched against the network, and the quantizer groups checked.
#include <benchmark/benchmark.h>

#include "workloads/network_io.h"
#include "workloads/precision_map.h"
#include "workloads/quantizer_groups.h"

namespace {

const char* kMap = R"(
network = "resnet50"
[default]
weight = "int8"
activation = "int8"
accumulator = "int32"
[[override]]
layers = "layer[1-3].*.conv2"
weight = "int4"
[[override]]
layers = "layer4.*"
weight = "fp8_e4m3"
activation = "fp8_e4m3"
[[override]]
layers = ["conv1", "fc"]
weight = "int8"
activation = "int8"
[[override]]
layers = "layer2.*.conv1"
weight = "ternary"
cluster_size = 4
)";

void BM_PrecisionMapResNet50(benchmark::State& state) {
  const mpsim::Network net = mpsim::load_workload("resnet50");
  const auto groups = mpsim::quantizer_groups(net);
  for (auto _ : state) {
    const auto spec = mpsim::parse_precision_map(kMap, "bench.toml");
    const auto map = mpsim::resolve_precision_map(spec, net);
    const auto conflicts = mpsim::find_group_conflicts(net, map, groups);
    benchmark::DoNotOptimize(conflicts.size());
  }
}
BENCHMARK(BM_PrecisionMapResNet50)->Unit(benchmark::kMicrosecond);

void BM_QuantizerGroupsResNet50(benchmark::State& state) {
  const mpsim::Network net = mpsim::load_workload("resnet50");
  for (auto _ : state)
    benchmark::DoNotOptimize(mpsim::quantizer_groups(net).size());
}
BENCHMARK(BM_QuantizerGroupsResNet50)->Unit(benchmark::kMicrosecond);

}  // namespace
