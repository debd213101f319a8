// Technology scaling: how energy, area and leakage change with the process node and supply.
// Base: 45 nm at 0.9 V, where the Horowitz (ISSCC 2014) energies were published.
#pragma once

#include <vector>

#include "costmodel/hardware.h"

namespace mpsim {

struct TechnologyScale {
  double area = 1.0;     // multiply a 45 nm area
  double energy = 1.0;   // multiply a 45 nm, 0.9 V dynamic energy
  double leakage = 1.0;  // multiply a 45 nm leakage power
};

// Stillmaker & Baas factors between nodes, with dynamic energy scaled by (vdd / nominal)^2.
// Throws UserError for a node outside the supported list or a supply outside its sane range.
TechnologyScale technology_scale(const TechnologySpec& t);
double nominal_vdd_v(int node_nm);
std::vector<int> supported_nodes_nm();

}  // namespace mpsim
