// Output-stationary systolic array (SCALE-Sim v2's os): the M output rows on the rows, the N
// columns on the columns, the reduction K streamed; each PE keeps its output. A unit is one row
// fold with all its column folds; no partial sum leaves the array before it is final.
#include <algorithm>

#include "costmodel/layer_cost.h"
#include "costmodel/src/dataflows.h"

namespace mpsim {

namespace {

class OutputStationary final : public DataflowModel {
 public:
  Dataflow kind() const override { return Dataflow::kOutputStationary; }

  FoldModel folds(const LayerSchedule& s, int rows, int cols) const override {
    // SCALE-Sim v2's os fold: R + C + T - 2 (its maintainers agree it should be 2R + C + T - 2;
    // we follow v2, docs/layer-model.md).
    return systolic_folds(rows, cols, static_cast<std::int64_t>(s.m),
                          static_cast<std::int64_t>(s.n), s.k_packed,
                          static_cast<std::int64_t>(rows) + cols - 2);
  }

  double psum_tile_bits(const LayerSchedule&, int, int) const override { return 0; }

  std::int64_t units_per_group(const LayerSchedule& s) const override { return s.folds.row_folds; }

  UnitCounts unit(const LayerSchedule& s, std::int64_t j, int rows, int) const override {
    const FoldModel& f = s.folds;
    const double m = s.m, n = s.n, k = s.k, cf = static_cast<double>(f.col_folds);
    const double r = std::min<double>(rows, m - static_cast<double>(j) * rows);
    UnitCounts u;
    u.stream_steps = f.col_folds * f.streamed;
    u.fill_drain_steps = f.col_folds * f.fill_drain_per_fold;
    u.macs = r * n * k;
    // The unit's input rows go to every column fold.
    const double in_group = s.in_elems / s.groups;
    u.input.buffer_read_bits = cf * r * k * s.ab;
    u.input.rf_writes = cf * r * k;
    u.input.dram_bits =
        s.inputs_resident ? (j == 0 ? in_group * s.ab : 0.0) : in_group * (r / m) * s.ab * cf;
    // Every row fold streams all the weights.
    u.weight.buffer_read_bits = n * k * s.wb;
    u.weight.rf_writes = n * k;
    u.weight.dram_bits = (!s.weights_resident || j == 0) ? s.w_elems / s.groups * s.wb : 0.0;
    u.out_elems = r * n;
    u.psum_writes = r * n;
    return u;
  }
};

}  // namespace

const DataflowModel& output_stationary() {
  static const OutputStationary model;
  return model;
}

}  // namespace mpsim
