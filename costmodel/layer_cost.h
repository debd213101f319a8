// Closed-form cost of one MAC layer on the configured array: cycles (SCALE-Sim v2's compute
// model, with a PE's products per cycle folded into the reduction), the bits each operand moves
// at each memory level, a bandwidth bound on latency, energy by component and utilization.
// docs/costmodel.md ("Layer model") derives every count.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "costmodel/dataflow.h"
#include "costmodel/hardware_model.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

inline constexpr int kMaxBuffers = 4;

// SCALE-Sim v2's compute-cycle model for one GEMM (a conv as im2col) on an R x C array:
// S_r x S_c spatial, T streamed, folds = ceil(S_r / R) * ceil(S_c / C), cycles per fold
// 2R + C + T - 2 (ws, is) or R + C + T - 2 (os, as v2 implements it). `cycles` counts cycles;
// SCALE-Sim reports cycles - 1 (the index of the last cycle) for one layer.
struct FoldModel {
  std::int64_t spatial_rows = 0, spatial_cols = 0, streamed = 0;
  std::int64_t row_folds = 0, col_folds = 0;
  std::int64_t folds() const { return row_folds * col_folds; }
  std::int64_t fill_drain_per_fold = 0;  // cycles per fold beyond the streamed ones
  std::int64_t cycles() const { return folds() * (streamed + fill_drain_per_fold); }
};
// The fold geometry `df` gives a matmul of one group (m x k by k x n); for ws, os and is it is
// SCALE-Sim's table above.
FoldModel fold_model(Dataflow df, int rows, int cols, std::int64_t m, std::int64_t n,
                     std::int64_t k);
// A systolic array's folds: ceil(spatial rows / rows) x ceil(spatial cols / cols).
FoldModel systolic_folds(int rows, int cols, std::int64_t spatial_rows, std::int64_t spatial_cols,
                         std::int64_t streamed, std::int64_t fill_drain_per_fold);

struct EnergyBreakdown {
  double mac_pj = 0;
  double register_files_pj = 0;
  std::array<double, kMaxBuffers> buffer_pj{};  // by HardwareModel::buffers() index
  double dram_pj = 0;
  double leakage_pj = 0;
  double requantization_pj = 0;
  double total_pj() const;
  double dynamic_pj() const { return total_pj() - leakage_pj; }
};

struct LayerCost {
  int pair_index = -1;  // HardwareModel::pairs() entry the layer ran on
  int products_per_cycle = 1;
  int cycles_per_product = 1;  // a bit-serial PE's cycles per product
  std::int64_t macs = 0;
  std::int64_t folds = 0;
  std::int64_t compute_cycles = 0;     // streaming cycles
  std::int64_t fill_drain_cycles = 0;  // pipeline fill and drain of every fold
  std::int64_t stall_cycles = 0;       // waiting for DRAM beyond compute (double-buffered)
  std::int64_t total_cycles = 0;
  double latency_s = 0;
  double utilization = 0;  // macs x cycles per product / (total cycles x PEs x products per cycle)
  std::array<OperandTraffic, 3> traffic{};  // by Operand
  EnergyBreakdown energy;
  double multiplications_replaced = 0;  // fraction, clustered ternary/binary/4-bit weights
  std::int64_t requantizations = 0;     // output values rescaled into another format
  std::int64_t bops = 0;                // MACs x weight bits x activation bits
};

// The decisions the closed form and the simulator share for one layer: the pair it runs on,
// the fold structure, element counts and sizes, which operands stay resident in their buffers,
// the partial-sum chunking and what the layer pays besides traffic.
struct LayerSchedule {
  int pair_index = -1;
  std::int64_t products_per_cycle = 1;
  Dataflow dataflow = Dataflow::kWeightStationary;
  FoldModel folds;  // of one group, with k packed by products_per_cycle
  std::int64_t groups = 1;
  double m = 0, n = 0, k = 0;  // GEMM view of one group
  std::int64_t k_packed = 0;   // ceil(k / products_per_cycle)
  // Convolution geometry of one group, for dataflows that map filter and output rows (rs); a
  // matmul is a 1 x 1 convolution with one output row of m columns.
  std::int64_t filter_rows = 1, filter_cols = 1, out_rows = 1, out_cols = 1, stride = 1;
  std::int64_t in_cols = 1, channels = 1;
  std::array<std::int64_t, 3> rf_entries{};         // per PE, by Operand (0: no register file)
  double w_elems = 0, in_elems = 0, out_elems = 0;  // unique elements, all groups
  double wb = 0, ab = 0, accb = 0, ob = 0;          // storage bits: weight, input, psum, output
  std::int64_t cycles_per_step = 1;  // cycles a PE takes per product (bit-serial units: > 1)
  // Per buffer, the fraction of its banks the layer keeps powered (1 without power gating).
  std::array<double, kMaxBuffers> powered_fraction{1.0, 1.0, 1.0, 1.0};
  double mac_pj = 0;              // one product into the layer's accumulator
  double scale_multiply_pj = 0;   // one cluster scale multiply (clustered weights)
  bool weights_resident = false;  // the whole weight operand fits its buffer share
  bool inputs_resident = false;
  std::int64_t chunks = 1;   // partial-sum chunks per fold (>1 when they do not fit on chip)
  bool psum_spill = false;   // ideal memory: partial sums that do not fit go through DRAM
  double per_cluster = 0;    // products per cluster scale multiply (clustered weights), else 0
  bool requantize = false;   // the output is stored in another format than the input
  double requantize_pj = 0;  // energy of one requantization into the output format
};
LayerSchedule layer_schedule(const Layer& layer, const LayerPrecision& precision,
                             const HardwareModel& hw, const Format& output_format);

// A LayerCost with what the schedule alone decides (pair, products, MACs, BOPs, folds,
// requantizations); the closed form and the simulator each add cycles and traffic.
LayerCost layer_cost_shell(const Layer& layer, const LayerPrecision& precision,
                           const LayerSchedule& s);

// Fills the energy breakdown, latency and utilization of `c` from its counted events (macs,
// traffic, requantizations, total_cycles), priced by `hw`.
void price_layer(LayerCost& c, const LayerSchedule& s, const HardwareModel& hw);

// The cost of MAC layer `layer` under `precision` on `hw`. `output_format` is the format its
// output is stored in (the next MAC layer's activation format); a format change from the
// layer's activation format counts one requantization per output value.
LayerCost layer_cost(const Layer& layer, const LayerPrecision& precision, const HardwareModel& hw,
                     const Format& output_format);

struct NetworkCost {
  std::vector<int> layer_ids;  // MAC layers, in network order
  std::vector<LayerCost> layers;
  LayerCost total;  // sums (utilization over the whole run)
  double area_mm2 = 0;
  double peak_product_cycles = 0;  // sum of cycles x products per cycle, for utilization

  // Appends layer `id`'s cost and adds it to the totals.
  void append(int id, LayerCost&& cost, std::int64_t pes);
};

// Every MAC layer of `net` under `map`, executed one after another.
NetworkCost network_cost(const Network& net, const PrecisionMap& map, const HardwareModel& hw);

// For each MAC layer, the format its output is stored in: the activation format of the first
// MAC layer reading it (through non-MAC ops), else its own activation format.
std::vector<Format> output_formats(const Network& net, const PrecisionMap& map);

}  // namespace mpsim
