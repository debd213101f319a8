// The arithmetic blocks of a MAC unit at 45 nm, 0.9 V, with their constants fitted to published
// figures (private to costmodel/src). Energies in pJ, areas in um^2. Widths are in bits and may
// be fractional where a block is sized by a mean width.
//
// docs/costmodel.md ("MAC units") derives each block; the fits are computed here from the data
// points themselves so that the code and the table of sources cannot drift apart.
#pragma once

namespace mpsim::blocks {

struct Calibration {
  // Integer multiplier b_w x b_a: a * b_w * b_a + c * sqrt(b_w * b_a), exact through Horowitz's
  // 8-bit (0.2 pJ) and 32-bit (3.1 pJ) multiplies.
  double mul_a = 0;
  double mul_c = 0;
  // Adder of n bits: p * n + q, least squares through Horowitz's 8/16/32-bit adds.
  double add_p = 0;
  double add_q = 0;
  // Floating-point multiplier: normalisation and rounding of a w-bit significand product,
  // A * w + B * w * log2(w), exact through Horowitz's fp16 (1.1 pJ) and fp32 (3.7 pJ) multiplies.
  double norm_a = 0;
  double norm_b = 0;
  // Floating-point accumulator adder (an unrounded product or block sum added into a float
  // accumulator: exponent compare, alignment, significand add, leading-zero count, normalisation,
  // rounding) of a w-bit significand: E_add(e) + E_add(w) + acc_s0 + acc_s1 * w, fitted exactly
  // to van Baalen et al.'s FP8 MAC costs: E4M3 x E4M3 into fp16 1.53 and into fp32 2.83 times
  // int8 x int8 into int32 (their gate counts, read as area and energy alike).
  double acc_s0 = 0;
  double acc_s1 = 0;
  double acc_um2_s0 = 0;
  double acc_um2_s1 = 0;
  // One 2:1 mux bit (one bit of one barrel-shifter stage, or one bit of a ternary/binary select):
  // QTools' mux gate at 0.3 of an adder, per bit.
  double mux_pj = 0;
  // Areas: per partial-product bit of a multiplier and per adder bit, fitted to Bit Fusion's fixed
  // 4/4 and 8/8 PEs (688 and 282 um^2, 45 nm) with their accumulators.
  double mul_um2 = 0;
  double add_um2 = 0;
  // Area per pJ of switched energy (the multiplier's um^2 per pJ), used for the floating-point
  // normalisation/alignment logic that no verified area figure isolates.
  double um2_per_pj = 0;
};

// Computed once from the published points; immutable afterwards.
const Calibration& calibration();

// Energies (pJ at 45 nm, 0.9 V).
double int_mul_pj(double bits_w, double bits_a);
double adder_pj(double bits);
double fp_norm_pj(double significand_bits);
// A rounded floating-point product: significand multiplier, exponent adder of `exp_bits`,
// normalisation and rounding at the mean significand width.
double fp_mul_pj(int exp_bits, double sig_w, double sig_a);
// A floating-point accumulator adder for a format with `exp_bits` and a `sig_bits` significand.
double fp_acc_pj(int exp_bits, double sig_bits);
double shifter_pj(double width_bits, double stages);

// Areas (um^2 at 45 nm).
double int_mul_um2(double bits_w, double bits_a);
double adder_um2(double bits);
double register_um2(double bits);
// The normalisation and rounding logic of a rounded float product, priced at rho um^2 per pJ.
double fp_norm_um2(double significand_bits);
double fp_acc_um2(int exp_bits, double sig_bits);
double shifter_um2(double width_bits, double stages);

}  // namespace mpsim::blocks
