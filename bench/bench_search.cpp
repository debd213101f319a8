// The precision search's costs (docs/search.md): pricing one uncached map by simulation, how far
// the sum of the cost table's rows is from simulating the whole map, scoring one map on the
// validation split, and whole greedy and 500-sample RL searches on the bundled ResNet (goals on
// 2 cores: greedy at most 60 s, RL at most 5 min), with peak resident memory.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <string>

#include "costmodel/hardware.h"
#include "explore/cost_table.h"
#include "explore/precision_search.h"
#include "search/methods.h"
#include "sim/simulator.h"
#include "workloads/network_io.h"

namespace {

using namespace mpsim;

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// A reproducible stream of random maps: every MAC layer at one of the array's pairs.
PrecisionMap random_map(const Network& net, const HardwareModel& hw, std::uint64_t& state) {
  PrecisionMap map(net.size());
  for (int id : net.mac_layers()) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto& pair = hw.pairs()[(state >> 33) % hw.pairs().size()].pair;
    LayerPrecision p;
    p.weight = pair.weight;
    p.activation = pair.activation;
    map.set(id, p);
  }
  return map;
}

void BM_SimulateRandomMapResNet50(benchmark::State& state) {
  const Network net = load_workload("resnet50");
  const HardwareModel hw(load_hardware_by_name("edge_npu"));
  std::uint64_t seed = 1;
  for (auto _ : state) {
    state.PauseTiming();
    const PrecisionMap map = random_map(net, hw, seed);
    state.ResumeTiming();
    benchmark::DoNotOptimize(simulate_network(net, map, hw).total.total_cycles);
  }
}
BENCHMARK(BM_SimulateRandomMapResNet50)->Unit(benchmark::kMillisecond);

// The sum of a map's rows in the cost table against the simulation of the whole map, on 100
// random maps: the table prices each layer under a uniform map, so it misses what depends on
// neighbours (requantization where formats change).
void table_against_simulation(benchmark::State& state, const std::string& network,
                              const std::string& hardware) {
  const Network net = load_workload(network);
  const HardwareModel hw(load_hardware_by_name(hardware));
  double max_err = 0, sum_err = 0, max_err_no_requant = 0;
  for (auto _ : state) {
    const CostTable table = build_cost_table(net, hw, {}, CostEngine::kSimulator);
    std::map<std::pair<int, std::string>, const CostTableRow*> row;
    for (const auto& r : table.rows)
      row[{r.layer, r.pair.weight.name() + ":" + r.pair.activation.name()}] = &r;
    std::uint64_t seed = 7;
    for (int m = 0; m < 100; ++m) {
      const PrecisionMap map = random_map(net, hw, seed);
      const NetworkCost sim = simulate_network(net, map, hw);
      double sum = 0;
      for (int id : net.mac_layers())
        sum += row.at({id, map.at(id).weight.name() + ":" + map.at(id).activation.name()})
                   ->cost.energy.total_pj();
      const double total = sim.total.energy.total_pj();
      const double err = std::abs(sum - total) / total;
      const double err2 = std::abs(sum - (total - sim.total.energy.requantization_pj)) / total;
      max_err = std::max(max_err, err);
      max_err_no_requant = std::max(max_err_no_requant, err2);
      sum_err += err;
    }
  }
  state.counters["max_rel_error_pct"] = 100 * max_err;
  state.counters["mean_rel_error_pct"] = 100 * sum_err / 100 / state.iterations();
  state.counters["max_rel_error_without_requant_pct"] = 100 * max_err_no_requant;
}

void BM_CostTableSumVsSimulationResNet50Edge(benchmark::State& state) {
  table_against_simulation(state, "resnet50", "edge_npu");
}
BENCHMARK(BM_CostTableSumVsSimulationResNet50Edge)->Iterations(1)->Unit(benchmark::kSecond);

void BM_CostTableSumVsSimulationViTDatacenter(benchmark::State& state) {
  table_against_simulation(state, "vit_b16", "datacenter_fp8");
}
BENCHMARK(BM_CostTableSumVsSimulationViTDatacenter)->Iterations(1)->Unit(benchmark::kSecond);

SearchSetup resnet_setup() {
  SearchSetup s;
  s.hardware = "edge_npu";
  s.eval.model = std::string(MPSIM_SOURCE_DIR) + "/models/fmnist_resnet.onnx";
  return s;  // validation 2,000 images, test 10,000
}

void BM_SearchScoreOneMap(benchmark::State& state) {
  PrecisionSearchProblem p(resnet_setup());
  std::uint64_t seed = 3;
  for (auto _ : state) {
    state.PauseTiming();
    search::Choice c(p.space().decisions());
    for (std::size_t d = 0; d < c.size(); ++d) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      c[d] = p.space().allowed[d][(seed >> 33) % p.space().allowed[d].size()];
    }
    state.ResumeTiming();
    benchmark::DoNotOptimize(p.quality({c}).front());
  }
  state.counters["images"] = 2000;
}
BENCHMARK(BM_SearchScoreOneMap)->Unit(benchmark::kMillisecond)->MinTime(5);

void BM_SearchGreedyResNet(benchmark::State& state) {
  for (auto _ : state) {
    PrecisionSearchProblem p(resnet_setup());
    search::CachedObjective o(p);
    search::GreedyOptions g;
    g.reference_quality = p.reference_quality();
    g.max_drop = 0.01;
    const auto r = search::greedy_search(p.space(), o, g);
    state.counters["maps_scored"] = static_cast<double>(o.quality_evaluations());
    benchmark::DoNotOptimize(r.chosen.data());
  }
  state.counters["peak_rss_mb"] = peak_rss_mb();
}
BENCHMARK(BM_SearchGreedyResNet)->Iterations(1)->Unit(benchmark::kSecond);

void BM_SearchRl500ResNet(benchmark::State& state) {
  for (auto _ : state) {
    PrecisionSearchProblem p(resnet_setup());
    search::CachedObjective o(p);
    search::RlOptions rl;
    rl.samples = 500;
    rl.target_cost = p.parse_target("0.6xint8:int8");
    const auto r = search::rl_search(p.space(), o, rl);
    state.counters["maps_scored"] = static_cast<double>(o.quality_evaluations());
    benchmark::DoNotOptimize(r.chosen.data());
  }
  state.counters["peak_rss_mb"] = peak_rss_mb();
}
BENCHMARK(BM_SearchRl500ResNet)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
