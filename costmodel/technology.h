// Technology scaling: how energy, area and leakage change with the process node and supply.
// Base: 45 nm at 0.9 V, where the Horowitz (ISSCC 2014) energies were published.
#pragma once

#include <vector>

#include "costmodel/hardware.h"

namespace mpsim {

struct TechnologyScale {
  double area = 1.0;     // multiply a 45 nm area
  double energy = 1.0;   // multiply a 45 nm, 0.9 V dynamic energy
  double leakage = 1.0;  // node and supply: multiply a 45 nm leakage power at the same device
  // Wires: capacitance per mm stays about the same across nodes (our assumption), so energy per
  // bit per mm follows the supply alone, (vdd / 0.9 V)^2.
  double wire_energy = 1.0;
  // Device and temperature (docs/costmodel.md, "Leakage"): multiply the logic leakage density
  // (NanGate 45 nm, typical, 25 C) and the SRAM leakage fit (CACTI itrs-hp, 360 K).
  double logic_device = 1.0;
  double sram_device = 1.0;
  double logic_leakage() const { return leakage * logic_device; }
  double sram_leakage() const { return leakage * sram_device; }
};

// Total leakage (subthreshold and gate) of a CACTI 45 nm array built of `device` at
// `temperature_k`, relative to itrs-hp at 360 K. Throws UserError
// outside 300..360 K.
double device_leakage_factor(Device device, double temperature_k);

// Stillmaker & Baas factors between nodes, with dynamic energy scaled by (vdd / nominal)^2.
// Throws UserError for a node outside the supported list or a supply outside its sane range.
TechnologyScale technology_scale(const TechnologySpec& t);
double nominal_vdd_v(int node_nm);
std::vector<int> supported_nodes_nm();

}  // namespace mpsim
