// A small network with one layer of each kind the cost model prices differently, for the
// hardware harnesses to cost a config on.
#pragma once

#include "costmodel/hardware.h"

namespace mpsim::fuzz {

// Builds the model of `spec` and costs the network in closed form under the default map.
void cost_small_network(const HardwareSpec& spec);

}  // namespace mpsim::fuzz
