// MAC-unit energy, area and leakage from the blocks of mac_model_blocks.h (docs/costmodel.md,
// "MAC units"). Everything is computed at 45 nm, 0.9 V and then multiplied by the technology
// scale, so every figure keeps its derivation from the published 45 nm points.
#include "costmodel/mac_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "costmodel/src/mac_model_blocks.h"
#include "costmodel/src/mac_model_cells.h"
#include "formats/error.h"

namespace mpsim {

namespace {

using namespace blocks;

// Which multiplier a pair needs: the datapath "class" of docs/costmodel.md.
enum class Family { kInt, kFloat, kSelect };

struct Shape {
  Family family = Family::kInt;
  int bits = 0;          // element bits
  int exp_bits = 0;      // 0 for integers
  double sig_bits = 0;   // significand width entering the multiplier
  bool ternary = false;  // a select operand: ternary (negate or zero) rather than binary
  int block = 1;         // MX block size; 1 for scalar formats
};

Shape shape_of(const Format& f) {
  const Format e = f.is_block() ? f.element_format() : f;
  Shape o;
  o.bits = e.bits();
  o.exp_bits = e.exponent_bits();
  o.block = f.block_size();
  switch (e.kind()) {
    case FormatKind::kBinary:
    case FormatKind::kTernary:
      o.family = Family::kSelect;
      o.ternary = e.kind() == FormatKind::kTernary;
      o.sig_bits = e.bits();
      break;
    case FormatKind::kFloat:
    case FormatKind::kMxFloat:
      o.family = Family::kFloat;
      o.sig_bits = e.mantissa_bits() + 1;  // the hidden bit
      break;
    default:  // signed, unsigned and MX integers: the whole code enters the multiplier
      o.family = Family::kInt;
      o.sig_bits = e.bits();
      break;
  }
  return o;
}

Family family(const Shape& w, const Shape& a) {
  if (w.family == Family::kSelect || a.family == Family::kSelect) return Family::kSelect;
  if (w.family == Family::kFloat || a.family == Family::kFloat) return Family::kFloat;
  return Family::kInt;
}

std::string pair_name(const FormatPair& p) {
  return p.weight.name() + " x " + p.activation.name();
}

void check_accumulator(const Format& acc) {
  const bool scalar_number = acc.kind() == FormatKind::kSignedInt ||
                             acc.kind() == FormatKind::kUnsignedInt ||
                             acc.kind() == FormatKind::kFloat;
  if (!scalar_number)
    throw UserError("MAC accumulator '" + acc.name() +
                    "' must be an integer or floating-point format (e.g. int32, fp32)");
}

// A ternary or binary operand multiplies by conditionally negating and/or zeroing the other
// operand (QTools: mux gates at 0.3 of an adder per select level, binary one level, ternary two).
// Two select operands reduce to an XOR-like gate of one bit.
struct Select {
  double levels = 1;
  double bits = 1;
};
Select select_of(const Shape& w, const Shape& a) {
  Select s;
  if (w.family == Family::kSelect && a.family == Family::kSelect) {
    s.levels = (w.ternary || a.ternary) ? 2 : 1;
    s.bits = 1;
    return s;
  }
  const Shape& sel = w.family == Family::kSelect ? w : a;
  const Shape& other = w.family == Family::kSelect ? a : w;
  s.levels = sel.ternary ? 2 : 1;
  s.bits = other.bits;
  return s;
}
constexpr double kSelectFactorPerLevel = 0.3;  // QTools, multiplier_impl.py (Mux)

// Fixed-point accumulation of a floating-point product (an integer accumulator with float
// operands, as in Dotzel et al.'s FP4 MAC): the exact product of the significands is shifted by
// the exponent sum into the accumulator. The shift spans both exponent fields' ranges; its output
// is at most the accumulator wide.
struct Alignment {
  double width = 0;
  double stages = 0;
};
Alignment alignment_of(const Shape& w, const Shape& a, int acc_bits) {
  auto span = [](const Shape& o) { return o.exp_bits > 0 ? std::ldexp(1.0, o.exp_bits) - 1 : 0; };
  const double positions = span(w) + span(a);
  const double product = w.sig_bits + a.sig_bits;
  Alignment al;
  al.width = std::max(product, std::min(product + positions, static_cast<double>(acc_bits)));
  al.stages = positions > 0 ? std::ceil(std::log2(positions + 1)) : 0;
  return al;
}

// OCP MX: the two E8M0 block scales are combined by one 8-bit exponent add per block, shared by
// the block's products.
constexpr int kMxScaleBits = 8;
double mx_share(const Shape& w, const Shape& a) {
  const int block = std::max(w.block, a.block);
  return block > 1 ? 1.0 / block : 0.0;
}

// One product on its own datapath lane, up to the accumulator's input (45 nm pJ).
double product_pj(const Shape& w, const Shape& a, const Format& acc) {
  double e = 0;
  switch (family(w, a)) {
    case Family::kSelect: {
      const Select s = select_of(w, a);
      e = kSelectFactorPerLevel * s.levels * adder_pj(s.bits);
      break;
    }
    case Family::kInt:
      e = int_mul_pj(w.sig_bits, a.sig_bits);
      break;
    case Family::kFloat: {
      const int exp_bits = std::max(w.exp_bits, a.exp_bits);
      if (acc.is_float()) {
        e = fp_mul_pj(exp_bits, w.sig_bits, a.sig_bits);
      } else {
        const Alignment al = alignment_of(w, a, acc.bits());
        e = int_mul_pj(w.sig_bits, a.sig_bits) + adder_pj(exp_bits) +
            shifter_pj(al.width, al.stages);
      }
      break;
    }
  }
  return e + mx_share(w, a) * adder_pj(kMxScaleBits);
}

double product_um2(const Shape& w, const Shape& a, const Format& acc) {
  double area = 0;
  switch (family(w, a)) {
    case Family::kSelect: {
      const Select s = select_of(w, a);
      area = shifter_um2(s.bits, s.levels);  // one 2:1 mux per bit per level
      break;
    }
    case Family::kInt:
      area = int_mul_um2(w.sig_bits, a.sig_bits);
      break;
    case Family::kFloat: {
      const int exp_bits = std::max(w.exp_bits, a.exp_bits);
      if (acc.is_float()) {
        area = fp_mul_um2(exp_bits, w.sig_bits, a.sig_bits);
      } else {
        const Alignment al = alignment_of(w, a, acc.bits());
        area = int_mul_um2(w.sig_bits, a.sig_bits) + adder_um2(exp_bits) +
               shifter_um2(al.width, al.stages);
      }
      break;
    }
  }
  if (mx_share(w, a) > 0) area += adder_um2(kMxScaleBits);
  return area;
}

double accumulate_pj45(const Format& acc) {
  check_accumulator(acc);
  if (acc.is_float()) return fp_add_pj(acc.exponent_bits(), acc.mantissa_bits() + 1);
  return adder_pj(acc.bits());
}

double accumulator_um2(const Format& acc) {
  check_accumulator(acc);
  const double adder = acc.is_float() ? fp_add_um2(acc.exponent_bits(), acc.mantissa_bits() + 1)
                                      : adder_um2(acc.bits());
  return adder + register_um2(acc.bits());
}

// --- Bit Fusion -------------------------------------------------------------------------------

// A fusion unit's operand precision: bricks are 2 bits, fused in powers of two.
int brick_precision(const Format& f, const FormatPair& pair) {
  const Shape o = shape_of(f);
  if (o.family == Family::kFloat)
    throw UserError("a fusion (Bit Fusion) MAC unit is integer-only; the pair " + pair_name(pair) +
                    " has a floating-point operand (use a multiformat unit)");
  int p = 2;
  while (p < o.bits)
    p *= 2;
  return p;
}

int fusion_max_bits(const MacUnitSpec& unit, const FormatPair& pair) {
  int p = std::max(brick_precision(pair.weight, pair), brick_precision(pair.activation, pair));
  for (const auto& q : unit.pairs)
    p = std::max({p, brick_precision(q.weight, q), brick_precision(q.activation, q)});
  return p;
}

// Bit Fusion's synthesis (45 nm, 500 MHz): fusion PE versus the fixed PE of the same maximum
// precision. Between 8 and 16 bits we interpolate in log2(p_max); outside we hold the nearest.
double fusion_ratio(int p_max, double at8, double at16) {
  const double t = std::clamp(std::log2(static_cast<double>(p_max)) - 3.0, 0.0, 1.0);
  return at8 * std::pow(at16 / at8, t);
}
double fusion_power_ratio(int p_max) {
  return fusion_ratio(p_max, 344.3 / 171.8, 1440.4 / 542.7);
}
double fusion_area_ratio(int p_max) {
  return fusion_ratio(p_max, 1733.0 / 688.0, 7492.0 / 2203.0);
}

// The fixed p_max x p_max integer MAC the fusion unit is compared with.
double fixed_int_mac_pj45(int p_max, const Format& acc) {
  return int_mul_pj(p_max, p_max) + accumulate_pj45(acc);
}

// --- whole units at 45 nm ----------------------------------------------------------------------

void check_pair(const FormatPair& p) {
  if (p.products_per_cycle < 1)
    throw UserError("MAC pair " + pair_name(p) + " needs products_per_cycle >= 1, not " +
                    std::to_string(p.products_per_cycle));
}

double mac_pj45(const MacUnitSpec& unit, const FormatPair& pair) {
  check_pair(pair);
  const Format& acc = unit.accumulator;
  switch (unit.kind) {
    case MacUnitKind::kFusion: {
      // A fusion PE burns about the same power in every mode (Bit Fusion's synthesis): the
      // cycle costs the fixed p_max MAC times the fusion/fixed power ratio, shared by the
      // products completed in that cycle.
      const int p_max = fusion_max_bits(unit, pair);
      return fusion_power_ratio(p_max) * fixed_int_mac_pj45(p_max, acc) / pair.products_per_cycle;
    }
    case MacUnitKind::kFixed:
    case MacUnitKind::kMultiFormat:
      // Each product pays its own lane (sub-word lanes of a partitioned datapath: the idle
      // partial products see constant zeros and do not switch) and one accumulate.
      return product_pj(shape_of(pair.weight), shape_of(pair.activation), acc) +
             accumulate_pj45(acc);
  }
  return 0;
}

// The datapath area one pair needs: its lanes (one per product per cycle).
double lanes_um2(const FormatPair& p, const Format& acc) {
  check_pair(p);
  return p.products_per_cycle * product_um2(shape_of(p.weight), shape_of(p.activation), acc);
}

double unit_um2_45(const MacUnitSpec& unit) {
  const Format& acc = unit.accumulator;
  switch (unit.kind) {
    case MacUnitKind::kFusion: {
      if (unit.pairs.empty()) return accumulator_um2(acc);
      const int p_max = fusion_max_bits(unit, unit.pairs.front());
      return fusion_area_ratio(p_max) * (int_mul_um2(p_max, p_max) + accumulator_um2(acc));
    }
    case MacUnitKind::kFixed: {
      // One datapath, as large as its most demanding pair.
      double dp = 0;
      for (const auto& p : unit.pairs)
        dp = std::max(dp, lanes_um2(p, acc));
      return dp + accumulator_um2(acc);
    }
    case MacUnitKind::kMultiFormat: {
      // One datapath per class (integer, floating point, select), each sized for the most
      // demanding pair of its class; one shared accumulator.
      std::map<Family, double> dp;
      for (const auto& p : unit.pairs) {
        const Family f = family(shape_of(p.weight), shape_of(p.activation));
        dp[f] = std::max(dp[f], lanes_um2(p, acc));
      }
      double sum = accumulator_um2(acc);
      for (const auto& [f, a] : dp)
        sum += a;
      return sum;
    }
  }
  return 0;
}

}  // namespace

double mac_energy_pj(const MacUnitSpec& unit, const FormatPair& pair, const TechnologyScale& t) {
  return mac_pj45(unit, pair) * t.energy;
}

double multiplier_energy_pj(const Format& a, const Format& b, const TechnologyScale& t) {
  const Shape x = shape_of(a);
  const Shape y = shape_of(b);
  double e = 0;
  switch (family(x, y)) {
    case Family::kSelect: {
      const Select s = select_of(x, y);
      e = kSelectFactorPerLevel * s.levels * adder_pj(s.bits);
      break;
    }
    case Family::kInt:
      e = int_mul_pj(x.sig_bits, y.sig_bits);
      break;
    case Family::kFloat:
      e = fp_mul_pj(std::max(x.exp_bits, y.exp_bits), x.sig_bits, y.sig_bits);
      break;
  }
  return e * t.energy;
}

double accumulate_energy_pj(const Format& accumulator, const TechnologyScale& t) {
  return accumulate_pj45(accumulator) * t.energy;
}

double requantize_energy_pj(const Format& accumulator, const Format& to, const TechnologyScale& t) {
  check_accumulator(accumulator);
  double e = 0;
  if (accumulator.is_float()) {
    // An fp32 multiply by the scale, then rounding/clamping into `to`: an add at its width.
    e = fp_mul_pj(8, 24, 24) + adder_pj(to.bits());
  } else {
    // Accumulator x 16-bit fixed-point scale, then a rounding add at the accumulator's width
    // (clamping to `to` is a comparison folded into it).
    e = int_mul_pj(accumulator.bits(), 16) + adder_pj(accumulator.bits());
  }
  return e * t.energy;
}

double mac_unit_area_um2(const MacUnitSpec& unit, const TechnologyScale& t) {
  return unit_um2_45(unit) * t.area;
}

double mac_unit_leakage_mw(const MacUnitSpec& unit, const TechnologyScale& t) {
  return unit_um2_45(unit) * cells::kLogicLeakageMwPerUm2 * t.leakage;
}

int fusion_products_per_cycle(const MacUnitSpec& unit, const FormatPair& pair) {
  const int p_max = fusion_max_bits(unit, pair);
  return (p_max / brick_precision(pair.weight, pair)) *
         (p_max / brick_precision(pair.activation, pair));
}

}  // namespace mpsim
