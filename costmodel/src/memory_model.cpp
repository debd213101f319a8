// SRAM, register-file and DRAM costs (docs/costmodel.md, "Memories").
#include "costmodel/memory_model.h"

#include <cmath>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "costmodel/src/cacti_table.h"
#include "costmodel/src/mac_model_blocks.h"
#include "costmodel/src/mac_model_cells.h"
#include "formats/error.h"

namespace mpsim {

namespace {

// --- SRAM ---------------------------------------------------------------------------------------

// One figure of a one-bank array, interpolated in our CACTI table: for each port width, straight
// lines in log(figure) against log(bytes) (the end segments extended beyond the table); between
// widths, straight in log(width) (the two widest or narrowest extended).
double interpolate(double x, double x0, double y0, double x1, double y1) {
  const double t = std::log(x / x0) / std::log(x1 / x0);
  return y0 * std::pow(y1 / y0, t);
}

template <typename Field>
double at_width(double bytes, double port_bits, Field field) {
  const auto& rows = cacti::sram_45nm();
  std::vector<const cacti::SramRow*> column;
  for (const auto& r : rows)
    if (r.port_bits == port_bits) column.push_back(&r);
  std::size_t hi = 1;
  while (hi + 1 < column.size() && column[hi]->bytes < bytes)
    ++hi;
  const auto* a = column[hi - 1];
  const auto* b = column[hi];
  return interpolate(bytes, a->bytes, field(*a), b->bytes, field(*b));
}

template <typename Field>
double cacti_figure(double bytes, double port_bits, Field field) {
  static const double widths[] = {32, 64, 128, 256, 512};
  std::size_t hi = 1;
  while (hi + 1 < std::size(widths) && widths[hi] < port_bits)
    ++hi;
  const double w0 = widths[hi - 1], w1 = widths[hi];
  return interpolate(port_bits, w0, at_width(bytes, w0, field), w1, at_width(bytes, w1, field));
}

// Between banks, an access crosses the array on repeated global wires: CACTI's Global_30 wire at
// 45 nm switches 0.249 pJ per bit per mm at 1.0 V (our run, "Wire Properties"), 0.2017 pJ at
// the model's 0.9 V, over about the side of the whole array, sqrt(area) (an H-tree from the port
// to a bank). A one-bank array's own H-tree is inside CACTI's figure.
constexpr double kWirePjPerBitMm = 0.249 * (0.9 / 1.0) * (0.9 / 1.0);

// CACTI's itrs-hp devices at 45 nm run at 1.0 V; the model's base is Horowitz's 0.9 V, so the
// table's energies scale as V^2 and its leakage linearly (the rules of technology.cpp).
constexpr double kCactiEnergyTo09V = (0.9 / 1.0) * (0.9 / 1.0);
constexpr double kCactiLeakageTo09V = 0.9 / 1.0;

// --- register files
// -------------------------------------------------------------------------------

// Timeloop/Accelergy 45 nm Eyeriss-like reference run: 16-bit register files of 12, 16 and 192
// entries at 0.24, 0.25 and 1.59 pJ per access. Linear in entries (a read mux tree and write
// decode growing with the entries, plus a fixed port cost), least squares.
struct RfPoint {
  double entries;
  double pj;
};
constexpr RfPoint kRf[] = {{12, 0.24}, {16, 0.25}, {192, 1.59}};
constexpr double kRfWordBits = 16;

struct Line {
  double slope = 0;
  double intercept = 0;
};

const Line& rf_fit() {
  static const Line line = [] {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& p : kRf) {
      sx += p.entries;
      sy += p.pj;
      sxx += p.entries * p.entries;
      sxy += p.entries * p.pj;
    }
    const double n = std::size(kRf);
    Line l;
    l.slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    l.intercept = (sy - l.slope * sx) / n;
    return l;
  }();
  return line;
}

// --- DRAM
// ------------------------------------------------------------------------------------------

struct DramDefaults {
  double pj_per_bit;
  double gbytes_per_s;
  double latency_ns;
};

// Peak bandwidth of a JEDEC part: transfer rate (MT/s) times bus width.
constexpr double peak_gbytes_per_s(double mega_transfers, double bus_bits) {
  return mega_transfers * bus_bits / 8.0 / 1000.0;
}

// Energies: LPDDR4 from Accelergy's DRAM table; HBM2 from O'Connor et al. (MICRO 2017). DDR4,
// LPDDR5 and HBM3 are our estimates scaled from cited figures by supply or vendor ratios (the
// doc gives each derivation). Latency: a typical loaded DRAM access, our assumption.
constexpr double kLpddr4PjPerBit = 8.0;
constexpr double kHbm2PjPerBit = 3.97;
constexpr double kDramLatencyNs = 100.0;

DramDefaults dram_defaults(DramKind k) {
  switch (k) {
    case DramKind::kLPDDR4:
      return {kLpddr4PjPerBit, peak_gbytes_per_s(3200, 32), kDramLatencyNs};
    case DramKind::kLPDDR5:
      // Samsung's LPDDR5 announcement: up to 30% less power than LPDDR4X (vendor claim).
      return {kLpddr4PjPerBit * 0.7, peak_gbytes_per_s(6400, 32), kDramLatencyNs};
    case DramKind::kDDR4:
      // Horowitz's 20 pJ/bit DDR3-generation access at 1.5 V, scaled to DDR4's 1.2 V as V^2.
      return {20.0 * (1.2 / 1.5) * (1.2 / 1.5), peak_gbytes_per_s(3200, 64), kDramLatencyNs};
    case DramKind::kHBM2:
      return {kHbm2PjPerBit, peak_gbytes_per_s(2000, 1024), kDramLatencyNs};
    case DramKind::kHBM3:
      // JESD238 lowers the core supply from HBM2's 1.2 V to 1.1 V: O'Connor's figure as V^2.
      return {kHbm2PjPerBit * (1.1 / 1.2) * (1.1 / 1.2), peak_gbytes_per_s(6400, 1024),
              kDramLatencyNs};
    case DramKind::kIdeal:
      // SCALE-Sim's CALC mode: no bandwidth limit, no latency. Energy is still counted at the
      // LPDDR4 rate so that ideal-memory runs stay comparable with real ones.
      return {kLpddr4PjPerBit, std::numeric_limits<double>::infinity(), 0.0};
  }
  return {kLpddr4PjPerBit, peak_gbytes_per_s(3200, 32), kDramLatencyNs};
}

void check_positive(double v, const char* what) {
  if (!(v > 0)) throw UserError(std::string(what) + " must be positive, not " + number_text(v));
}

}  // namespace

MemoryAccessCost sram_cost(std::int64_t capacity_bytes, int width_bits, int banks,
                           const TechnologyScale& t, bool distributed) {
  check_positive(static_cast<double>(capacity_bytes), "SRAM capacity (bytes)");
  check_positive(width_bits, "SRAM width (bits)");
  check_positive(banks, "SRAM banks");
  const double bank_bytes = static_cast<double>(capacity_bytes) / banks;
  const double w = width_bits;
  MemoryAccessCost c;
  c.read_pj = cacti_figure(bank_bytes, w, [](const cacti::SramRow& r) { return r.read_pj; });
  c.write_pj = cacti_figure(bank_bytes, w, [](const cacti::SramRow& r) { return r.write_pj; });
  const double bank_mm2 =
      cacti_figure(bank_bytes, w, [](const cacti::SramRow& r) { return r.area_mm2; });
  c.area_um2 = banks * bank_mm2 * 1e6 * t.area;
  c.leakage_mw = banks *
                 cacti_figure(bank_bytes, w, [](const cacti::SramRow& r) { return r.leakage_mw; }) *
                 kCactiLeakageTo09V * t.sram_leakage();
  c.read_pj *= kCactiEnergyTo09V * t.energy;
  c.write_pj *= kCactiEnergyTo09V * t.energy;
  if (banks > 1 && !distributed) {
    // The wires shrink with the layout and switch with the supply squared.
    const double side_mm = std::sqrt(banks * bank_mm2 * t.area);
    const double route = w * kWirePjPerBitMm * side_mm * t.wire_energy;
    c.read_pj += route;
    c.write_pj += route;
  }
  return c;
}

MemoryAccessCost register_file_cost(std::int64_t entries, int word_bits, const TechnologyScale& t) {
  check_positive(static_cast<double>(entries), "register-file entries");
  check_positive(word_bits, "register-file word width (bits)");
  const Line& l = rf_fit();
  const double n = static_cast<double>(entries);
  const double bytes = n * word_bits / 8.0;
  // Small register files are flip-flops plus an n:1 read mux tree (n - 1 two-input muxes per
  // output bit), priced by the line through Accelergy's files. Larger ones are built as SRAM
  // arrays when that is smaller, as Eyeriss's filter scratchpad is, from CACTI's smallest array
  // (128 B) up, and then cost what an SRAM of their size and word costs: one curve for register
  // files and buffers.
  const double flops45 =
      n * word_bits * cells::kFlipFlopAreaUm2 + word_bits * (n - 1) * blocks::shifter_um2(1, 1);
  const double sram45 =
      cacti_figure(bytes, word_bits, [](const cacti::SramRow& r) { return r.area_mm2; }) * 1e6;
  MemoryAccessCost c;
  if (bytes >= cacti::sram_45nm().front().bytes && sram45 < flops45) {
    c = sram_cost(static_cast<std::int64_t>(std::ceil(bytes)), word_bits, 1, t);
    return c;
  }
  const double per_access = (l.intercept + l.slope * n) * word_bits / kRfWordBits;
  c.read_pj = per_access * t.energy;
  c.write_pj = per_access * t.energy;
  c.area_um2 = flops45 * t.area;
  c.leakage_mw = flops45 * cells::kLogicLeakageMwPerUm2 * t.logic_leakage();
  return c;
}

DramCost dram_cost(const DramSpec& d) {
  if (d.energy_pj_per_bit < 0 || d.bandwidth_gbytes_per_s < 0 || d.latency_ns < 0)
    throw UserError("DRAM energy, bandwidth and latency must not be negative (0 = default)");
  const DramDefaults def = dram_defaults(d.kind);
  DramCost c;
  c.energy_pj_per_bit = d.energy_pj_per_bit > 0 ? d.energy_pj_per_bit : def.pj_per_bit;
  c.energy_estimated =
      d.energy_pj_per_bit == 0 &&
      (d.kind == DramKind::kLPDDR5 || d.kind == DramKind::kDDR4 || d.kind == DramKind::kHBM3);
  if (d.kind == DramKind::kIdeal) {
    // Ideal means unlimited: a bandwidth or latency in the spec cannot apply.
    c.bandwidth_gbytes_per_s = def.gbytes_per_s;
    c.latency_ns = def.latency_ns;
  } else {
    c.bandwidth_gbytes_per_s =
        d.bandwidth_gbytes_per_s > 0 ? d.bandwidth_gbytes_per_s : def.gbytes_per_s;
    c.latency_ns = d.latency_ns > 0 ? d.latency_ns : def.latency_ns;
  }
  return c;
}

}  // namespace mpsim
