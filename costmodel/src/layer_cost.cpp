#include "costmodel/layer_cost.h"

#include <algorithm>
#include <cmath>

#include "formats/error.h"

namespace mpsim {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Ternary/binary and up-to-4-bit integer weights in clusters sharing one scale: inside a
// cluster a dot product needs only additions; one multiply by the scale per cluster.
bool is_cluster_weight(const LayerPrecision& p) {
  if (p.granularity != Granularity::kCluster || p.cluster_size < 1) return false;
  const FormatKind k = p.weight.kind();
  return k == FormatKind::kTernary || k == FormatKind::kBinary ||
         (k == FormatKind::kSignedInt && p.weight.bits() <= 4);
}

}  // namespace

double EnergyBreakdown::total_pj() const {
  double t = mac_pj + register_files_pj + dram_pj + leakage_pj + requantization_pj;
  for (double b : buffer_pj)
    t += b;
  return t;
}

FoldModel systolic_folds(int rows, int cols, std::int64_t spatial_rows, std::int64_t spatial_cols,
                         std::int64_t streamed, std::int64_t fill_drain_per_fold) {
  FoldModel f;
  f.spatial_rows = spatial_rows, f.spatial_cols = spatial_cols, f.streamed = streamed;
  f.fill_drain_per_fold = fill_drain_per_fold;
  f.row_folds = ceil_div(f.spatial_rows, rows);
  f.col_folds = ceil_div(f.spatial_cols, cols);
  return f;
}

FoldModel fold_model(Dataflow df, int rows, int cols, std::int64_t m, std::int64_t n,
                     std::int64_t k) {
  // A matmul of one group: a 1 x 1 convolution with one output row of m columns.
  LayerSchedule s;
  s.m = static_cast<double>(m), s.n = static_cast<double>(n), s.k = static_cast<double>(k);
  s.k_packed = k;
  s.out_cols = s.in_cols = m;
  s.channels = k;
  return dataflow_model(df).folds(s, rows, cols);
}

LayerSchedule layer_schedule(const Layer& layer, const LayerPrecision& prec,
                             const HardwareModel& hw, const Format& output_format) {
  if (!is_mac_op(layer.op))
    throw std::invalid_argument("layer_schedule: '" + layer.name + "' has no MACs");
  const HardwareSpec& spec = hw.spec();
  const auto& pc = hw.pair_for(prec.weight, prec.activation);
  LayerSchedule s;
  s.pair_index = static_cast<int>(&pc - hw.pairs().data());
  s.products_per_cycle = pc.pair.products_per_cycle;

  const GemmView& g = layer.gemm;
  const int rows = spec.array.rows, cols = spec.array.cols;
  s.dataflow = spec.array.dataflow;
  const DataflowModel& model = dataflow_model(s.dataflow);
  s.groups = g.groups;
  s.m = static_cast<double>(g.m), s.n = static_cast<double>(g.n), s.k = static_cast<double>(g.k);
  s.k_packed = ceil_div(g.k, s.products_per_cycle);  // the p products of a PE cycle pack K
  s.out_cols = g.m;
  if (layer.op == Op::kConv2d && layer.output_shape.size() == 4 && layer.output_shape[3] > 0) {
    const Conv2dParams& cv = layer.conv;
    s.filter_rows = cv.kernel_h, s.filter_cols = cv.kernel_w, s.stride = cv.stride_h;
    s.out_cols = layer.output_shape[3];
    s.in_cols = (s.out_cols - 1) * cv.stride_w + (cv.kernel_w - 1) * cv.dilation_w + 1;
  } else {
    s.in_cols = g.m;
  }
  s.out_rows = std::max<std::int64_t>(1, g.m / s.out_cols);
  s.channels = std::max<std::int64_t>(1, g.k / (s.filter_rows * s.filter_cols));
  for (Operand o : {Operand::kWeight, Operand::kInput, Operand::kOutput}) {
    const int r = hw.register_file_for(o);
    if (r >= 0)
      s.rf_entries[static_cast<std::size_t>(o)] =
          spec.register_files[static_cast<std::size_t>(r)].entries;
  }
  const double G = static_cast<double>(g.groups);
  s.w_elems = G * s.k * s.n;  // for a matmul: the second operand
  s.in_elems = layer.op == Op::kConv2d ? static_cast<double>(layer.input_elements) : G * s.m * s.k;
  s.out_elems = G * s.m * s.n;

  s.wb = prec.weight.storage_bits();
  s.ab = prec.activation.storage_bits();
  // The map's accumulator, when it names one, replaces the pair's in the MAC, the partial sums
  // and the requantization alike.
  const Format acc = prec.accumulator ? *prec.accumulator : pc.accumulator;
  s.accb = acc.bits();
  s.mac_pj = hw.mac_pj(s.pair_index, acc);
  s.ob = output_format.storage_bits();

  // An operand is loaded from DRAM once when it fits its share of its buffer.
  auto share_bits = [&](Operand o) -> double {
    const int b = hw.buffer_for(o);
    if (b < 0) return 0;
    const auto& mem = hw.buffers()[static_cast<std::size_t>(b)];
    return static_cast<double>(mem.capacity_bits) / static_cast<double>(mem.holds.size());
  };
  s.weights_resident = s.w_elems * s.wb <= share_bits(Operand::kWeight);
  s.inputs_resident = s.in_elems * s.ab <= share_bits(Operand::kInput);
  s.cycles_per_step = bit_serial_cycles(spec.array.mac, pc.pair);

  s.folds = model.folds(s, rows, cols);

  // Partial sums of one unit stay on chip between its passes. When they do not fit the output
  // buffer's share, a systolic array's controller splits the streamed dimension into chunks
  // that do, as compilers for such arrays do: each chunk repeats every fold's fill and drain
  // and reloads the stationary operand into the array. With ideal memory the schedule stays
  // SCALE-Sim's (one chunk) and the partial sums that do not fit are counted as DRAM traffic
  // instead, as they are for a dataflow that does not chunk.
  const double psum_tile_bits = model.psum_tile_bits(s, rows, cols);
  const double share = share_bits(Operand::kOutput);
  if (psum_tile_bits > share) {
    const double want = share > 0 ? std::ceil(psum_tile_bits / share) : HUGE_VAL;
    if (spec.ideal_memory() || !model.chunks_partial_sums() ||
        want > static_cast<double>(s.folds.streamed)) {
      s.psum_spill = true;
    } else {
      s.chunks = static_cast<std::int64_t>(want);
    }
  }

  if (spec.technology.power_gating) {
    // Banks holding nothing of this layer are gated: a buffer keeps on the banks its operands'
    // data (each at most its share) and the partial sums fill.
    const double footprint[3] = {s.w_elems * s.wb, s.in_elems * s.ab,
                                 std::max(s.out_elems * s.ob, psum_tile_bits)};
    for (std::size_t b = 0; b < hw.buffers().size() && b < kMaxBuffers; ++b) {
      const auto& mem = hw.buffers()[b];
      const double share = static_cast<double>(mem.capacity_bits) / mem.holds.size();
      double used = 0;
      for (Operand o : mem.holds)
        used += std::min(footprint[static_cast<int>(o)], share);
      const int banks = spec.buffers[b].banks;
      const double bank_bits = static_cast<double>(mem.capacity_bits) / banks;
      const double on = std::clamp(std::ceil(used / bank_bits), 1.0, static_cast<double>(banks));
      s.powered_fraction[b] = on / banks;
    }
  }
  if (is_cluster_weight(prec)) {
    s.per_cluster = static_cast<double>(prec.cluster_elements(layer));
    s.scale_multiply_pj = hw.scale_multiply_pj(acc);
  }
  s.requantize = !(output_format == prec.activation);
  if (s.requantize) s.requantize_pj = hw.requantize_pj(acc, output_format);
  return s;
}

void price_layer(LayerCost& c, const LayerSchedule& s, const HardwareModel& hw) {
  const double macs = static_cast<double>(c.macs);
  c.energy = EnergyBreakdown{};
  c.energy.mac_pj = macs * s.mac_pj;
  // Clustered weights pay one scale multiply per cluster of products.
  if (s.per_cluster > 0) {
    c.multiplications_replaced = 1.0 - 1.0 / s.per_cluster;
    c.energy.mac_pj += macs / s.per_cluster * s.scale_multiply_pj;
  }
  // Register-file accesses of b bits in w-bit words cost b/w of a word access.
  const double bits[3] = {s.wb, s.ab, s.accb};
  for (int o = 0; o < 3; ++o) {
    const int r = hw.register_file_for(static_cast<Operand>(o));
    if (r < 0) continue;
    const auto& mem = hw.register_files()[static_cast<std::size_t>(r)];
    const auto& t = c.traffic[static_cast<std::size_t>(o)];
    c.energy.register_files_pj +=
        (t.rf_reads * mem.cost.read_pj + t.rf_writes * mem.cost.write_pj) * bits[o] /
        mem.width_bits;
  }
  double dram_bits = 0;
  for (int o = 0; o < 3; ++o) {
    const auto& t = c.traffic[static_cast<std::size_t>(o)];
    dram_bits += t.dram_bits;
    const int b = hw.buffer_for(static_cast<Operand>(o));
    if (b < 0) continue;
    const auto& mem = hw.buffers()[static_cast<std::size_t>(b)];
    c.energy.buffer_pj[static_cast<std::size_t>(b)] +=
        t.buffer_read_bits / mem.width_bits * mem.cost.read_pj +
        t.buffer_write_bits / mem.width_bits * mem.cost.write_pj;
  }
  c.energy.dram_pj = dram_bits * hw.dram().energy_pj_per_bit;
  c.energy.requantization_pj = static_cast<double>(c.requantizations) * s.requantize_pj;
  c.latency_s = static_cast<double>(c.total_cycles) / hw.clock_hz();
  c.utilization = c.total_cycles > 0 ? macs * static_cast<double>(s.cycles_per_step) /
                                           (static_cast<double>(c.total_cycles) * hw.pes() *
                                            static_cast<double>(s.products_per_cycle))
                                     : 0.0;
  double leakage_mw = hw.logic_leakage_mw();
  for (std::size_t b = 0; b < hw.buffers().size() && b < kMaxBuffers; ++b)
    leakage_mw += hw.buffers()[b].cost.leakage_mw * s.powered_fraction[b];
  c.energy.leakage_pj = leakage_mw * 1e9 * c.latency_s;
}

LayerCost layer_cost_shell(const Layer& layer, const LayerPrecision& prec, const LayerSchedule& s) {
  LayerCost c;
  c.pair_index = s.pair_index;
  c.products_per_cycle = static_cast<int>(s.products_per_cycle);
  c.cycles_per_product = static_cast<int>(s.cycles_per_step);
  c.macs = layer.macs;
  c.bops = layer.macs * prec.weight.bits() * prec.activation.bits();
  c.folds = s.groups * s.folds.folds();
  if (s.requantize) c.requantizations = static_cast<std::int64_t>(s.out_elems);
  return c;
}

WorkUnit group_work(const LayerSchedule& s, const HardwareModel& hw) {
  bool rf_holds[3];
  for (int o = 0; o < 3; ++o)
    rf_holds[o] = hw.register_file_for(static_cast<Operand>(o)) >= 0;
  const DataflowModel& model = dataflow_model(s.dataflow);
  const int rows = hw.spec().array.rows, cols = hw.spec().array.cols;
  WorkUnit sum;
  const std::int64_t units = model.units_per_group(s);
  for (std::int64_t j = 0; j < units; ++j)
    sum.add(unit_events(model.unit(s, j, rows, cols), s, rf_holds));
  return sum;
}

LayerCost layer_cost(const Layer& layer, const LayerPrecision& prec, const HardwareModel& hw,
                     const Format& output_format) {
  const LayerSchedule s = layer_schedule(layer, prec, hw, output_format);
  LayerCost c = layer_cost_shell(layer, prec, s);
  // The dataflow's units of one group; every group repeats them.
  const WorkUnit group = group_work(s, hw);
  const double G = static_cast<double>(s.groups);
  c.compute_cycles = s.groups * group.stream_cycles;
  c.fill_drain_cycles = s.groups * group.fill_drain_cycles;
  for (std::size_t o = 0; o < 3; ++o) {
    const auto& e = group.events[o];
    auto& t = c.traffic[o];
    t.dram_bits = G * e.dram_bits;
    t.buffer_read_bits = G * e.buffer_read_bits;
    t.buffer_write_bits = G * e.buffer_write_bits;
    t.rf_reads = G * e.rf_reads;
    t.rf_writes = G * e.rf_writes;
  }

  // The bandwidth bound: loads overlap compute (double buffering), so the layer waits only for
  // traffic beyond its compute time, plus one access latency.
  const double dram_bits = c.traffic[0].dram_bits + c.traffic[1].dram_bits + c.traffic[2].dram_bits;
  const std::int64_t busy = c.compute_cycles + c.fill_drain_cycles;
  if (!hw.spec().ideal_memory()) {
    const double mem_cycles =
        dram_bits / hw.dram_bits_per_cycle() + hw.dram().latency_ns * 1e-9 * hw.clock_hz();
    c.stall_cycles =
        std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(mem_cycles)) - busy);
  }
  c.total_cycles = busy + c.stall_cycles;
  price_layer(c, s, hw);
  return c;
}

namespace {

// For every node, the activation format of the first MAC layer reading it, looking through
// non-MAC ops (nullptr when none does). Nodes are in topological order, so walking them
// backwards sees every consumer before its producers; the consumer with the smallest id is
// written last, and so wins.
std::vector<const Format*> next_activation_formats(const Network& net, const PrecisionMap& map) {
  std::vector<const Format*> next(net.size(), nullptr);
  for (int id = static_cast<int>(net.size()) - 1; id >= 0; --id) {
    const Layer& l = net.layer(id);
    const Format* f = is_mac_op(l.op) && map.has(id) ? &map.at(id).activation
                                                     : next[static_cast<std::size_t>(id)];
    if (!f) continue;
    for (int in : l.inputs)
      next[static_cast<std::size_t>(in)] = f;
  }
  return next;
}

}  // namespace

std::vector<Format> output_formats(const Network& net, const PrecisionMap& map) {
  const auto next = next_activation_formats(net, map);
  std::vector<Format> out(net.size());
  for (int id : net.mac_layers()) {
    const auto* f = next[static_cast<std::size_t>(id)];
    out[static_cast<std::size_t>(id)] = f ? *f : map.at(id).activation;
  }
  return out;
}

void NetworkCost::append(int id, LayerCost&& c, std::int64_t pes) {
  LayerCost& t = total;
  t.macs += c.macs;
  t.bops += c.bops;
  t.folds += c.folds;
  t.compute_cycles += c.compute_cycles;
  t.fill_drain_cycles += c.fill_drain_cycles;
  t.stall_cycles += c.stall_cycles;
  t.total_cycles += c.total_cycles;
  t.latency_s += c.latency_s;
  t.requantizations += c.requantizations;
  for (std::size_t o = 0; o < 3; ++o) {
    t.traffic[o].dram_bits += c.traffic[o].dram_bits;
    t.traffic[o].buffer_read_bits += c.traffic[o].buffer_read_bits;
    t.traffic[o].buffer_write_bits += c.traffic[o].buffer_write_bits;
    t.traffic[o].rf_reads += c.traffic[o].rf_reads;
    t.traffic[o].rf_writes += c.traffic[o].rf_writes;
  }
  t.energy.mac_pj += c.energy.mac_pj;
  t.energy.register_files_pj += c.energy.register_files_pj;
  for (std::size_t b = 0; b < kMaxBuffers; ++b)
    t.energy.buffer_pj[b] += c.energy.buffer_pj[b];
  t.energy.dram_pj += c.energy.dram_pj;
  t.energy.leakage_pj += c.energy.leakage_pj;
  t.energy.requantization_pj += c.energy.requantization_pj;
  peak_product_cycles +=
      static_cast<double>(c.total_cycles) * c.products_per_cycle / c.cycles_per_product;
  if (peak_product_cycles > 0)
    t.utilization = static_cast<double>(t.macs) / (peak_product_cycles * pes);
  layer_ids.push_back(id);
  layers.push_back(std::move(c));
}

NetworkCost network_cost(const Network& net, const PrecisionMap& map, const HardwareModel& hw) {
  NetworkCost nc;
  nc.area_mm2 = hw.area().total_mm2;
  const auto next = next_activation_formats(net, map);
  nc.layer_ids.reserve(net.size());
  nc.layers.reserve(net.size());
  for (int id = 0; id < static_cast<int>(net.size()); ++id) {
    const Layer& l = net.layer(id);
    if (!is_mac_op(l.op)) continue;
    const LayerPrecision& p = map.at(id);
    const Format* out = next[static_cast<std::size_t>(id)];
    auto cost = [&] {
      try {
        return layer_cost(l, p, hw, out ? *out : p.activation);
      } catch (const UserError& e) {
        throw UserError("layer '" + l.name + "': " + e.what());
      }
    };
    nc.append(id, cost(), hw.pes());
  }
  return nc;
}

}  // namespace mpsim
