// Input-stationary systolic array (SCALE-Sim v2's is): the reduction K on the rows, the M input
// rows on the columns, the N weight columns streamed. A unit is one column fold with all its row
// folds; partial sums of a column fold are read back between row folds.
#include <algorithm>

#include "costmodel/layer_cost.h"
#include "costmodel/src/dataflows.h"

namespace mpsim {

namespace {

class InputStationary final : public DataflowModel {
 public:
  Dataflow kind() const override { return Dataflow::kInputStationary; }

  FoldModel folds(const LayerSchedule& s, int rows, int cols) const override {
    return systolic_folds(rows, cols, s.k_packed, static_cast<std::int64_t>(s.m),
                          static_cast<std::int64_t>(s.n), 2LL * rows + cols - 2);
  }

  double psum_tile_bits(const LayerSchedule& s, int, int cols) const override {
    if (s.folds.row_folds <= 1) return 0;
    return std::min<double>(s.m, cols) * s.n * s.accb;
  }

  std::int64_t units_per_group(const LayerSchedule& s) const override { return s.folds.col_folds; }

  UnitCounts unit(const LayerSchedule& s, std::int64_t j, int, int cols) const override {
    const FoldModel& f = s.folds;
    const double m = s.m, n = s.n, k = s.k, chunks = static_cast<double>(s.chunks);
    const double rf = static_cast<double>(f.row_folds);
    const double c = std::min<double>(cols, m - static_cast<double>(j) * cols);
    UnitCounts u;
    u.stream_steps = f.row_folds * f.streamed;
    u.fill_drain_steps = f.row_folds * f.fill_drain_per_fold * s.chunks;
    u.macs = c * n * k;
    // The stationary inputs are loaded once per partial-sum chunk.
    u.input.buffer_read_bits = k * c * chunks * s.ab;
    u.input.rf_writes = k * c * chunks;
    u.input.dram_bits = s.in_elems / s.groups * (c / m) * s.ab * (s.inputs_resident ? 1.0 : chunks);
    // Every column fold streams all the weights.
    u.weight.buffer_read_bits = n * k * s.wb;
    u.weight.rf_writes = n * k;
    u.weight.dram_bits = (!s.weights_resident || j == 0) ? s.w_elems / s.groups * s.wb : 0.0;
    u.out_elems = c * n;
    u.psum_writes = rf * c * n;
    u.psum_reads = (rf - 1) * c * n;
    return u;
  }
};

}  // namespace

const DataflowModel& input_stationary() {
  static const InputStationary model;
  return model;
}

}  // namespace mpsim
