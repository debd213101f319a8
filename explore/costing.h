// The rules every caller that prices a network shares: which precision map a costing uses, that
// a map respects the network's quantizer groups, and which engine prices it. The command, the
// search, the Python module and the distributed runner all call these, so they cannot disagree.
#pragma once

#include <string>

#include "costmodel/hardware_model.h"
#include "costmodel/layer_cost.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

// Checks `map` against the network's quantizer groups (tensors that must share one activation
// format). With `resolve`, widens each broken group to its widest format and returns the number
// of operands changed; otherwise throws a UserError naming `map_name` and every broken group.
int enforce_quantizer_groups(const Network& net, PrecisionMap& map, const std::string& map_name,
                             bool resolve);

// Every MAC layer at the widest integer pair the array runs (else its first pair): what a
// costing uses when no map is given.
PrecisionMap default_precision_map(const Network& net, const HardwareModel& hw);

// The map a costing uses: the file if given (quantizer groups checked, or resolved with
// `resolve_groups`), else default_precision_map().
PrecisionMap map_for_costing(const Network& net, const HardwareModel& hw,
                             const std::string& map_path, bool resolve_groups);
// The same, or the map given as TOML text when `map_text` is not empty (what the Python module
// makes of a dict; "map" in messages).
PrecisionMap map_for_costing(const Network& net, const HardwareModel& hw,
                             const std::string& map_path, const std::string& map_text,
                             bool resolve_groups);

// The closed form (fast, exact with ideal memory) or the SystemC simulation.
enum class CostEngine { kClosedForm, kSimulator };
CostEngine parse_cost_engine(const std::string& name);  // "closed-form" or "sim"
std::string cost_engine_name(CostEngine engine);

NetworkCost price_network(const Network& net, const PrecisionMap& map, const HardwareModel& hw,
                          CostEngine engine);

}  // namespace mpsim
