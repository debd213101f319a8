// Our figures beside the published reference runs, each within the tolerance docs/validation.md
// states and justifies.
#include <doctest/doctest.h>

#include <cmath>

#include "costmodel/hardware.h"
#include "costmodel/layer_cost.h"
#include "tests/test_support.h"
#include "workloads/importers.h"

using namespace mpsim;

namespace {

struct Run {
  HardwareModel hw;
  LayerCost cost;
};

Run alexnet_conv1_on(const char* config) {
  const Network net =
      import_scalesim_topology(test::source_path("configs/topologies/alexnet_conv1.csv"));
  HardwareModel hw(load_hardware_by_name(config));
  const int id = *net.find("Conv1");
  LayerPrecision p;
  p.weight = hw.pairs().front().pair.weight;
  p.activation = hw.pairs().front().pair.activation;
  auto c = layer_cost(net.layer(id), p, hw, p.activation);
  return {std::move(hw), c};
}

double per_mac(double pj, const LayerCost& c) {
  return pj / static_cast<double>(c.macs);
}

double dynamic_pj(const LayerCost& c) {
  return c.energy.total_pj() - c.energy.leakage_pj;
}

bool within_factor(double ours, double theirs, double factor) {
  return ours <= theirs * factor && ours >= theirs / factor;
}

}  // namespace

TEST_CASE("validation: SCALE-Sim v2 golden AlexNet conv1, 32x32 ws, ideal memory") {
  const auto r = alexnet_conv1_on("ideal_memory");
  CHECK(r.cost.macs == 105415200);
  CHECK(r.cost.total_cycles - 1 == 112283);  // SCALE-Sim reports the last cycle's index
  CHECK(r.cost.utilization == doctest::Approx(0.9168).epsilon(1e-4));
}

TEST_CASE("validation: Timeloop Eyeriss-like reference run on AlexNet conv1") {
  const auto r = alexnet_conv1_on("eyeriss_like");
  const auto& c = r.cost;
  // Cycles: 798,600, both row-stationary; Timeloop's mapper reaches utilization 0.79 where our
  // fixed mapping of filter rows and output rows reaches 0.90 (15%).
  CHECK(std::abs(static_cast<double>(c.total_cycles) / 798600.0 - 1.0) < 0.15);
  // Register files: one access per MAC per operand, as the reference; the two small files on
  // Accelergy's line, the 192-entry weights_spad priced as the SRAM array it is (0.39 pJ per
  // access against Accelergy's 1.59): 1.16 against 2.38 pJ/MAC (factor 2.5).
  CHECK(within_factor(per_mac(c.energy.register_files_pj, c), 0.52 + 1.61 + 0.25, 2.5));
  // Global buffer: 0.46 pJ/MAC at Accelergy's 75.2 pJ per 64-bit access, against our CACTI
  // array's 31.8 pJ (factor 2); its accesses per MAC (input rows multicast along diagonals,
  // partial sums between channel passes) within 50% of the reference's 0.46 / 75.2.
  CHECK(within_factor(per_mac(c.energy.buffer_pj[0], c), 0.46, 2.0));
  const auto& gb = r.hw.buffers()[0];
  double accesses = 0;
  for (const auto& t : c.traffic)
    accesses += (t.buffer_read_bits + t.buffer_write_bits) / gb.width_bits;
  accesses -= c.traffic[0].buffer_read_bits / gb.width_bits;  // weights bypass the buffer
  accesses -= c.traffic[0].buffer_write_bits / gb.width_bits;
  CHECK(accesses / static_cast<double>(c.macs) == doctest::Approx(0.46 / 75.2).epsilon(0.5));
  // MAC: Horowitz-based 16-bit MAC against Accelergy's Aladdin-based 2.20 pJ (factor 3).
  CHECK(within_factor(per_mac(c.energy.mac_pj, c), 2.20, 3.0));
  CHECK(per_mac(c.energy.mac_pj, c) < 2.20);
  // DRAM: same 8 pJ/bit; Timeloop's mapping moves 1.8x our traffic (factor 2).
  CHECK(within_factor(per_mac(c.energy.dram_pj, c), 3.18, 2.0));
  // Dynamic energy in all: 8.22 pJ/MAC; the MAC tables differ by 1.3 pJ/MAC and the SRAM
  // figures (CACTI itrs-hp at 0.9 V against Accelergy's setup) by 1.4 (factor 2.5).
  CHECK(within_factor(per_mac(dynamic_pj(c), c), 8.22, 2.5));
  // Leakage: the reference's own devices (low standby power, 300 K) leak next to nothing.
  CHECK(c.energy.leakage_pj < 0.01 * dynamic_pj(c));
  // Area: 2.12 mm^2 (10%).
  CHECK(r.hw.area().total_mm2 == doctest::Approx(2.12).epsilon(0.10));
}

TEST_CASE("validation: Eyeriss normalized access energies (DRAM 200, buffer 6, RF 1, MAC 1)") {
  const HardwareModel hw(load_hardware_by_name("eyeriss_like"));
  const double mac = hw.pairs().front().mac_pj;
  const double dram = 16 * hw.dram().energy_pj_per_bit / mac;
  const double glb = hw.buffers()[0].cost.read_pj / 4 / mac;  // one 16-bit word of a 64-bit port
  double rf = 0;
  for (const auto& m : hw.register_files())
    rf += m.cost.read_pj;
  rf = rf / static_cast<double>(hw.register_files().size()) / mac;
  CHECK(dram > glb);
  CHECK(glb > rf);
  CHECK(within_factor(dram, 200, 2.0));
  CHECK(within_factor(glb, 6, 3.0));
  CHECK(within_factor(rf, 1, 3.5));  // 0.33x: our SRAM-built weights_spad (docs/validation.md)
}

TEST_CASE("validation: Timeloop Simba-like reference run on AlexNet conv1") {
  const auto r = alexnet_conv1_on("simba_like");
  const auto& c = r.cost;
  // Cycles: 732,050 at utilization 0.56 from Timeloop's mapping of Simba's vector PEs; our 16x16
  // systolic array maps conv1 better (factor 1.7).
  CHECK(within_factor(static_cast<double>(c.total_cycles), 732050.0, 1.7));
  // MAC: Horowitz 8-bit MAC with a 24-bit accumulator against 0.56 pJ (factor 2.5).
  CHECK(within_factor(per_mac(c.energy.mac_pj, c), 0.56, 2.5));
  // DRAM: 0.29 pJ/MAC at the same 8 pJ/bit (factor 3: Simba's buffers keep more reuse).
  CHECK(within_factor(per_mac(c.energy.dram_pj, c), 0.29, 3.0));
  // Dynamic energy in all: 1.02 pJ/MAC (factor 1.5).
  CHECK(within_factor(per_mac(dynamic_pj(c), c), 1.02, 1.5));
}
