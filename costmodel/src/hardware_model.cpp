#include "costmodel/hardware_model.h"

#include <algorithm>
#include <limits>

#include "formats/error.h"

namespace mpsim {

namespace {

bool same_family(const Format& a, const Format& b) {
  return a.is_float() == b.is_float();
}

}  // namespace

HardwareModel::HardwareModel(HardwareSpec spec) : spec_(std::move(spec)) {
  scale_ = technology_scale(spec_.technology);
  const MacUnitSpec& mac = spec_.array.mac;
  for (const auto& p : mac.pairs)
    pairs_.push_back({p, mac_energy_pj(mac, p, scale_), mac.accumulator_of(p)});

  for (const auto& rf : spec_.register_files) {
    Memory m{rf.name, rf.holds, rf.entries * rf.word_bits, rf.word_bits,
             register_file_cost(rf.entries, rf.word_bits, scale_)};
    for (Operand o : rf.holds)
      if (rf_for_[static_cast<int>(o)] < 0)
        rf_for_[static_cast<int>(o)] = static_cast<int>(register_files_.size());
    register_files_.push_back(std::move(m));
  }
  if (spec_.buffers.size() > static_cast<std::size_t>(4))
    throw UserError(spec_.source + ": at most 4 buffers are supported, found " +
                    std::to_string(spec_.buffers.size()));
  for (const auto& b : spec_.buffers) {
    Memory m{b.name, b.holds, b.capacity_bytes * 8, b.width_bits,
             sram_cost(b.capacity_bytes, b.width_bits, b.banks, scale_, b.distributed)};
    for (Operand o : b.holds)
      if (buffer_for_[static_cast<int>(o)] < 0)
        buffer_for_[static_cast<int>(o)] = static_cast<int>(buffers_.size());
    buffers_.push_back(std::move(m));
  }

  dram_ = dram_cost(spec_.dram);
  dram_bits_per_cycle_ = spec_.ideal_memory() ? std::numeric_limits<double>::infinity()
                                              : dram_.bandwidth_gbytes_per_s * 8e9 / clock_hz();

  const double pes_d = pes();
  area_.mac_units_mm2 = pes_d * mac_unit_area_um2(mac, scale_) * 1e-6;
  double rf_area_um2 = 0, rf_leak = 0;
  for (const auto& rf : register_files_) {
    rf_area_um2 += rf.cost.area_um2;
    rf_leak += rf.cost.leakage_mw;
  }
  area_.register_files_mm2 = pes_d * rf_area_um2 * 1e-6;
  area_.total_mm2 = area_.mac_units_mm2 + area_.register_files_mm2;
  double buffer_leak = 0;
  for (const auto& b : buffers_) {
    area_.buffers_mm2.emplace_back(b.name, b.cost.area_um2 * 1e-6);
    area_.total_mm2 += b.cost.area_um2 * 1e-6;
    buffer_leak += b.cost.leakage_mw;
  }
  logic_leakage_mw_ = pes_d * (mac_unit_leakage_mw(mac, scale_) + rf_leak);
  leakage_mw_ = logic_leakage_mw_ + buffer_leak;
}

const HardwareModel::PairCost& HardwareModel::pair_for(const Format& w, const Format& a) const {
  // Widths first: they rule out most pairs without comparing names.
  for (const auto& p : pairs_)
    if (p.pair.weight.bits() == w.bits() && p.pair.activation.bits() == a.bits() &&
        p.pair.weight == w && p.pair.activation == a)
      return p;
  if (spec_.array.mac.fallback_to_wider) {
    // The cheapest pair at least as wide in both operands, preferring the same number family.
    const PairCost* best = nullptr;
    for (int pass = 0; pass < 2 && !best; ++pass) {
      for (const auto& p : pairs_) {
        if (p.pair.weight.bits() < w.bits() || p.pair.activation.bits() < a.bits()) continue;
        if (pass == 0 && !(same_family(p.pair.weight, w) && same_family(p.pair.activation, a)))
          continue;
        if (!best ||
            p.mac_pj / p.pair.products_per_cycle < best->mac_pj / best->pair.products_per_cycle)
          best = &p;
      }
    }
    if (best) return *best;
  }
  throw UserError(spec_.name + ": the array does not run " + w.name() + " weights x " + a.name() +
                  " activations; it supports " + supported_pairs_text() +
                  (spec_.array.mac.fallback_to_wider
                       ? " (none at least as wide)"
                       : " (set array.mac.fallback_to_wider = true to run on a wider pair)"));
}

std::string HardwareModel::supported_pairs_text() const {
  std::vector<std::string> parts;
  for (const auto& p : pairs_)
    parts.push_back(p.pair.weight.name() + " x " + p.pair.activation.name() + " (" +
                    std::to_string(p.pair.products_per_cycle) + "/cycle)");
  return join(parts);
}

double HardwareModel::mac_pj(int index, const Format& accumulator) const {
  const PairCost& pc = pairs_.at(static_cast<std::size_t>(index));
  if (accumulator == pc.accumulator) return pc.mac_pj;
  FormatPair p = pc.pair;
  p.accumulator = accumulator;
  return mac_energy_pj(spec_.array.mac, p, scale_);
}

double HardwareModel::scale_multiply_pj(const Format& accumulator) const {
  return multiplier_energy_pj(accumulator, Format::parse("int16"), scale_);
}

double HardwareModel::requantize_pj(const Format& accumulator, const Format& to) const {
  return requantize_energy_pj(accumulator, to, scale_);
}

}  // namespace mpsim
