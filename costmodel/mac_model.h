// Energy and area of the MAC unit in one PE, from a parametric model whose terms are hardware
// blocks (docs/costmodel.md derives each term and cites each constant):
//  - an integer multiplier growing with b_w * b_a;
//  - a floating-point multiplier: mantissa product, exponent adder, normalisation and rounding;
//  - ternary and binary weights: add/subtract/mux instead of a multiplier;
//  - the accumulator adder growing with its width (an FP accumulator: align, add, normalise);
//  - the overhead of precision-scalable (fusion) and multi-format units.
// Every function returns figures at the technology `t` (energies in pJ, areas in um^2).
#pragma once

#include "costmodel/hardware.h"
#include "costmodel/technology.h"

namespace mpsim {

// One product of `pair` on `unit`, accumulated into the pair's accumulator, including the unit's
// overhead in that mode (a fusion unit's energy per cycle shared by its products per cycle).
double mac_energy_pj(const MacUnitSpec& unit, const FormatPair& pair, const TechnologyScale& t);

// Building blocks, also used for clustered weights and requantization.
double multiplier_energy_pj(const Format& a, const Format& b, const TechnologyScale& t);
double accumulate_energy_pj(const Format& accumulator, const TechnologyScale& t);
// Rescaling one accumulator value into `to` (a multiply by the scale, rounding, clamping).
double requantize_energy_pj(const Format& accumulator, const Format& to, const TechnologyScale& t);

// Area of one PE's MAC unit supporting all of unit.pairs (shared accumulator counted once).
double mac_unit_area_um2(const MacUnitSpec& unit, const TechnologyScale& t);
// Leakage of one PE's MAC unit, in mW.
double mac_unit_leakage_mw(const MacUnitSpec& unit, const TechnologyScale& t);

// Bit Fusion geometry: a fusion unit built of 2-bit bricks whose widest operand is p_max bits
// completes (p_max / p_w) * (p_max / p_a) products of `pair` per cycle, each precision rounded
// up to 2, 4, 8, 16... (binary and ternary count as 2 bits). p_max comes from unit.pairs.
// mac_energy_pj divides by pair.products_per_cycle, so a config should declare this number.
// Throws UserError for a floating-point pair (fusion units are integer-only).
int fusion_products_per_cycle(const MacUnitSpec& unit, const FormatPair& pair);

// Cycles one product of `pair` takes on `unit`: 1, except on a bit-serial unit, where it is
// ceil(b_w / serial_bits), times ceil(b_a / serial_bits) when both operands are serial.
int bit_serial_cycles(const MacUnitSpec& unit, const FormatPair& pair);

}  // namespace mpsim
