// The SystemC model, single thread: ResNet-50 at int8 and under a mixed map (goal: at most
// 50 ms each), and ResNet-50's cost table for every format pair of the edge NPU (goal: at most
// 2 s). Peak resident memory is reported as a counter (goal: at most 200 MB).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "costmodel/hardware.h"
#include "sim/simulator.h"
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
activation = "int4"
)";

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // kB on Linux
}

void run(benchmark::State& state, const mpsim::PrecisionMap& map, const mpsim::Network& net) {
  const mpsim::HardwareModel hw(mpsim::load_hardware_by_name("edge_npu"));
  for (auto _ : state) {
    auto r = mpsim::simulate_network(net, map, hw);
    benchmark::DoNotOptimize(r.total.total_cycles);
  }
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

void BM_SimulateResNet50Int8(benchmark::State& state) {
  const mpsim::Network net = mpsim::load_workload("resnet50");
  mpsim::LayerPrecision p;
  run(state, mpsim::uniform_precision_map(net, p), net);
}
BENCHMARK(BM_SimulateResNet50Int8)->Unit(benchmark::kMillisecond);

void BM_SimulateResNet50Mixed(benchmark::State& state) {
  const mpsim::Network net = mpsim::load_workload("resnet50");
  run(state, mpsim::resolve_precision_map(mpsim::parse_precision_map(kMixedMap, "mixed"), net),
      net);
}
BENCHMARK(BM_SimulateResNet50Mixed)->Unit(benchmark::kMillisecond);

void BM_CostTableResNet50EdgeNpu(benchmark::State& state) {
  const mpsim::Network net = mpsim::load_workload("resnet50");
  const mpsim::HardwareModel hw(mpsim::load_hardware_by_name("edge_npu"));
  for (auto _ : state) {
    std::int64_t cycles = 0;
    for (const auto& pc : hw.pairs()) {
      mpsim::LayerPrecision p;
      p.weight = pc.pair.weight;
      p.activation = pc.pair.activation;
      cycles +=
          mpsim::simulate_network(net, mpsim::uniform_precision_map(net, p), hw).total.total_cycles;
    }
    benchmark::DoNotOptimize(cycles);
  }
  state.counters["pairs"] = static_cast<double>(hw.pairs().size());
  state.counters["peak_rss_mb"] = peak_rss_mb();
}
BENCHMARK(BM_CostTableResNet50EdgeNpu)->Unit(benchmark::kMillisecond);

}  // namespace
