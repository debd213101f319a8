#include "explore/sweep_csv.h"

#include <algorithm>

#include "explore/pareto.h"
#include "explore/text_table.h"

namespace mpsim {

std::vector<bool> pareto_flags(const std::vector<PointResult>& results) {
  std::vector<std::vector<double>> points;
  points.reserve(results.size());
  for (const auto& r : results)
    points.push_back({r.area_mm2, r.energy_pj, r.latency_s});
  return mpsim::pareto_flags(points);
}

std::string render_sweep_csv(const SweepPoints& points, std::vector<PointResult> results) {
  std::sort(results.begin(), results.end(),
            [](const PointResult& a, const PointResult& b) { return a.index < b.index; });
  std::vector<std::string> header{"point"};
  for (const auto& axis : points.axes())
    header.push_back(axis.key);
  for (const char* h : {"area_mm2", "energy_pj", "dynamic_energy_pj", "leakage_energy_pj",
                        "latency_s", "cycles", "edp_js", "pareto"})
    header.emplace_back(h);
  std::string out = csv_row(header);
  const auto flags = pareto_flags(results);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    std::vector<std::string> row{std::to_string(r.index)};
    for (auto& v : points.values(r.index))
      row.push_back(std::move(v));
    row.push_back(format_number(r.area_mm2));
    row.push_back(format_number(r.energy_pj));
    row.push_back(format_number(r.energy_pj - r.leakage_pj));
    row.push_back(format_number(r.leakage_pj));
    row.push_back(format_number(r.latency_s));
    row.push_back(std::to_string(r.cycles));
    row.push_back(format_number(r.energy_pj * 1e-12 * r.latency_s));
    row.emplace_back(flags[i] ? "true" : "false");
    out += csv_row(row);
  }
  return out;
}

}  // namespace mpsim
