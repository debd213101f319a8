// The SystemC model of the accelerator, behind a plain interface: no SystemC type appears here.
//
// simulate_network() runs every MAC layer of a network under a precision map on the configured
// accelerator: a controller tiles each layer to fit the buffers, orders the tiles by the
// dataflow, double-buffers DRAM loads against compute and writes outputs back; DRAM, buffers
// and the MAC array are SystemC modules exchanging tiles, with times and energies from the
// cost model. The SystemC kernel is elaborated once per process and runs any number of
// simulations one after another (the first call elaborates it). Calls from several threads are
// safe and run one at a time. The library sets no environment variable; it defines a weak
// sc_main only because libsystemc refers to one (a program with its own keeps it).
#pragma once

#include "costmodel/hardware_model.h"
#include "costmodel/layer_cost.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

// Per layer: cycles split into compute, fill/drain and memory stall; utilization; energy by
// component from counted events times the cost model's energies; traffic at every level. The
// result has the same shape as the closed form's (network_cost), so reports serve both.
NetworkCost simulate_network(const Network& net, const PrecisionMap& map, const HardwareModel& hw);

// How many simulations this process has run (for tests of kernel reuse).
int simulations_run();

}  // namespace mpsim
