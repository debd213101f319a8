#include "costmodel/layer_cost.h"

#include <algorithm>
#include <cmath>

#include "formats/error.h"

namespace mpsim {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

int idx(Operand o) {
  return static_cast<int>(o);
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

FoldModel fold_model(Dataflow df, int rows, int cols, std::int64_t m, std::int64_t n,
                     std::int64_t k) {
  FoldModel f;
  switch (df) {
    case Dataflow::kWeightStationary:
      f.spatial_rows = k, f.spatial_cols = n, f.streamed = m;
      f.fill_drain_per_fold = 2LL * rows + cols - 2;
      break;
    case Dataflow::kOutputStationary:
      f.spatial_rows = m, f.spatial_cols = n, f.streamed = k;
      f.fill_drain_per_fold = static_cast<std::int64_t>(rows) + cols - 2;
      break;
    case Dataflow::kInputStationary:
      f.spatial_rows = k, f.spatial_cols = m, f.streamed = n;
      f.fill_drain_per_fold = 2LL * rows + cols - 2;
      break;
  }
  f.row_folds = ceil_div(f.spatial_rows, rows);
  f.col_folds = ceil_div(f.spatial_cols, cols);
  return f;
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

  // Cycles: SCALE-Sim's model with the p products a PE does per cycle packed along K.
  const GemmView& g = layer.gemm;
  const int cols = spec.array.cols;
  const Dataflow df = spec.array.dataflow;
  s.folds = fold_model(df, spec.array.rows, cols, g.m, g.n, ceil_div(g.k, s.products_per_cycle));
  s.groups = g.groups;
  s.m = static_cast<double>(g.m), s.n = static_cast<double>(g.n), s.k = static_cast<double>(g.k);
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

  // Partial sums of one column fold stay on chip between row folds. When they do not fit the
  // output buffer's share, the controller splits the streamed dimension into chunks that do, as
  // compilers for such arrays do: each chunk repeats every fold's fill and drain and reloads
  // the stationary operand into the array. With ideal memory the schedule stays SCALE-Sim's
  // (one chunk) and the partial sums that do not fit are counted as DRAM traffic instead.
  const bool psums_read_back = df != Dataflow::kOutputStationary && s.folds.row_folds > 1;
  const double psum_tile_bits =
      (df == Dataflow::kInputStationary ? std::min<double>(s.m, cols) * s.n
                                        : s.m * std::min<double>(s.n, cols)) *
      s.accb;
  const double share = share_bits(Operand::kOutput);
  if (psums_read_back && psum_tile_bits > share) {
    const double want = share > 0 ? std::ceil(psum_tile_bits / share) : HUGE_VAL;
    if (spec.ideal_memory() || want > static_cast<double>(s.folds.streamed)) {
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

LayerCost layer_cost(const Layer& layer, const LayerPrecision& prec, const HardwareModel& hw,
                     const Format& output_format) {
  const LayerSchedule s = layer_schedule(layer, prec, hw, output_format);
  const Dataflow df = hw.spec().array.dataflow;
  LayerCost c;
  c.pair_index = s.pair_index;
  c.products_per_cycle = static_cast<int>(s.products_per_cycle);
  c.cycles_per_product = static_cast<int>(s.cycles_per_step);
  c.macs = layer.macs;
  c.bops = layer.macs * prec.weight.bits() * prec.activation.bits();
  const FoldModel& f = s.folds;
  c.folds = s.groups * f.folds();
  // A bit-serial PE takes cycles_per_step cycles for every step of the array's schedule.
  c.compute_cycles = c.folds * f.streamed * s.cycles_per_step;
  c.fill_drain_cycles = c.folds * f.fill_drain_per_fold * s.chunks * s.cycles_per_step;

  // Buffer reads into the array, by dataflow (elements, all groups), and partial sums.
  const double G = static_cast<double>(s.groups), m = s.m, n = s.n, k = s.k;
  const double rf = static_cast<double>(f.row_folds), cf = static_cast<double>(f.col_folds);
  const double chunks = static_cast<double>(s.chunks);
  double w_reads = 0, in_reads = 0, psum_writes = 0, psum_reads = 0;
  double w_reuse = 1, in_reuse = 1;  // how often the array re-reads the whole operand
  switch (df) {
    case Dataflow::kWeightStationary:
      w_reads = s.w_elems * chunks, w_reuse = chunks;
      in_reads = G * cf * m * k, in_reuse = cf;
      psum_writes = G * rf * m * n, psum_reads = G * (rf - 1) * m * n;
      break;
    case Dataflow::kOutputStationary:
      in_reads = G * cf * m * k, in_reuse = cf;
      w_reads = G * rf * n * k, w_reuse = rf;
      psum_writes = s.out_elems;
      break;
    case Dataflow::kInputStationary:
      in_reads = G * m * k * chunks, in_reuse = chunks;
      w_reads = G * cf * n * k, w_reuse = cf;
      psum_writes = G * rf * m * n, psum_reads = G * (rf - 1) * m * n;
      break;
  }
  auto& tw = c.traffic[idx(Operand::kWeight)];
  auto& ti = c.traffic[idx(Operand::kInput)];
  auto& to = c.traffic[idx(Operand::kOutput)];
  tw.dram_bits = s.w_elems * s.wb * (s.weights_resident ? 1.0 : w_reuse);
  ti.dram_bits = s.in_elems * s.ab * (s.inputs_resident ? 1.0 : in_reuse);
  to.dram_bits = s.out_elems * s.ob + (s.psum_spill ? 2.0 * psum_reads * s.accb : 0.0);
  tw.buffer_read_bits = w_reads * s.wb;
  tw.buffer_write_bits = tw.dram_bits;
  ti.buffer_read_bits = in_reads * s.ab;
  ti.buffer_write_bits = ti.dram_bits;
  // Partial sums at accumulator width; the last pass writes the output format, which is then
  // read once more to go to DRAM.
  to.buffer_write_bits = (psum_writes - s.out_elems) * s.accb + s.out_elems * s.ob;
  to.buffer_read_bits = psum_reads * s.accb + s.out_elems * s.ob;
  // Register files in the PEs: the weight and input operands are read once per product and
  // written once per value loaded into the array; partial sums are read and written once per PE
  // cycle (a PE sums its p products inside).
  const double macs = static_cast<double>(layer.macs);
  const double pe_cycles = macs / static_cast<double>(s.products_per_cycle);
  tw.rf_reads = macs, tw.rf_writes = w_reads;
  ti.rf_reads = macs, ti.rf_writes = in_reads;
  to.rf_reads = pe_cycles, to.rf_writes = pe_cycles;
  for (int o = 0; o < 3; ++o)
    if (hw.register_file_for(static_cast<Operand>(o)) < 0)
      c.traffic[static_cast<std::size_t>(o)].rf_reads =
          c.traffic[static_cast<std::size_t>(o)].rf_writes = 0;
  if (s.requantize) c.requantizations = static_cast<std::int64_t>(s.out_elems);

  // The bandwidth bound: loads overlap compute (double buffering), so the layer waits only for
  // traffic beyond its compute time, plus one access latency.
  const double dram_bits = tw.dram_bits + ti.dram_bits + to.dram_bits;
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

void NetworkCost::append(int id, LayerCost&& c, int pes) {
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
