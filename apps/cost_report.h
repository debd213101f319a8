// Per-layer cost reports (table, CSV, JSON) shared by the commands that cost a network.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "costmodel/layer_cost.h"
#include "explore/costing.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim::cli {

// One layer's (or a total's) figures as JSON: cycles by kind, latency, energy by component,
// utilization, MACs, BOPs, traffic by operand, requantizations. Shared by the reports and the
// cost table, so both name every figure alike.
nlohmann::ordered_json cost_json(const LayerCost& c, const HardwareModel& hw);

// "note: DRAM energy ... is our estimate ..." when the config's DRAM energy is an estimate of
// ours (docs/costmodel.md, "DRAM"), else "". Every report that prices DRAM prints it.
std::string dram_estimate_note(const HardwareModel& hw);

// Renders `cost` as "table", "csv" or "json". JSON: {"network", "hardware", "layers": [{"name",
// "weight_format", "activation_format", "cycles", "latency_s", "energy_pj": {"total", ...},
// "utilization", ...}], "total": {...}, "area_mm2"}.
std::string render_cost_report(const Network& net, const PrecisionMap& map, const HardwareModel& hw,
                               const NetworkCost& cost, const std::string& format);

}  // namespace mpsim::cli
