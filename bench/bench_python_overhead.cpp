// What `mpsim simulate --hw edge_npu -w resnet50` does before printing, as one library call
// chain: load the config and the network, take the default map, simulate. The Python module's
// mpsim.simulate() does the same and adds the conversion to Python objects;
// bench/python_overhead.py times it against this benchmark (goal: within 10 %).
#include <benchmark/benchmark.h>

#include "costmodel/hardware.h"
#include "explore/costing.h"
#include "workloads/network_io.h"

namespace {

void BM_SimulateCommandPathResNet50(benchmark::State& state) {
  for (auto _ : state) {
    const mpsim::HardwareModel hw(mpsim::load_hardware_by_name("edge_npu", {}));
    const mpsim::Network net = mpsim::load_workload("resnet50");
    const mpsim::PrecisionMap map = mpsim::map_for_costing(net, hw, "", false);
    auto r = mpsim::price_network(net, map, hw, mpsim::CostEngine::kSimulator);
    benchmark::DoNotOptimize(r.total.total_cycles);
  }
}
BENCHMARK(BM_SimulateCommandPathResNet50)->Unit(benchmark::kMillisecond);

}  // namespace
