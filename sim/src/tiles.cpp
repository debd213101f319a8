#include "sim/src/tiles.h"

#include <algorithm>
#include <cmath>

#include "costmodel/dataflow.h"

namespace mpsim::sim {

std::vector<Tile> plan_tiles(const LayerSchedule& s, int rows, int cols, bool rf_holds[3],
                             int layer_index, double tile_budget_bits, int max_tiles) {
  // The dataflow cuts the layer into units; tiles group consecutive units.
  const DataflowModel& model = dataflow_model(s.dataflow);
  const std::int64_t per_group = model.units_per_group(s);
  const std::int64_t units = s.groups * per_group;
  // Units per tile: as many as fit the budget (by the layer's average load per unit), but
  // no more tiles than max_tiles.
  const double layer_load = s.w_elems * s.wb + s.in_elems * s.ab;
  const double unit_load = layer_load / static_cast<double>(units);
  const auto fit = static_cast<std::int64_t>(
      unit_load > 0 ? std::max(1.0, std::floor(tile_budget_bits / unit_load)) : units);
  const std::int64_t per_tile =
      std::max({std::int64_t{1}, std::min(fit, units), (units + max_tiles - 1) / max_tiles});

  std::vector<Tile> tiles;
  tiles.reserve(static_cast<std::size_t>((units + per_tile - 1) / per_tile));
  Tile acc;
  acc.layer = layer_index;
  std::int64_t in_acc = 0;
  for (std::int64_t u = 0; u < units; ++u) {
    acc.work.add(unit_events(model.unit(s, u % per_group, rows, cols), s, rf_holds));
    if (++in_acc == per_tile || u + 1 == units) {
      tiles.push_back(acc);
      acc = Tile{};
      acc.layer = layer_index;
      in_acc = 0;
    }
  }
  if (!tiles.empty()) tiles.back().last = true;
  return tiles;
}

}  // namespace mpsim::sim
