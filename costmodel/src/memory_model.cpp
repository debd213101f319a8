// SRAM, register-file and DRAM costs (docs/costmodel.md, "Memories").
#include "costmodel/memory_model.h"

#include <cmath>
#include <iterator>
#include <limits>
#include <string>

#include "costmodel/src/mac_model_blocks.h"
#include "costmodel/src/mac_model_cells.h"
#include "formats/error.h"

namespace mpsim {

namespace {

// --- SRAM ---------------------------------------------------------------------------------------

// CACTI at 45 nm with a 32-bit port, from the sweep in the Bit Fusion repository. The 4 KB row
// was reported as ranges; we use their midpoints.
struct CactiRow {
  double bytes;
  double read_pj;
  double write_pj;
  double area_mm2;
  double leakage_mw;
};
constexpr CactiRow kCacti[] = {
    {128, 0.68, 0.93, 0.0015, 0.25},  {512, 1.06, 2.34, 0.0076, 1.03},
    {1024, 1.13, 3.30, 0.0088, 1.79}, {2048, 1.90, 3.64, 0.0151, 3.23},
    {4096, 3.7, 4.7, 0.0395, 7.75},   {8192, 6.39, 5.56, 0.0575, 13.7},
    {16384, 9.98, 8.42, 0.109, 27.1},
};
constexpr double kCactiPortBits = 32;

// y = k * capacity^alpha, least squares in log-log.
struct PowerLaw {
  double k = 0;
  double alpha = 0;
  double at(double bytes) const { return k * std::pow(bytes, alpha); }
};

template <typename Field>
PowerLaw fit_cacti(Field field) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& r : kCacti) {
    const double x = std::log(r.bytes);
    const double y = std::log(field(r));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double n = std::size(kCacti);
  PowerLaw p;
  p.alpha = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  p.k = std::exp((sy - p.alpha * sx) / n);
  return p;
}

struct SramFit {
  PowerLaw read, write, area_mm2, leakage_mw;
};

const SramFit& sram_fit() {
  static const SramFit f = {
      fit_cacti([](const CactiRow& r) { return r.read_pj; }),
      fit_cacti([](const CactiRow& r) { return r.write_pj; }),
      fit_cacti([](const CactiRow& r) { return r.area_mm2; }),
      fit_cacti([](const CactiRow& r) { return r.leakage_mw; }),
  };
  return f;
}

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
  if (!(v > 0)) throw UserError(std::string(what) + " must be positive, not " + std::to_string(v));
}

}  // namespace

MemoryAccessCost sram_cost(std::int64_t capacity_bytes, int width_bits, int banks,
                           const TechnologyScale& t) {
  check_positive(static_cast<double>(capacity_bytes), "SRAM capacity (bytes)");
  check_positive(width_bits, "SRAM width (bits)");
  check_positive(banks, "SRAM banks");
  const SramFit& f = sram_fit();
  // An access touches one bank; no routing term between banks is modelled.
  const double bank_bytes = static_cast<double>(capacity_bytes) / banks;
  // Energy per access is linear in the port width relative to CACTI's 32 bits: the bitlines,
  // sense amplifiers and output drivers activated scale with the bits read.
  const double width = width_bits / kCactiPortBits;
  MemoryAccessCost c;
  c.read_pj = f.read.at(bank_bytes) * width * t.energy;
  c.write_pj = f.write.at(bank_bytes) * width * t.energy;
  // Area and leakage follow the cells, i.e. the capacity, not the port width.
  c.area_um2 = banks * f.area_mm2.at(bank_bytes) * 1e6 * t.area;
  c.leakage_mw = banks * f.leakage_mw.at(bank_bytes) * t.sram_leakage();
  return c;
}

MemoryAccessCost register_file_cost(std::int64_t entries, int word_bits, const TechnologyScale& t) {
  check_positive(static_cast<double>(entries), "register-file entries");
  check_positive(word_bits, "register-file word width (bits)");
  const Line& l = rf_fit();
  const double n = static_cast<double>(entries);
  const double per_access = (l.intercept + l.slope * n) * word_bits / kRfWordBits;
  MemoryAccessCost c;
  c.read_pj = per_access * t.energy;
  c.write_pj = per_access * t.energy;
  // Small register files are flip-flops plus an n:1 read mux tree (n - 1 two-input muxes per
  // output bit). Larger ones are built as SRAM arrays when that is smaller, as Eyeriss's filter
  // scratchpad is; we only trust the SRAM fit inside its data, i.e. from CACTI's smallest array.
  const double flops45 =
      n * word_bits * cells::kFlipFlopAreaUm2 + word_bits * (n - 1) * blocks::shifter_um2(1, 1);
  const double bytes = n * word_bits / 8.0;
  const SramFit& f = sram_fit();
  const double sram45 = f.area_mm2.at(bytes) * 1e6;
  if (bytes >= kCacti[0].bytes && sram45 < flops45) {
    c.area_um2 = sram45 * t.area;
    c.leakage_mw = f.leakage_mw.at(bytes) * t.sram_leakage();
  } else {
    c.area_um2 = flops45 * t.area;
    c.leakage_mw = flops45 * cells::kLogicLeakageMwPerUm2 * t.logic_leakage();
  }
  return c;
}

DramCost dram_cost(const DramSpec& d) {
  if (d.energy_pj_per_bit < 0 || d.bandwidth_gbytes_per_s < 0 || d.latency_ns < 0)
    throw UserError("DRAM energy, bandwidth and latency must not be negative (0 = default)");
  const DramDefaults def = dram_defaults(d.kind);
  DramCost c;
  c.energy_pj_per_bit = d.energy_pj_per_bit > 0 ? d.energy_pj_per_bit : def.pj_per_bit;
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
