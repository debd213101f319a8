// Row-stationary (Chen, Emer, Sze, ISCA 2016: Eyeriss). The 1-D convolution of one filter row
// with one input row is a PE's primitive: the PE keeps the filter row and a sliding window of
// the input row in its register files and accumulates one output row's partial sums. A column
// of R PEs (the filter's rows) sums its partial sums vertically into one output row; the E
// output rows lie across the columns, each input row reaching its PEs along a diagonal.
//
// Our mapping of one group (a matmul is a 1 x 1 convolution over one output row of m columns):
//  - filter rows on the array's rows; more than `rows` filter rows fold (r_folds), fewer leave
//    room to stack floor(rows / R) channels, summed vertically as well (c_par);
//  - output rows on the columns; more than `cols` fold (e_folds), fewer leave room for
//    floor(cols / E) filters side by side (m_par);
//  - each PE interleaves p_f filters, as many as its weight file holds rows of S weights and its
//    partial-sum file holds outputs, so an input in its file serves p_f filters.
// A unit is one output-row fold for one group of m_par * p_f filters, with all channel passes;
// partial sums are read back between passes. Every weight of the unit is read from the buffer
// once and multicast along its PE row; every input row once and multicast along its diagonal.
#include <algorithm>
#include <cmath>

#include "costmodel/layer_cost.h"
#include "costmodel/src/dataflows.h"

namespace mpsim {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

struct Mapping {
  std::int64_t R = 1, S = 1, E = 1, F = 1, C = 1, M = 1;
  std::int64_t rows_used = 1, r_folds = 1, c_par = 1, c_groups = 1;
  std::int64_t e_per_fold = 1, e_folds = 1, m_par = 1, p_f = 1, m_per_group = 1, m_groups = 1;
  std::int64_t passes() const { return r_folds * c_groups; }
};

Mapping map_layer(const LayerSchedule& s, int rows, int cols) {
  Mapping g;
  g.R = s.filter_rows, g.S = s.filter_cols, g.E = s.out_rows, g.F = s.out_cols;
  g.C = s.channels, g.M = static_cast<std::int64_t>(s.n);
  g.rows_used = std::min<std::int64_t>(g.R, rows);
  g.r_folds = ceil_div(g.R, rows);
  g.c_par = g.R <= rows ? std::min<std::int64_t>(std::max<std::int64_t>(1, rows / g.R), g.C) : 1;
  g.c_groups = ceil_div(g.C, g.c_par);
  g.e_per_fold = std::min<std::int64_t>(g.E, cols);
  g.e_folds = ceil_div(g.E, cols);
  g.m_par = g.E < cols ? std::min<std::int64_t>(std::max<std::int64_t>(1, cols / g.E), g.M) : 1;
  // Filters per PE: rows of S weights the weight file holds, outputs the partial-sum file holds.
  const auto& rf = s.rf_entries;
  std::int64_t p_f = ceil_div(g.M, g.m_par);
  if (rf[0] > 0) p_f = std::min(p_f, rf[0] / g.S);
  if (rf[2] > 0) p_f = std::min(p_f, rf[2]);
  g.p_f = std::max<std::int64_t>(1, p_f);
  g.m_per_group = g.m_par * g.p_f;
  g.m_groups = ceil_div(g.M, g.m_per_group);
  return g;
}

class RowStationary final : public DataflowModel {
 public:
  Dataflow kind() const override { return Dataflow::kRowStationary; }

  FoldModel folds(const LayerSchedule& s, int rows, int cols) const override {
    const Mapping g = map_layer(s, rows, cols);
    FoldModel f;
    f.spatial_rows = g.R * g.c_par;
    f.spatial_cols = g.E * g.m_par;
    f.row_folds = g.passes();
    f.col_folds = g.e_folds * g.m_groups;
    f.streamed = ceil_div(g.S, s.products_per_cycle) * g.F * g.p_f;
    // The partial sums of a pass drain up the column of filter rows.
    f.fill_drain_per_fold = g.rows_used;
    return f;
  }

  double psum_tile_bits(const LayerSchedule& s, int rows, int cols) const override {
    const Mapping g = map_layer(s, rows, cols);
    if (g.passes() <= 1) return 0;
    return static_cast<double>(g.e_per_fold * g.F * g.m_per_group) * s.accb;
  }

  std::int64_t units_per_group(const LayerSchedule& s) const override { return s.folds.col_folds; }

  bool chunks_partial_sums() const override { return false; }

  UnitCounts unit(const LayerSchedule& s, std::int64_t j, int rows, int cols) const override {
    const Mapping g = map_layer(s, rows, cols);
    const std::int64_t e_idx = j / g.m_groups, m_idx = j % g.m_groups;
    const double E_u = static_cast<double>(std::min(g.e_per_fold, g.E - e_idx * g.e_per_fold));
    const double M_u = static_cast<double>(std::min(g.m_per_group, g.M - m_idx * g.m_per_group));
    const double R = static_cast<double>(g.R), S = static_cast<double>(g.S);
    const double F = static_cast<double>(g.F), C = static_cast<double>(g.C);
    const double passes = static_cast<double>(g.passes());
    const double filters_per_pe = std::ceil(M_u / static_cast<double>(g.m_par));
    UnitCounts u;
    u.stream_steps = static_cast<std::int64_t>(passes * filters_per_pe) *
                     ceil_div(g.S, s.products_per_cycle) * g.F;
    u.fill_drain_steps = g.passes() * g.rows_used;
    u.macs = E_u * F * M_u * C * R * S;
    // Weights: each once from the buffer, multicast to the E_u PEs of its row.
    const double unit_weights = M_u * C * R * S;
    u.weight.buffer_read_bits = unit_weights * s.wb;
    u.weight.rf_writes = unit_weights * E_u;
    u.weight.dram_bits = (!s.weights_resident || e_idx == 0) ? unit_weights * s.wb : 0.0;
    // Inputs: the rows the unit's output rows need, each once from the buffer, multicast along
    // its diagonal to R PEs of each of the m_par filter sets.
    const double in_group = s.in_elems / s.groups;
    const double in_cols = static_cast<double>(s.in_cols);
    const double in_rows_all = in_group / (C * in_cols);
    const double in_rows = std::min(in_rows_all, (E_u - 1) * static_cast<double>(s.stride) + R);
    const double unit_inputs = C * in_rows * in_cols;
    const double sets = std::min(static_cast<double>(g.m_par), M_u);
    u.input.buffer_read_bits = unit_inputs * s.ab;
    u.input.rf_writes = C * R * E_u * in_cols * sets;
    u.input.dram_bits = s.inputs_resident ? (j == 0 ? in_group * s.ab : 0.0) : unit_inputs * s.ab;
    u.out_elems = E_u * F * M_u;
    u.psum_writes = passes * u.out_elems;
    u.psum_reads = (passes - 1) * u.out_elems;
    return u;
  }
};

}  // namespace

const DataflowModel& row_stationary() {
  static const RowStationary model;
  return model;
}

}  // namespace mpsim
