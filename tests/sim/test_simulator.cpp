// The SystemC model against the closed form: equal cycles with ideal memory for every dataflow
// and every MAC layer of the bundled networks; the bandwidth bound with finite memory; kernel
// reuse across runs.
#include <doctest/doctest.h>

#include <algorithm>

#include "costmodel/hardware.h"
#include "formats/error.h"
#include "sim/simulator.h"
#include "tests/test_support.h"
#include "workloads/importers.h"
#include "workloads/network_io.h"

using namespace mpsim;

namespace {

HardwareModel hw_with(const char* config, std::vector<std::string> sets) {
  return HardwareModel(load_hardware_by_name(config, sets));
}

PrecisionMap int8_map(const Network& net) {
  LayerPrecision p;
  p.weight = Format::parse("int8");
  p.activation = Format::parse("int8");
  return uniform_precision_map(net, p);
}

}  // namespace

TEST_CASE("sim: with ideal memory the simulated cycles equal the closed form, every dataflow") {
  for (const char* df : {"ws", "os", "is", "rs"}) {
    const auto hw = hw_with("ideal_memory", {std::string("array.dataflow=") + df});
    for (const auto& name : builtin_network_names()) {
      const Network net = load_workload(name);
      const auto map = int8_map(net);
      const auto sim = simulate_network(net, map, hw);
      const auto closed = network_cost(net, map, hw);
      REQUIRE(sim.layers.size() == closed.layers.size());
      for (std::size_t i = 0; i < sim.layers.size(); ++i) {
        INFO(name << " " << std::string(df) << " layer " << net.layer(sim.layer_ids[i]).name);
        CHECK(sim.layers[i].total_cycles == closed.layers[i].total_cycles);
        CHECK(sim.layers[i].stall_cycles == 0);
      }
      CHECK(sim.total.total_cycles == closed.total.total_cycles);
      // The events the modules counted are the closed form's counts, so energies agree too.
      CHECK(sim.total.energy.total_pj() == doctest::Approx(closed.total.energy.total_pj()));
      for (int o = 0; o < 3; ++o) {
        CHECK(sim.total.traffic[o].dram_bits == doctest::Approx(closed.total.traffic[o].dram_bits));
        CHECK(sim.total.traffic[o].buffer_read_bits ==
              doctest::Approx(closed.total.traffic[o].buffer_read_bits));
      }
    }
  }
}

TEST_CASE("sim: a bit-serial array's cycles follow the weight bits, as in the closed form") {
  const auto hw = hw_with("ideal_memory", {"array.mac.kind=bitserial", "array.mac.serial_bits=2",
                                           R"(array.mac.formats=["int8", "int4"])"});
  const Network net = load_workload("resnet18");
  PrecisionMap map = int8_map(net);
  const auto sim8 = simulate_network(net, map, hw);
  const auto closed8 = network_cost(net, map, hw);
  CHECK(sim8.total.total_cycles == closed8.total.total_cycles);
  LayerPrecision p4;
  p4.weight = Format::parse("int4");
  p4.activation = Format::parse("int8");
  map = uniform_precision_map(net, p4);
  const auto sim4 = simulate_network(net, map, hw);
  CHECK(sim4.total.total_cycles * 2 == sim8.total.total_cycles);  // 2 against 4 cycles a step
  CHECK(sim4.total.energy.mac_pj < sim8.total.energy.mac_pj);
}

TEST_CASE("sim: eyeriss_like row-stationary on AlexNet conv1 against Timeloop's 798,600 cycles") {
  // The closed form's 697,752 cycles plus the stalls of tile-by-tile double buffering with one
  // LPDDR4 channel: within 25% of Timeloop's row-stationary mapping (weight-stationary took
  // 6,286,802 cycles here, its partial sums queueing at the buffer's one 64-bit port).
  const Network net =
      import_scalesim_topology(test::source_path("configs/topologies/alexnet_conv1.csv"));
  const auto hw = hw_with("eyeriss_like", {});
  LayerPrecision p;
  p.weight = p.activation = Format::parse("int16");
  const auto sim = simulate_network(net, uniform_precision_map(net, p), hw);
  CHECK(static_cast<double>(sim.total.total_cycles) == doctest::Approx(798600).epsilon(0.25));
  const auto closed = network_cost(net, uniform_precision_map(net, p), hw);
  CHECK(sim.total.total_cycles >= closed.total.total_cycles);
  CHECK(sim.total.energy.dynamic_pj() == doctest::Approx(closed.total.energy.dynamic_pj()));
}

TEST_CASE("sim: with finite bandwidth latency >= max(compute, traffic / bandwidth)") {
  const Network net = load_workload("resnet18");
  const auto map = int8_map(net);
  for (double gbps : {100.0, 12.8, 1.0}) {
    const auto hw = hw_with("edge_npu", {"dram.bandwidth_gbytes_per_s=" + std::to_string(gbps)});
    const auto sim = simulate_network(net, map, hw);
    for (const auto& c : sim.layers) {
      const double traffic =
          c.traffic[0].dram_bits + c.traffic[1].dram_bits + c.traffic[2].dram_bits;
      CHECK(static_cast<double>(c.total_cycles) >= traffic / hw.dram_bits_per_cycle() - 1);
      CHECK(c.total_cycles >= c.compute_cycles + c.fill_drain_cycles);
    }
  }
}

TEST_CASE("sim: a layer turns memory-bound as bandwidth shrinks") {
  const Network net = load_workload("resnet18");
  const auto map = int8_map(net);
  const auto macs = net.mac_layers();
  const auto fc = static_cast<std::size_t>(
      std::find(macs.begin(), macs.end(), *net.find("layer4.1.conv2")) - macs.begin());
  std::int64_t previous = -1;
  std::vector<LayerCost> runs;
  for (double gbps : {1000.0, 100.0, 10.0, 1.0}) {
    // Buffer ports wide enough that only DRAM can hold the array back.
    const auto hw =
        hw_with("edge_npu", {"dram.bandwidth_gbytes_per_s=" + std::to_string(gbps),
                             "buffer.global_buffer.banks=16", "buffer.accumulators.banks=16"});
    runs.push_back(simulate_network(net, map, hw).layers[fc]);
    CHECK(runs.back().stall_cycles >= previous);
    previous = runs.back().stall_cycles;
  }
  // Compute-bound at 1000 GB/s (only the first tile's load and the DRAM latency show), memory-
  // bound at 1 GB/s.
  CHECK(runs.front().stall_cycles < runs.front().total_cycles / 20);
  const auto& slow = runs.back();
  const double traffic_cycles =
      (slow.traffic[0].dram_bits + slow.traffic[1].dram_bits + slow.traffic[2].dram_bits) /
      hw_with("edge_npu", {"dram.bandwidth_gbytes_per_s=1"}).dram_bits_per_cycle();
  CHECK(traffic_cycles > static_cast<double>(slow.compute_cycles + slow.fill_drain_cycles));
  CHECK(static_cast<double>(slow.total_cycles) >= traffic_cycles);
  CHECK(slow.stall_cycles > slow.total_cycles / 5);
}

TEST_CASE("sim: narrow buffer ports hold the array back, wide ones do not") {
  const Network net = load_workload("resnet18");
  const auto map = int8_map(net);
  const auto macs = net.mac_layers();
  const auto id = *net.find("layer4.1.conv2");
  const auto at = static_cast<std::size_t>(std::find(macs.begin(), macs.end(), id) - macs.begin());
  auto run = [&](std::vector<std::string> sets) {
    sets.push_back("dram.bandwidth_gbytes_per_s=1000");
    const auto hw = hw_with("edge_npu", sets);
    const auto c = simulate_network(net, map, hw).layers[at];
    return std::make_pair(c, hw.buffers()[1].width_bits * hw.spec().buffers[1].banks);
  };
  const auto [wide, wide_port] =
      run({"buffer.global_buffer.banks=16", "buffer.accumulators.banks=16"});
  const auto [narrow, narrow_port] = run({"buffer.global_buffer.banks=1"});
  CHECK(narrow.stall_cycles > wide.stall_cycles);
  // The array cannot finish before the accumulators have moved every bit it reads and writes.
  const auto& e = narrow.traffic;
  const double array_bits = e[0].buffer_read_bits + e[1].buffer_read_bits + e[2].buffer_write_bits +
                            e[2].buffer_read_bits - e[2].dram_bits;
  CHECK(static_cast<double>(narrow.total_cycles) >= array_bits / narrow_port);
  // Wide ports keep up: the layer runs at the array's own pace (compute plus fill and drain),
  // stalling for well under 1% of it, and the narrow port makes it slower.
  CHECK(wide.stall_cycles < wide.total_cycles / 100);
  CHECK(wide.total_cycles >= wide.compute_cycles + wide.fill_drain_cycles);
  CHECK(narrow.total_cycles > wide.total_cycles);
}

TEST_CASE("sim: one kernel runs many jobs with identical results") {
  const Network net = load_workload("mobilenet_v2");
  const auto map = int8_map(net);
  const auto hw = hw_with("edge_npu", {});
  const int before = simulations_run();
  const auto a = simulate_network(net, map, hw);
  const auto b = simulate_network(net, map, hw);
  CHECK(simulations_run() == before + 2);
  CHECK(a.total.total_cycles == b.total.total_cycles);
  CHECK(a.total.energy.total_pj() == b.total.energy.total_pj());
}

TEST_CASE("sim: a format the array lacks is an error naming the supported pairs") {
  const Network net = load_workload("resnet18");
  LayerPrecision p;
  p.weight = Format::parse("fp8_e4m3");
  p.activation = Format::parse("fp8_e4m3");
  const auto hw = hw_with("fixed_int8", {"array.mac.fallback_to_wider=false"});
  CHECK_THROWS_WITH_AS(simulate_network(net, uniform_precision_map(net, p), hw),
                       doctest::Contains("supports int8 x int8"), UserError);
}
