// A layer's cost figures as JSON, shared by the cost reports and the cost table so both name
// every figure alike. Private to explore/: nlohmann's types stay out of public headers.
#pragma once

#include <nlohmann/json.hpp>

#include "costmodel/hardware_model.h"
#include "costmodel/layer_cost.h"

namespace mpsim {

// One layer's (or a total's) figures as JSON: cycles by kind, latency, energy by component,
// utilization, MACs, BOPs, traffic by operand, requantizations. Shared by the reports and the
// cost table, so both name every figure alike.
nlohmann::ordered_json cost_json(const LayerCost& c, const HardwareModel& hw);

}  // namespace mpsim
