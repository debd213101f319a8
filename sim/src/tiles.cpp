#include "sim/src/tiles.h"

#include <algorithm>
#include <cmath>

namespace mpsim::sim {

namespace {

constexpr int kW = 0, kI = 1, kO = 2;

void add(Tile& into, const Tile& t) {
  into.stream_cycles += t.stream_cycles;
  into.fill_drain_cycles += t.fill_drain_cycles;
  into.macs += t.macs;
  for (std::size_t o = 0; o < 3; ++o) {
    auto& a = into.events[o];
    const auto& b = t.events[o];
    a.dram_bits += b.dram_bits;
    a.buffer_read_bits += b.buffer_read_bits;
    a.buffer_write_bits += b.buffer_write_bits;
    a.rf_reads += b.rf_reads;
    a.rf_writes += b.rf_writes;
  }
}

}  // namespace

std::vector<Tile> plan_tiles(const LayerSchedule& s, Dataflow df, int rows, int cols,
                             bool rf_holds[3], int layer_index, double tile_budget_bits,
                             int max_tiles) {
  const FoldModel& f = s.folds;
  const double G = static_cast<double>(s.groups);
  const double m = s.m, n = s.n, k = s.k, chunks = static_cast<double>(s.chunks);
  const double p = static_cast<double>(s.products_per_cycle);
  const double rf = static_cast<double>(f.row_folds), cf = static_cast<double>(f.col_folds);
  const double in_group = s.in_elems / G;  // unique input elements of one group
  const double w_group = s.w_elems / G;
  // One unit of the loop nest per group and outer fold.
  const bool outer_is_cols = df != Dataflow::kOutputStationary;
  const std::int64_t outer = outer_is_cols ? f.col_folds : f.row_folds;
  const std::int64_t units = s.groups * outer;
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
    const std::int64_t j = u % outer;  // outer fold within the group
    const bool first_of_group = j == 0;
    Tile t;
    auto& w = t.events[kW];
    auto& in = t.events[kI];
    auto& out = t.events[kO];
    double out_elems = 0, psum_writes = 0, psum_reads = 0;
    switch (df) {
      case Dataflow::kWeightStationary: {
        const double c = std::min<double>(cols, n - static_cast<double>(j) * cols);
        t.stream_cycles = f.row_folds * f.streamed * s.cycles_per_step;
        t.fill_drain_cycles = f.row_folds * f.fill_drain_per_fold * s.chunks * s.cycles_per_step;
        t.macs = m * k * c;
        w.buffer_read_bits = k * c * chunks * s.wb;
        w.dram_bits = k * c * s.wb * (s.weights_resident ? 1.0 : chunks);
        w.rf_writes = k * c * chunks;
        in.buffer_read_bits = m * k * s.ab;
        in.rf_writes = m * k;
        in.dram_bits = (!s.inputs_resident || first_of_group) ? in_group * s.ab : 0.0;
        out_elems = m * c, psum_writes = rf * m * c, psum_reads = (rf - 1) * m * c;
        break;
      }
      case Dataflow::kOutputStationary: {
        const double r = std::min<double>(rows, m - static_cast<double>(j) * rows);
        t.stream_cycles = f.col_folds * f.streamed * s.cycles_per_step;
        t.fill_drain_cycles = f.col_folds * f.fill_drain_per_fold * s.cycles_per_step;
        t.macs = r * n * k;
        in.buffer_read_bits = cf * r * k * s.ab;
        in.rf_writes = cf * r * k;
        in.dram_bits = s.inputs_resident ? (first_of_group ? in_group * s.ab : 0.0)
                                         : in_group * (r / m) * s.ab * cf;
        w.buffer_read_bits = n * k * s.wb;
        w.rf_writes = n * k;
        w.dram_bits = (!s.weights_resident || first_of_group) ? w_group * s.wb : 0.0;
        out_elems = r * n, psum_writes = r * n;
        break;
      }
      case Dataflow::kInputStationary: {
        const double c = std::min<double>(cols, m - static_cast<double>(j) * cols);
        t.stream_cycles = f.row_folds * f.streamed * s.cycles_per_step;
        t.fill_drain_cycles = f.row_folds * f.fill_drain_per_fold * s.chunks * s.cycles_per_step;
        t.macs = c * n * k;
        in.buffer_read_bits = k * c * chunks * s.ab;
        in.rf_writes = k * c * chunks;
        in.dram_bits = in_group * (c / m) * s.ab * (s.inputs_resident ? 1.0 : chunks);
        w.buffer_read_bits = n * k * s.wb;
        w.rf_writes = n * k;
        w.dram_bits = (!s.weights_resident || first_of_group) ? w_group * s.wb : 0.0;
        out_elems = c * n, psum_writes = rf * c * n, psum_reads = (rf - 1) * c * n;
        break;
      }
    }
    w.buffer_write_bits = w.dram_bits;
    in.buffer_write_bits = in.dram_bits;
    out.buffer_write_bits = (psum_writes - out_elems) * s.accb + out_elems * s.ob;
    out.buffer_read_bits = psum_reads * s.accb + out_elems * s.ob;
    out.dram_bits = out_elems * s.ob + (s.psum_spill ? 2.0 * psum_reads * s.accb : 0.0);
    w.rf_reads = in.rf_reads = t.macs;
    out.rf_reads = out.rf_writes = t.macs / p;
    for (int o = 0; o < 3; ++o)
      if (!rf_holds[o])
        t.events[static_cast<std::size_t>(o)].rf_reads =
            t.events[static_cast<std::size_t>(o)].rf_writes = 0;
    add(acc, t);
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
