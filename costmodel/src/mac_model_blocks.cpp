// Fits of the MAC building blocks to published 45 nm figures (docs/costmodel.md, "MAC units").
#include "costmodel/src/mac_model_blocks.h"

#include <cmath>
#include <iterator>

#include "costmodel/src/mac_model_cells.h"

namespace mpsim::blocks {

namespace {

// Horowitz, "Computing's energy problem", ISSCC 2014: 45 nm, 0.9 V, pJ per operation.
struct Point {
  double bits;
  double pj;
};
constexpr Point kIntMul[] = {{8, 0.2}, {32, 3.1}};
constexpr Point kIntAdd[] = {{8, 0.03}, {16, 0.05}, {32, 0.1}};
struct FpPoint {
  int exp_bits;
  int man_bits;
  double mul_pj;
};
constexpr FpPoint kFp[] = {{5, 10, 1.1}, {8, 23, 3.7}};  // fp16, fp32 multiplies

// van Baalen et al., "FP8 versus INT8 for efficient deep learning inference" (arXiv 2303.17951,
// 2023): an FP8 E4M3 MAC costs 53% more than an INT8 MAC with an fp16 accumulator and 183% more
// with an fp32 one (their count of equivalent gates, a first-order measure of area and energy).
// The INT8 reference accumulates into int32 (our reading; the paper's fixed-point accumulator).
struct AccPoint {
  int exp_bits;
  int man_bits;
  double times_int8_mac;
};
constexpr AccPoint kFp8MacOverInt8[] = {{5, 10, 1.53}, {8, 23, 2.83}};  // fp16, fp32 accumulator
constexpr int kE4m3SignificandBits = 4;
constexpr int kE4m3ExponentBits = 4;

// QKeras QTools prices a binary-weight "multiply" as mux gates at 0.3 of an adder of the
// activation's width (multiplier_impl.py, class Mux); we take that ratio per bit.
constexpr double kMuxPerAdderBit = 0.3;

// Bit Fusion (Sharma et al., ISCA 2018) synthesis, 45 nm: fixed-precision PE areas. Their
// accumulator width is not published; we assume the lossless-over-256-products rule Dotzel et
// al. use, 2b + 8 bits.
struct AreaPoint {
  double bits;
  double acc_bits;
  double um2;
};
constexpr AreaPoint kBitFusionFixed[] = {{4, 16, 282}, {8, 24, 688}};

// Solves [x1 y1; x2 y2] [u; v] = [r1; r2].
void solve2(double x1, double y1, double r1, double x2, double y2, double r2, double* u,
            double* v) {
  const double det = x1 * y2 - x2 * y1;
  *u = (r1 * y2 - r2 * y1) / det;
  *v = (x1 * r2 - x2 * r1) / det;
}

double wlogw(double w) {
  return w * std::log2(w);
}

Calibration compute() {
  Calibration c;
  // Integer multiplier: a b^2 + c b with b = sqrt(b_w b_a), two points, two constants.
  solve2(kIntMul[0].bits * kIntMul[0].bits, kIntMul[0].bits, kIntMul[0].pj,
         kIntMul[1].bits * kIntMul[1].bits, kIntMul[1].bits, kIntMul[1].pj, &c.mul_a, &c.mul_c);

  // Adder: ordinary least squares of pj on bits.
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& p : kIntAdd) {
    sx += p.bits;
    sy += p.pj;
    sxx += p.bits * p.bits;
    sxy += p.bits * p.pj;
  }
  const double n = std::size(kIntAdd);
  c.add_p = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  c.add_q = (sy - c.add_p * sx) / n;

  // The floating-point multiplier's normalisation takes what the integer blocks leave of
  // Horowitz's fp figures.
  auto int_mul = [&c](double b) { return c.mul_a * b * b + c.mul_c * b; };
  auto add = [&c](double b) { return c.add_p * b + c.add_q; };
  double norm_r[2], w[2];
  for (int i = 0; i < 2; ++i) {
    w[i] = kFp[i].man_bits + 1;
    norm_r[i] = kFp[i].mul_pj - int_mul(w[i]) - add(kFp[i].exp_bits);
  }
  solve2(w[0], wlogw(w[0]), norm_r[0], w[1], wlogw(w[1]), norm_r[1], &c.norm_a, &c.norm_b);

  c.mux_pj = kMuxPerAdderBit * c.add_p;

  // Areas: alpha * b^2 + (gamma + flip-flop) * acc_bits through the two Bit Fusion PEs.
  const double ff = cells::kFlipFlopAreaUm2;
  const AreaPoint& p4 = kBitFusionFixed[0];
  const AreaPoint& p8 = kBitFusionFixed[1];
  solve2(p4.bits * p4.bits, p4.acc_bits, p4.um2 - ff * p4.acc_bits, p8.bits * p8.bits, p8.acc_bits,
         p8.um2 - ff * p8.acc_bits, &c.mul_um2, &c.add_um2);
  c.um2_per_pj = c.mul_um2 / c.mul_a;

  // The float accumulator adder: what van Baalen's two FP8 MACs leave after the E4M3 product
  // (significand multiplier and exponent adder, unrounded) and the adders of the format.
  const double int8_mac_pj = int_mul(8) + add(32);
  const double e4m3_product_pj = int_mul(kE4m3SignificandBits) + add(kE4m3ExponentBits);
  const double int8_mac_um2 = c.mul_um2 * 64 + (c.add_um2 + ff) * 32;
  const double e4m3_product_um2 =
      c.mul_um2 * kE4m3SignificandBits * kE4m3SignificandBits + c.add_um2 * kE4m3ExponentBits;
  double r_pj[2], r_um2[2], acc_w[2];
  for (int i = 0; i < 2; ++i) {
    const AccPoint& p = kFp8MacOverInt8[i];
    acc_w[i] = p.man_bits + 1;
    const int total_bits = 1 + p.exp_bits + p.man_bits;
    r_pj[i] = p.times_int8_mac * int8_mac_pj - e4m3_product_pj - add(p.exp_bits) - add(acc_w[i]);
    r_um2[i] = p.times_int8_mac * int8_mac_um2 - e4m3_product_um2 - ff * total_bits -
               c.add_um2 * (p.exp_bits + acc_w[i]);
  }
  solve2(1, acc_w[0], r_pj[0], 1, acc_w[1], r_pj[1], &c.acc_s0, &c.acc_s1);
  solve2(1, acc_w[0], r_um2[0], 1, acc_w[1], r_um2[1], &c.acc_um2_s0, &c.acc_um2_s1);
  return c;
}

}  // namespace

const Calibration& calibration() {
  static const Calibration c = compute();
  return c;
}

double int_mul_pj(double bits_w, double bits_a) {
  const auto& c = calibration();
  const double pp = bits_w * bits_a;
  return c.mul_a * pp + c.mul_c * std::sqrt(pp);
}

double adder_pj(double bits) {
  const auto& c = calibration();
  return c.add_p * bits + c.add_q;
}

double fp_norm_pj(double w) {
  const auto& c = calibration();
  return c.norm_a * w + c.norm_b * wlogw(w);
}

double fp_mul_pj(int exp_bits, double sig_w, double sig_a) {
  return int_mul_pj(sig_w, sig_a) + adder_pj(exp_bits) + fp_norm_pj(0.5 * (sig_w + sig_a));
}

double fp_acc_pj(int exp_bits, double sig_bits) {
  const auto& c = calibration();
  return adder_pj(exp_bits) + adder_pj(sig_bits) + c.acc_s0 + c.acc_s1 * sig_bits;
}

double shifter_pj(double width_bits, double stages) {
  return calibration().mux_pj * width_bits * stages;
}

double int_mul_um2(double bits_w, double bits_a) {
  return calibration().mul_um2 * bits_w * bits_a;
}

double adder_um2(double bits) {
  return calibration().add_um2 * bits;
}

double register_um2(double bits) {
  return cells::kFlipFlopAreaUm2 * bits;
}

double fp_norm_um2(double significand_bits) {
  return calibration().um2_per_pj * fp_norm_pj(significand_bits);
}

double fp_acc_um2(int exp_bits, double sig_bits) {
  const auto& c = calibration();
  return adder_um2(exp_bits) + adder_um2(sig_bits) + c.acc_um2_s0 + c.acc_um2_s1 * sig_bits;
}

double shifter_um2(double width_bits, double stages) {
  return cells::kMux2AreaUm2 * width_bits * stages;
}

}  // namespace mpsim::blocks
