// Per-layer cost reports (table, CSV, JSON) shared by the commands that cost a network.
#pragma once

#include <string>
#include <vector>

#include "costmodel/layer_cost.h"
#include "explore/cost_table.h"
#include "explore/costing.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

// "note: DRAM energy ... is our estimate ..." when the config's DRAM energy is an estimate of
// ours (docs/costmodel.md, "DRAM"), else "". Every report that prices DRAM prints it.
std::string dram_estimate_note(const HardwareModel& hw);

// Renders `cost` as "table", "csv" or "json". JSON: {"network", "hardware", "layers": [{"name",
// "weight_format", "activation_format", "cycles", "latency_s", "energy_pj": {"total", ...},
// "utilization", ...}], "total": {...}, "area_mm2"}.
std::string render_cost_report(const Network& net, const PrecisionMap& map, const HardwareModel& hw,
                               const NetworkCost& cost, const std::string& format);

// Renders a cost table (build_cost_table) as "csv" (one row per layer and format pair, energy by
// component, ten significant digits) or "json" ({"network", "hardware", "area_mm2",
// "dram_energy_estimated", "rows": [...]}, each row's figures named as in the reports).
std::string render_cost_table(const Network& net, const HardwareModel& hw, const CostTable& table,
                              const std::string& format);

// A layer's (or a total's) figures as flat numbers, named as the reports' CSV columns and JSON
// keys: cycles, compute_cycles, fill_drain_cycles, stall_cycles, latency_s, utilization,
// energy_pj, dynamic_energy_pj, one "<component>_pj" per energy component, macs, bops,
// "<operand>_dram_bytes" etc. per operand, dram_bytes, requantizations. For callers that want
// numbers, not text (the Python module). The names depend only on the hardware, so a caller
// pricing many layers takes them once; values[i] is the figure names[i].
std::vector<std::string> cost_figure_names(const HardwareModel& hw);
std::vector<double> cost_figure_values(const LayerCost& c, const HardwareModel& hw);

}  // namespace mpsim
