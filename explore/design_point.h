// A design point as data: everything that decides what a network under a precision map costs on
// a hardware configuration. It can be written down (JSON), sent to another process or machine
// and priced there with the same result, which is how sweeps are resumed and distributed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "costmodel/hardware_model.h"
#include "explore/costing.h"
#include "workloads/network.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"

namespace mpsim {

struct DesignPoint {
  std::string hardware;                // a bundled config name or a .toml / SCALE-Sim .cfg path
  std::vector<std::string> overrides;  // "dotted.key=value", applied in order
  std::string workload;                // a built-in network, or a .toml / .onnx / .csv path
  WorkloadOptions workload_options;    // --batch, --input-shape
  std::string map;                     // a precision map file; empty: default_precision_map()
  std::string map_text;                // a map's TOML text (a Python dict), used instead of map
  bool resolve_groups = false;
  CostEngine engine = CostEngine::kSimulator;

  bool operator==(const DesignPoint&) const = default;
};

// JSON text and back; from_json throws UserError naming `source` and the key on bad input.
std::string to_json(const DesignPoint& p);
DesignPoint design_point_from_json(const std::string& text, const std::string& source);

// What a point costs: the whole network, in the units the reports use.
struct PointCost {
  double area_mm2 = 0;
  double energy_pj = 0;   // dynamic + leakage
  double leakage_pj = 0;  // of energy_pj
  double latency_s = 0;
  std::int64_t cycles = 0;
  double edp_js() const { return energy_pj * 1e-12 * latency_s; }
};

// A point made ready for pricing against a network already loaded: its hardware model and its
// precision map, both checked (the closed form runs once, so a format pair the array lacks is an
// error here and not halfway through a sweep).
struct PreparedPoint {
  HardwareModel hw;
  PrecisionMap map;
};
PreparedPoint prepare_point(const Network& net, const DesignPoint& p);

PointCost evaluate_point(const Network& net, const PreparedPoint& p, CostEngine engine);
// Loads the point's network, hardware and map, then prices it.
PointCost evaluate_point(const DesignPoint& p);

}  // namespace mpsim
