// Weight-stationary systolic array (SCALE-Sim v2's ws): the reduction K on the rows, the N
// weights' columns on the columns, the M rows of the input streamed. A unit is one column fold
// with all its row folds; partial sums of a column fold are read back between row folds.
#include <algorithm>

#include "costmodel/layer_cost.h"
#include "costmodel/src/dataflows.h"

namespace mpsim {

namespace {

class WeightStationary final : public DataflowModel {
 public:
  Dataflow kind() const override { return Dataflow::kWeightStationary; }

  FoldModel folds(const LayerSchedule& s, int rows, int cols) const override {
    return systolic_folds(rows, cols, s.k_packed, static_cast<std::int64_t>(s.n),
                          static_cast<std::int64_t>(s.m), 2LL * rows + cols - 2);
  }

  double psum_tile_bits(const LayerSchedule& s, int, int cols) const override {
    if (s.folds.row_folds <= 1) return 0;
    return s.m * std::min<double>(s.n, cols) * s.accb;
  }

  std::int64_t units_per_group(const LayerSchedule& s) const override { return s.folds.col_folds; }

  UnitCounts unit(const LayerSchedule& s, std::int64_t j, int, int cols) const override {
    const FoldModel& f = s.folds;
    const double m = s.m, k = s.k, chunks = static_cast<double>(s.chunks);
    const double rf = static_cast<double>(f.row_folds);
    const double c = std::min<double>(cols, s.n - static_cast<double>(j) * cols);
    UnitCounts u;
    u.stream_steps = f.row_folds * f.streamed;
    u.fill_drain_steps = f.row_folds * f.fill_drain_per_fold * s.chunks;
    u.macs = m * k * c;
    // The stationary weights are loaded once per partial-sum chunk.
    u.weight.buffer_read_bits = k * c * chunks * s.wb;
    u.weight.rf_writes = k * c * chunks;
    u.weight.dram_bits = k * c * s.wb * (s.weights_resident ? 1.0 : chunks);
    // Every column fold streams the whole input again.
    u.input.buffer_read_bits = m * k * s.ab;
    u.input.rf_writes = m * k;
    u.input.dram_bits = (!s.inputs_resident || j == 0) ? s.in_elems / s.groups * s.ab : 0.0;
    u.out_elems = m * c;
    u.psum_writes = rf * m * c;
    u.psum_reads = (rf - 1) * m * c;
    return u;
  }
};

}  // namespace

const DataflowModel& weight_stationary() {
  static const WeightStationary model;
  return model;
}

}  // namespace mpsim
