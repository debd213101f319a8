// The cost table a precision search reads: every MAC layer of a network times every (weight,
// activation) pair the array supports, each priced on its own (uniform map of that pair), as
// plain data. `mpsim costs` prints it; a search or a user's script reads it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "costmodel/hardware.h"
#include "costmodel/hardware_model.h"
#include "costmodel/layer_cost.h"
#include "explore/costing.h"
#include "workloads/network.h"

namespace mpsim {

struct CostTableRow {
  int layer = 0;  // layer id in the network
  FormatPair pair;
  LayerCost cost;
  double weight_bytes = 0;  // the layer's weights stored in the pair's weight format
  double dram_bytes = 0;    // every operand's DRAM traffic
};

struct CostTable {
  std::vector<CostTableRow> rows;  // pair-major, layers in network order
  double area_mm2 = 0;
};

// An energy breakdown as (name, pJ) in report order: mac, register_files, each buffer by name,
// dram, leakage, requantization.
std::vector<std::pair<std::string, double>> energy_components(const EnergyBreakdown& e,
                                                              const HardwareModel& hw);

// Every MAC layer x every supported pair whose weight and activation formats are both in
// `formats` (empty: all pairs), priced by `engine`. Throws UserError naming the supported pairs
// when the filter leaves none.
CostTable build_cost_table(const Network& net, const HardwareModel& hw,
                           const std::vector<std::string>& formats = {},
                           CostEngine engine = CostEngine::kSimulator);

}  // namespace mpsim
