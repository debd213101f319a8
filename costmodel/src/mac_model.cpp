// MAC-unit energy, area and leakage from the blocks of mac_model_blocks.h (docs/costmodel.md,
// "MAC units"). Everything is computed at 45 nm, 0.9 V and then multiplied by the technology
// scale, so every figure keeps its derivation from the published 45 nm points.
//
// A product travels: its lane (multiplier, exponent adder, alignment), the adder tree that sums
// the products a PE completes together (the p products of one cycle, or an MX block of 32), and
// one accumulate per tree result. Energies below are per product; per-event costs are divided
// by the products that share the event.
#include "costmodel/mac_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "costmodel/accumulator.h"
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

void check_pair(const FormatPair& p) {
  if (p.products_per_cycle < 1)
    throw UserError("MAC pair " + pair_name(p) + " needs products_per_cycle >= 1, not " +
                    std::to_string(p.products_per_cycle));
}

double ceil_log2(double n) {
  return n > 1 ? std::ceil(std::log2(n)) : 0;
}

// Energy (45 nm pJ) and area (45 nm um^2) of one block of logic.
struct Cost {
  double pj = 0;
  double um2 = 0;
  Cost& operator+=(const Cost& o) {
    pj += o.pj, um2 += o.um2;
    return *this;
  }
};
Cost operator+(Cost a, const Cost& b) {
  return a += b;
}
Cost operator*(double k, const Cost& c) {
  return {k * c.pj, k * c.um2};
}

Cost adder(double bits) {
  return {adder_pj(bits), adder_um2(bits)};
}
Cost shifter(double width, double stages) {
  return {shifter_pj(width, stages), shifter_um2(width, stages)};
}
Cost int_multiplier(double bw, double ba) {
  return {int_mul_pj(bw, ba), int_mul_um2(bw, ba)};
}

// Summing n numbers of `bits` bits as a multiplier sums its partial products: a carry-save tree
// whose full adders each remove one input bit (one adder bit per bit: (n - 1) * bits), then one
// carry-propagate adder of the result's width. Returned per tree (all n numbers).
Cost adder_tree(double n, double bits) {
  if (n <= 1) return {};
  const double removed = (n - 1) * bits;
  return Cost{calibration().add_p * removed, calibration().add_um2 * removed} +
         adder(bits + ceil_log2(n));
}

// A ternary or binary operand multiplies by conditionally negating and/or zeroing the other
// operand (QTools: mux gates at 0.3 of an adder per select level, binary one level, ternary two).
// Two select operands reduce to an XOR-like gate of one bit.
constexpr double kSelectFactorPerLevel = 0.3;  // QTools, multiplier_impl.py (Mux)
Cost select_lane(const Shape& w, const Shape& a) {
  double levels = 1, bits = 1;
  if (w.family == Family::kSelect && a.family == Family::kSelect) {
    levels = (w.ternary || a.ternary) ? 2 : 1;
  } else {
    const Shape& sel = w.family == Family::kSelect ? w : a;
    const Shape& other = w.family == Family::kSelect ? a : w;
    levels = sel.ternary ? 2 : 1;
    bits = other.bits;
  }
  return {kSelectFactorPerLevel * levels * adder_pj(bits), shifter_um2(bits, levels)};
}

// The multiplier of one product, unrounded: the significand product and, for a float operand,
// the exponent adder of the wider exponent.
Cost multiply(const Shape& w, const Shape& a) {
  switch (family(w, a)) {
    case Family::kSelect:
      return select_lane(w, a);
    case Family::kInt:
      return int_multiplier(w.sig_bits, a.sig_bits);
    case Family::kFloat:
      return int_multiplier(w.sig_bits, a.sig_bits) + adder(std::max(w.exp_bits, a.exp_bits));
  }
  return {};
}

// Shifting a float product into fixed point: the shift spans both exponent fields' ranges; the
// output is as wide as an exact product in fixed point.
Cost alignment(const Shape& w, const Shape& a, int product_bits) {
  auto span = [](const Shape& o) { return o.exp_bits > 0 ? std::ldexp(1.0, o.exp_bits) - 1 : 0; };
  const double positions = span(w) + span(a);
  if (positions <= 0) return {};
  return shifter(product_bits, ceil_log2(positions + 1));
}

// Finding the largest exponent of a group: one compare per product at the product's exponent
// width (the sum of two exponents, one bit wider).
Cost max_exponent(const Shape& w, const Shape& a) {
  return adder(std::max(w.exp_bits, a.exp_bits) + 1);
}

Cost accumulator_adder(const Format& acc) {
  check_accumulator(acc);
  if (acc.is_float())
    return {fp_acc_pj(acc.exponent_bits(), acc.mantissa_bits() + 1),
            fp_acc_um2(acc.exponent_bits(), acc.mantissa_bits() + 1)};
  return adder(acc.bits());
}

// OCP MX: the two E8M0 block scales are added into the block sum's exponent once per block.
constexpr int kMxScaleBits = 8;

// A pair's datapath: energy per product and the area of its p lanes with their adder tree
// (the accumulator is counted once per unit, in unit_um2_45).
struct PairPath {
  double pj = 0;   // per product, accumulate included
  double um2 = 0;  // lanes + tree (+ block normaliser), no accumulator
};

PairPath pair_path(const FormatPair& pair, const Format& acc) {
  check_pair(pair);
  check_accumulator(acc);
  const Shape w = shape_of(pair.weight);
  const Shape a = shape_of(pair.activation);
  const Family fam = family(w, a);
  const double p = pair.products_per_cycle;
  const int product_bits = product_fixed_point_bits(pair.weight, pair.activation);
  const Cost accumulate = accumulator_adder(acc);
  const int mx_block = std::max(w.block, a.block);

  Cost lane = multiply(w, a);
  PairPath out;
  if (mx_block > 1) {
    // OCP MX dot product: the block's products aligned to its largest exponent and summed
    // exactly in fixed point; per block one normalisation, the scale add and one accumulate.
    if (!acc.is_float())
      throw UserError("MX pair " + pair_name(pair) +
                      " needs a float accumulator for its scaled block sums (OCP MX: fp32), not " +
                      acc.name());
    if (fam == Family::kFloat) lane += max_exponent(w, a) + alignment(w, a, product_bits);
    const double n = mx_block;
    const double sum_bits = product_bits + ceil_log2(n);
    const Cost per_block = adder_tree(n, product_bits) + shifter(sum_bits, ceil_log2(sum_bits)) +
                           2.0 * adder(kMxScaleBits);
    out.pj = lane.pj + (per_block.pj + accumulate.pj) / n;
    // The datapath holds p lanes; its tree and normaliser take the block p products at a time.
    out.um2 = p * lane.um2 + adder_tree(p, product_bits).um2 +
              shifter(sum_bits, ceil_log2(sum_bits)).um2 + 2.0 * adder(kMxScaleBits).um2;
    return out;
  }

  const double tree_bits = product_bits + ceil_log2(p);
  Cost per_cycle = accumulate;  // one accumulate per tree result
  if (!acc.is_float()) {
    // Fixed-point accumulation: float products are shifted into place; a tree result wider than
    // the accumulator is rounded into it.
    if (fam == Family::kFloat) lane += alignment(w, a, product_bits);
    if (acc.bits() < tree_bits) per_cycle += adder(acc.bits());
  } else if (p > 1 && fam == Family::kFloat) {
    // Several float products per cycle: aligned to the largest exponent of the group, summed in
    // fixed point, the sum normalised once into the accumulator.
    lane += max_exponent(w, a) + alignment(w, a, product_bits);
    per_cycle += shifter(tree_bits, ceil_log2(tree_bits));
  } else if (fam == Family::kFloat && acc.mantissa_bits() + 1 < w.sig_bits + a.sig_bits) {
    // The accumulator's significand cannot hold the exact product: it is rounded first.
    const double w_mean = 0.5 * (w.sig_bits + a.sig_bits);
    lane += Cost{fp_norm_pj(w_mean), fp_norm_um2(w_mean)};
  }
  // A float accumulator converts integer products (and aligns float ones) in its own adder.
  const Cost tree = adder_tree(p, product_bits);
  out.pj = lane.pj + (tree.pj + per_cycle.pj) / p;
  out.um2 = p * lane.um2 + tree.um2 + (per_cycle.um2 - accumulate.um2);
  return out;
}

// --- precision-scalable (sub-word-parallel) datapaths ------------------------------------------

// A multi-format unit whose datapath of one class also runs narrower pairs several per cycle is
// a sub-word-parallel (SWP) design: Camus et al. (JETCAS 2019) measure its area at +10% of the
// conventional MAC when it scales down one level (8 to 4 bits) and +18% for two (8 to 2 bits).
// We charge the same fraction on the datapath energy of every pair it runs (our assumption: the
// added muxes and wider adders switch with the datapath).
double swp_overhead(int levels) {
  if (levels <= 0) return 0;
  return levels == 1 ? 0.10 : 0.18;
}

int lane_bits(const FormatPair& p) {
  return std::max(shape_of(p.weight).bits, shape_of(p.activation).bits);
}

// Scalability levels of the class of `pair` on `unit`: log2 of the widest lane over the
// narrowest lane that is packed more than once per cycle.
int swp_levels(const MacUnitSpec& unit, const FormatPair& pair) {
  if (unit.kind != MacUnitKind::kMultiFormat) return 0;
  const Family f = family(shape_of(pair.weight), shape_of(pair.activation));
  int widest = 0, narrowest_packed = 0;
  for (const auto& q : unit.pairs) {
    if (family(shape_of(q.weight), shape_of(q.activation)) != f) continue;
    widest = std::max(widest, lane_bits(q));
    if (q.products_per_cycle > 1)
      narrowest_packed =
          narrowest_packed == 0 ? lane_bits(q) : std::min(narrowest_packed, lane_bits(q));
  }
  if (narrowest_packed == 0 || narrowest_packed >= widest) return 0;
  return static_cast<int>(ceil_log2(static_cast<double>(widest) / narrowest_packed));
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
// Dynamic power only: leakage is priced separately from the unit's area, so the ratio must not
// carry the synthesis' leakage a second time (docs/costmodel.md, "Fusion").
double fusion_power_ratio(int p_max) {
  return fusion_ratio(p_max, cells::kFusionDynamicRatio8, cells::kFusionDynamicRatio16);
}
double fusion_area_ratio(int p_max) {
  return fusion_ratio(p_max, 1733.0 / 688.0, 7492.0 / 2203.0);
}

// The fixed p_max x p_max integer MAC the fusion unit is compared with.
Cost fixed_int_mac(int p_max, const Format& acc) {
  return int_multiplier(p_max, p_max) + accumulator_adder(acc);
}

// --- bit-serial units ---------------------------------------------------------------------------

void check_bit_serial_pair(const FormatPair& pair) {
  for (const Format* f : {&pair.weight, &pair.activation})
    if (shape_of(*f).family != Family::kInt || f->is_block())
      throw UserError("a bit-serial MAC unit multiplies integers only; the pair " +
                      pair_name(pair) + " has the operand '" + f->name() + "'");
  if (pair.products_per_cycle != 1)
    throw UserError("a bit-serial MAC unit completes at most one product per cycle; the pair " +
                    pair_name(pair) + " declares " + std::to_string(pair.products_per_cycle));
}

// Per cycle: an n-bit slice of the weight (and of the activation, 2D) times the other operand,
// shifted and added into a product-wide register; per product one accumulate.
PairPath bit_serial_path(const MacUnitSpec& unit, const FormatPair& pair, const Format& acc) {
  check_bit_serial_pair(pair);
  const int n = std::max(1, unit.serial_bits);
  const Shape w = shape_of(pair.weight);
  const Shape a = shape_of(pair.activation);
  const int product_bits = product_fixed_point_bits(pair.weight, pair.activation);
  const double cycles = bit_serial_cycles(unit, pair);
  const Cost slice = unit.serial_both ? int_multiplier(std::min(n, w.bits), std::min(n, a.bits))
                                      : int_multiplier(std::min(n, w.bits), a.bits);
  const Cost shift_add = adder(product_bits);
  PairPath out;
  out.pj = cycles * (slice.pj + shift_add.pj) + accumulator_adder(acc).pj;
  out.um2 = slice.um2 + shift_add.um2 + register_um2(product_bits);
  return out;
}

// --- whole units at 45 nm ----------------------------------------------------------------------

double mac_pj45(const MacUnitSpec& unit, const FormatPair& pair) {
  check_pair(pair);
  const Format& acc = unit.accumulator_of(pair);
  switch (unit.kind) {
    case MacUnitKind::kFusion: {
      // A fusion PE burns about the same power in every mode (Bit Fusion's synthesis): the
      // cycle costs the fixed p_max MAC times the fusion/fixed power ratio, shared by the
      // products completed in that cycle.
      const int p_max = fusion_max_bits(unit, pair);
      return fusion_power_ratio(p_max) * fixed_int_mac(p_max, acc).pj / pair.products_per_cycle;
    }
    case MacUnitKind::kBitSerial:
      return bit_serial_path(unit, pair, acc).pj;
    case MacUnitKind::kFixed:
    case MacUnitKind::kMultiFormat: {
      // Each product pays its own lane: the idle partial products of a partitioned datapath see
      // constant zeros and do not switch. A sub-word-parallel class pays its overhead.
      const PairPath path = pair_path(pair, acc);
      const double overhead = swp_overhead(swp_levels(unit, pair));
      if (overhead == 0) return path.pj;
      const double accumulate_share = accumulator_adder(acc).pj / pair.products_per_cycle;
      return (path.pj - accumulate_share) * (1 + overhead) + accumulate_share;
    }
  }
  return 0;
}

// One accumulator per distinct accumulator format of the unit's pairs: adder plus register.
double accumulators_um2(const MacUnitSpec& unit) {
  std::set<std::string> seen;
  double sum = 0;
  auto add = [&](const Format& acc) {
    if (!seen.insert(acc.name()).second) return;
    sum += accumulator_adder(acc).um2 + register_um2(acc.bits());
  };
  for (const auto& p : unit.pairs)
    add(unit.accumulator_of(p));
  if (unit.pairs.empty()) add(unit.accumulator);
  return sum;
}

double unit_um2_45(const MacUnitSpec& unit) {
  const Format& acc = unit.accumulator;
  switch (unit.kind) {
    case MacUnitKind::kFusion: {
      if (unit.pairs.empty()) return accumulators_um2(unit);
      const int p_max = fusion_max_bits(unit, unit.pairs.front());
      return fusion_area_ratio(p_max) * (fixed_int_mac(p_max, acc).um2 + register_um2(acc.bits()));
    }
    case MacUnitKind::kBitSerial: {
      // One serial datapath, as large as its most demanding pair.
      double dp = 0;
      for (const auto& p : unit.pairs)
        dp = std::max(dp, bit_serial_path(unit, p, unit.accumulator_of(p)).um2);
      return dp + accumulators_um2(unit);
    }
    case MacUnitKind::kFixed:
    case MacUnitKind::kMultiFormat: {
      // One datapath per class (integer, floating point, select), each sized for the most
      // demanding pair of its class, scaled by its sub-word-parallel overhead.
      std::map<Family, double> dp;
      std::map<Family, int> levels;
      for (const auto& p : unit.pairs) {
        const Family f = family(shape_of(p.weight), shape_of(p.activation));
        dp[f] = std::max(dp[f], pair_path(p, unit.accumulator_of(p)).um2);
        levels[f] = std::max(levels[f], swp_levels(unit, p));
      }
      double sum = accumulators_um2(unit);
      for (const auto& [f, a] : dp)
        sum += a * (1 + swp_overhead(levels[f]));
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
    case Family::kSelect:
      e = select_lane(x, y).pj;
      break;
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
  return accumulator_adder(accumulator).pj * t.energy;
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
  if (to.is_block()) {
    // Producing an OCP MX block (the spec's quantization steps): the block maximum (one exponent
    // compare per value), the shared exponent (one subtract per block), each value's exponent
    // moved by it (one subtract per value); the rounding add above is then at element width.
    const double n = to.block_size();
    e += adder_pj(kMxScaleBits) + adder_pj(kMxScaleBits) + adder_pj(kMxScaleBits) / n;
  }
  return e * t.energy;
}

double mac_unit_area_um2(const MacUnitSpec& unit, const TechnologyScale& t) {
  return unit_um2_45(unit) * t.area;
}

double mac_unit_leakage_mw(const MacUnitSpec& unit, const TechnologyScale& t) {
  return unit_um2_45(unit) * cells::kLogicLeakageMwPerUm2 * t.logic_leakage();
}

int fusion_products_per_cycle(const MacUnitSpec& unit, const FormatPair& pair) {
  const int p_max = fusion_max_bits(unit, pair);
  return (p_max / brick_precision(pair.weight, pair)) *
         (p_max / brick_precision(pair.activation, pair));
}

int bit_serial_cycles(const MacUnitSpec& unit, const FormatPair& pair) {
  if (unit.kind != MacUnitKind::kBitSerial) return 1;
  const int n = std::max(1, unit.serial_bits);
  auto slices = [n](const Format& f) { return (shape_of(f).bits + n - 1) / n; };
  return unit.serial_both ? slices(pair.weight) * slices(pair.activation) : slices(pair.weight);
}

}  // namespace mpsim
