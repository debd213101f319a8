// Per-layer cost reports (table, CSV, JSON) shared by the commands that cost a network.
#pragma once

#include <string>

#include "costmodel/layer_cost.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim::cli {

// Checks `map` against the network's quantizer groups: with `resolve`, widens each broken group
// and returns the number of operands changed; otherwise a UserError listing every broken group.
int enforce_quantizer_groups(const Network& net, PrecisionMap& map, const std::string& map_name,
                             bool resolve);

// The map a costing command uses: the file if given (quantizer groups checked, or resolved to
// the wider format with `resolve_groups`), else every MAC layer at the array's widest integer
// pair (per-channel weights).
PrecisionMap map_for_costing(const Network& net, const HardwareModel& hw,
                             const std::string& map_path, bool resolve_groups);

// Renders `cost` as "table", "csv" or "json". JSON: {"network", "hardware", "layers": [{"name",
// "weight_format", "activation_format", "cycles", "latency_s", "energy_pj": {"total", ...},
// "utilization", ...}], "total": {...}, "area_mm2"}.
std::string render_cost_report(const Network& net, const PrecisionMap& map, const HardwareModel& hw,
                               const NetworkCost& cost, const std::string& format);

}  // namespace mpsim::cli
