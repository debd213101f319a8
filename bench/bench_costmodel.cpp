// Closed-form cost evaluations: one layer, and a whole ResNet-50 precision map.
// Goal: at least 10 million layer evaluations per second on one core, i.e. a
// ResNet-50 map (54 MAC layers) costed in under 10 microseconds.
#include <benchmark/benchmark.h>

#include "costmodel/hardware.h"
#include "costmodel/layer_cost.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"

namespace {

const char* kMixedMap = R"(
[default]
weight = "int4"
activation = "int8"
[[override]]
layers = ["conv1", "fc"]
weight = "int8"
[[override]]
layers = "layer4.*"
weight = "int2"
activation = "int2"
)";

void BM_LayerCost(benchmark::State& state) {
  const mpsim::Network net = mpsim::load_workload("resnet50");
  const mpsim::HardwareModel hw(mpsim::load_hardware_by_name("edge_npu"));
  const auto map = mpsim::resolve_precision_map(mpsim::parse_precision_map(kMixedMap, "m"), net);
  const auto ids = net.mac_layers();
  const auto outs = mpsim::output_formats(net, map);
  std::size_t i = 0;
  for (auto _ : state) {
    const int id = ids[i];
    auto c = mpsim::layer_cost(net.layer(id), map.at(id), hw, outs[static_cast<std::size_t>(id)]);
    benchmark::DoNotOptimize(c.total_cycles);
    if (++i == ids.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LayerCost);

void BM_NetworkCostResNet50(benchmark::State& state) {
  const mpsim::Network net = mpsim::load_workload("resnet50");
  const mpsim::HardwareModel hw(mpsim::load_hardware_by_name("edge_npu"));
  const auto map = mpsim::resolve_precision_map(mpsim::parse_precision_map(kMixedMap, "m"), net);
  for (auto _ : state) {
    auto nc = mpsim::network_cost(net, map, hw);
    benchmark::DoNotOptimize(nc.total.total_cycles);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(net.mac_layers().size()));
}
BENCHMARK(BM_NetworkCostResNet50)->Unit(benchmark::kMicrosecond);

}  // namespace
