// The simulator as a library inside someone else's process (a Python interpreter, a Dask worker):
// it may be called from several threads, and it leaves the process's environment alone.
#include <doctest/doctest.h>

#include <cstdlib>
#include <thread>
#include <vector>

#include "costmodel/hardware.h"
#include "sim/simulator.h"
#include "workloads/network_io.h"

using namespace mpsim;

namespace {

// Read before main(), so before any simulation of this test program.
const bool g_banner_variable_at_start = std::getenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE") != nullptr;

PrecisionMap uniform(const Network& net, const char* w, const char* a) {
  LayerPrecision p;
  p.weight = Format::parse(w);
  p.activation = Format::parse(a);
  return uniform_precision_map(net, p);
}

}  // namespace

TEST_CASE("sim in-process: calls from two threads at once equal the same calls one by one") {
  const HardwareModel hw(load_hardware_by_name("edge_npu", {}));
  const Network net = load_workload("resnet18");
  const std::vector<PrecisionMap> maps = {
      uniform(net, "int8", "int8"), uniform(net, "int4", "int8"), uniform(net, "int8", "int4"),
      uniform(net, "int4", "int4")};
  std::vector<NetworkCost> alone;
  for (const auto& m : maps)
    alone.push_back(simulate_network(net, m, hw));
  // The maps differ in cost, so equal results below are not one result repeated.
  CHECK(alone[0].total.energy.total_pj() != alone[3].total.energy.total_pj());

  std::vector<NetworkCost> threaded(maps.size());
  {
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 2; ++t)
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < maps.size(); i += 2)
          threaded[i] = simulate_network(net, maps[i], hw);
      });
    for (auto& th : threads)
      th.join();
  }
  for (std::size_t i = 0; i < maps.size(); ++i) {
    CHECK(threaded[i].total.total_cycles == alone[i].total.total_cycles);
    CHECK(threaded[i].total.energy.total_pj() == alone[i].total.energy.total_pj());
    CHECK(threaded[i].total.latency_s == alone[i].total.latency_s);
  }
}

TEST_CASE("sim in-process: simulating sets no environment variable") {
  const HardwareModel hw(load_hardware_by_name("edge_npu", {}));
  const Network net = load_workload("resnet18");
  simulate_network(net, uniform(net, "int8", "int8"), hw);
  // The library once set SYSTEMC_DISABLE_COPYRIGHT_MESSAGE: setenv races with getenv in every
  // other thread of the process.
  CHECK(
      (g_banner_variable_at_start || std::getenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE") == nullptr));
}
