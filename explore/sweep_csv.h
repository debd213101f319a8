// The results of `mpsim sweep` as CSV: one row per design point with its config values, cost
// figures and whether it is on the Pareto front of the rows in the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "explore/record_text.h"
#include "explore/sweep_points.h"

namespace mpsim {

struct PointResult {
  std::size_t index = 0;  // point number in the full sweep
  double area_mm2 = 0;
  double energy_pj = 0;   // dynamic + leakage
  double leakage_pj = 0;  // of energy_pj
  double latency_s = 0;
  std::int64_t cycles = 0;
};

// For each point: true when no other point is at most as large in area, energy and latency and
// smaller in at least one (equal points do not dominate each other).
std::vector<bool> pareto_flags(const std::vector<PointResult>& results);

// Header "point,<axis keys>,area_mm2,energy_pj,latency_s,cycles,edp_js,pareto", then `results`
// ordered by point index.
std::string render_sweep_csv(const SweepPoints& points, std::vector<PointResult> results);

}  // namespace mpsim
