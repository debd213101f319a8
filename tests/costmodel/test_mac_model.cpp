// MAC-unit model: the published fit points, the orderings the literature implies (precision,
// fusion versus fixed, FP8 versus INT8, ternary), area calibration and composition, scaling.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "costmodel/mac_model.h"
#include "costmodel/technology.h"
#include "formats/error.h"

using mpsim::Format;
using mpsim::FormatPair;
using mpsim::MacUnitKind;
using mpsim::MacUnitSpec;
using mpsim::TechnologyScale;

namespace {

const TechnologyScale k45{};  // 45 nm, 0.9 V: all factors 1

Format F(const std::string& name) {
  return Format::parse(name);
}

FormatPair pair(const std::string& w, const std::string& a, int per_cycle = 1) {
  FormatPair p;
  p.weight = F(w);
  p.activation = F(a);
  p.products_per_cycle = per_cycle;
  return p;
}

MacUnitSpec unit(MacUnitKind kind, std::vector<FormatPair> pairs, const std::string& acc) {
  MacUnitSpec u;
  u.kind = kind;
  u.pairs = std::move(pairs);
  u.accumulator = F(acc);
  return u;
}

// A fixed unit running its single pair.
double fixed_mac(const std::string& w, const std::string& a, const std::string& acc) {
  const FormatPair p = pair(w, a);
  return mpsim::mac_energy_pj(unit(MacUnitKind::kFixed, {p}, acc), p, k45);
}

double fixed_area(const std::string& w, const std::string& acc) {
  return mpsim::mac_unit_area_um2(unit(MacUnitKind::kFixed, {pair(w, w)}, acc), k45);
}

double mul(const std::string& a, const std::string& b) {
  return mpsim::multiplier_energy_pj(F(a), F(b), k45);
}

double acc(const std::string& f) {
  return mpsim::accumulate_energy_pj(F(f), k45);
}

}  // namespace

TEST_CASE("mac: integer multiplier passes exactly through Horowitz's 8- and 32-bit multiplies") {
  CHECK(mul("int8", "int8") == doctest::Approx(0.2).epsilon(1e-9));
  CHECK(mul("int32", "int32") == doctest::Approx(3.1).epsilon(1e-9));
  // The same two constants as QKeras QTools: a b^2 + c b with b = sqrt(b_w b_a).
  CHECK(mul("int16", "int16") == doctest::Approx(0.0029948 * 256 + 0.0010417 * 16).epsilon(1e-4));
  CHECK(mul("int8", "int2") == doctest::Approx(mul("int4", "int4")));  // grows with b_w * b_a
  CHECK(mul("int4", "int4") < mul("int8", "int4"));
}

TEST_CASE("mac: the adder fit stays within 5% of Horowitz's 8/16/32-bit adds") {
  CHECK(acc("int8") == doctest::Approx(0.03).epsilon(0.05));
  CHECK(acc("int16") == doctest::Approx(0.05).epsilon(0.05));
  CHECK(acc("int32") == doctest::Approx(0.1).epsilon(0.05));
  CHECK(acc("int24") > acc("int16"));
  CHECK(acc("int24") < acc("int32"));
}

TEST_CASE("mac: floating-point multiply and add pass exactly through Horowitz's fp16 and fp32") {
  CHECK(mul("fp16", "fp16") == doctest::Approx(1.1).epsilon(1e-9));
  CHECK(mul("fp32", "fp32") == doctest::Approx(3.7).epsilon(1e-9));
  CHECK(acc("fp16") == doctest::Approx(0.4).epsilon(1e-9));
  CHECK(acc("fp32") == doctest::Approx(0.9).epsilon(1e-9));
  // Narrower formats cost less; a float multiply costs more than the integer one of its width.
  CHECK(mul("fp8_e4m3", "fp8_e4m3") < mul("bf16", "bf16"));
  CHECK(mul("fp4_e2m1", "fp4_e2m1") < mul("fp8_e4m3", "fp8_e4m3"));
  CHECK(mul("fp8_e4m3", "fp8_e4m3") > mul("int4", "int4"));
  CHECK(acc("bf16") < acc("fp16"));  // 8-bit significand against 11
}

TEST_CASE("mac: int4 x int4 is cheaper per MAC than int8 x int8 on every unit kind") {
  const FormatPair i8 = pair("int8", "int8", 1);
  for (int per_cycle : {1, 2, 4}) {
    CAPTURE(per_cycle);
    const FormatPair i4 = pair("int4", "int4", per_cycle);
    for (MacUnitKind kind : {MacUnitKind::kFixed, MacUnitKind::kMultiFormat}) {
      const auto u = unit(kind, {i8, i4}, "int32");
      CHECK(mpsim::mac_energy_pj(u, i4, k45) < mpsim::mac_energy_pj(u, i8, k45));
    }
  }
  const auto fusion = unit(MacUnitKind::kFusion, {i8, pair("int4", "int4", 4)}, "int32");
  CHECK(mpsim::mac_energy_pj(fusion, pair("int4", "int4", 4), k45) <
        mpsim::mac_energy_pj(fusion, i8, k45));
  CHECK(fixed_mac("int4", "int4", "int16") < fixed_mac("int8", "int8", "int32"));
}

TEST_CASE("mac: a fusion unit loses to a fixed int8 unit at 8 bits and wins at 4 and 2 bits") {
  const FormatPair i8 = pair("int8", "int8", 1);
  const FormatPair i4 = pair("int4", "int4", 4);
  const FormatPair i2 = pair("int2", "int2", 16);
  const auto fusion = unit(MacUnitKind::kFusion, {i8, i4, i2}, "int32");
  const double fixed8 = fixed_mac("int8", "int8", "int32");
  const double f8 = mpsim::mac_energy_pj(fusion, i8, k45);
  // Bit Fusion's synthesis: the 8/2 fusion PE draws 344.3 uW against 171.8 uW for the 8/8 PE.
  CHECK(f8 / fixed8 == doctest::Approx(344.3 / 171.8));
  CHECK(mpsim::mac_energy_pj(fusion, i4, k45) < fixed8);
  CHECK(mpsim::mac_energy_pj(fusion, i2, k45) < fixed8);
  CHECK(mpsim::mac_energy_pj(fusion, i2, k45) < mpsim::mac_energy_pj(fusion, i4, k45));
  // Energy per product follows the products completed per cycle.
  CHECK(mpsim::mac_energy_pj(fusion, i4, k45) == doctest::Approx(f8 / 4));
  // Area: 1733 against 688 um^2 in Bit Fusion.
  const double fixed_area8 =
      mpsim::mac_unit_area_um2(unit(MacUnitKind::kFixed, {i8}, "int32"), k45);
  CHECK(mpsim::mac_unit_area_um2(fusion, k45) / fixed_area8 == doctest::Approx(1733.0 / 688.0));
}

TEST_CASE("mac: Bit Fusion geometry gives the products per cycle of each pair") {
  const auto fusion = unit(MacUnitKind::kFusion, {pair("int8", "int8")}, "int32");
  CHECK(mpsim::fusion_products_per_cycle(fusion, pair("int8", "int8")) == 1);
  CHECK(mpsim::fusion_products_per_cycle(fusion, pair("int8", "int4")) == 2);
  CHECK(mpsim::fusion_products_per_cycle(fusion, pair("int4", "int4")) == 4);
  CHECK(mpsim::fusion_products_per_cycle(fusion, pair("int2", "int2")) == 16);
  CHECK(mpsim::fusion_products_per_cycle(fusion, pair("ternary", "int2")) == 16);
  CHECK(mpsim::fusion_products_per_cycle(fusion, pair("int3", "int3")) == 4);  // 3 -> 4 bits
  CHECK_THROWS_AS(mpsim::fusion_products_per_cycle(fusion, pair("fp8_e4m3", "int8")),
                  mpsim::UserError);
  const auto with_float = unit(MacUnitKind::kFusion, {pair("fp8_e4m3", "fp8_e4m3")}, "int32");
  CHECK_THROWS_AS(mpsim::mac_energy_pj(with_float, with_float.pairs[0], k45), mpsim::UserError);
}

TEST_CASE("mac: an FP8 MAC with fp16 accumulation is 1.5-2.8x an INT8 MAC (van Baalen et al.)") {
  const double int8 = fixed_mac("int8", "int8", "int32");
  for (const char* fp8 : {"fp8_e4m3", "fp8_e5m2"}) {
    CAPTURE(fp8);
    for (const char* accumulator : {"fp16", "bf16"}) {
      CAPTURE(accumulator);
      const double ratio = fixed_mac(fp8, fp8, accumulator) / int8;
      CHECK(ratio >= 1.5);
      CHECK(ratio <= 2.8);
    }
    // fp32 accumulation costs more again (outside the band: see docs/costmodel.md).
    CHECK(fixed_mac(fp8, fp8, "fp32") > fixed_mac(fp8, fp8, "fp16"));
  }
}

TEST_CASE("mac: ternary and binary weights replace the multiplier by a select") {
  CHECK(mul("ternary", "int8") == doctest::Approx(0.6 * acc("int8")));
  CHECK(mul("binary", "int8") == doctest::Approx(0.3 * acc("int8")));
  CHECK(fixed_mac("ternary", "int8", "int32") < fixed_mac("int8", "int8", "int32"));
  CHECK(fixed_mac("binary", "int8", "int32") < fixed_mac("ternary", "int8", "int32"));
  CHECK(fixed_mac("ternary", "int8", "int32") < fixed_mac("int2", "int8", "int32"));
}

TEST_CASE("mac: mixed and MX pairs") {
  // FP x INT: significand product of the two, exponent adder of the float operand.
  CHECK(mul("fp8_e4m3", "int4") < mul("fp8_e4m3", "int8"));
  CHECK(mul("fp8_e4m3", "int4") > mul("int4", "int4"));
  CHECK(mul("fp8_e4m3", "fp4_e2m1") < mul("fp8_e4m3", "fp8_e4m3"));
  CHECK(mul("fp8_e4m3", "fp4_e2m1") > mul("fp4_e2m1", "fp4_e2m1"));
  // MX: the element product plus one 8-bit scale add shared by the 32 products of a block.
  const double scale_share = acc("int8") / 32;
  CHECK(fixed_mac("mxint8", "mxint8", "int32") ==
        doctest::Approx(fixed_mac("int8", "int8", "int32") + scale_share));
  CHECK(fixed_mac("mxfp4_e2m1", "mxfp4_e2m1", "fp16") ==
        doctest::Approx(fixed_mac("fp4_e2m1", "fp4_e2m1", "fp16") + scale_share));
  CHECK(fixed_mac("mxfp4_e2m1", "mxfp4_e2m1", "int24") <
        fixed_mac("mxfp8_e4m3", "mxfp8_e4m3", "int24"));
}

TEST_CASE("mac: Bit Fusion's fixed PEs fix the area constants - Dotzel's ratios are reproduced") {
  // Calibration points (accumulators 2b + 8 bits): exact by construction.
  CHECK(fixed_area("int4", "int16") == doctest::Approx(282));
  CHECK(fixed_area("int8", "int24") == doctest::Approx(688));
  // Dotzel et al. (28 nm): INT5 / INT4 = 203.6 / 160.7 and FP4 E2M1 / INT4 = 170.4 / 160.7,
  // each with the accumulator they report (FP4 products accumulated in 17-bit fixed point).
  const double int4 = fixed_area("int4", "int16");
  CHECK(fixed_area("int5", "int18") / int4 == doctest::Approx(203.6 / 160.7).epsilon(0.05));
  CHECK(fixed_area("fp4_e2m1", "int17") / int4 == doctest::Approx(170.4 / 160.7).epsilon(0.10));
  // Their power: FP4 49.6 uW against INT4 48.5 uW.
  CHECK(fixed_mac("fp4_e2m1", "fp4_e2m1", "int17") / fixed_mac("int4", "int4", "int16") ==
        doctest::Approx(49.6 / 48.5).epsilon(0.10));
}

TEST_CASE("mac: unit area composes datapaths and one accumulator") {
  const auto empty = unit(MacUnitKind::kFixed, {}, "fp16");
  const double acc_area = mpsim::mac_unit_area_um2(empty, k45);
  CHECK(acc_area > 0);
  const FormatPair i8 = pair("int8", "int8");
  const FormatPair f8 = pair("fp8_e4m3", "fp8_e4m3");
  const FormatPair f4 = pair("fp4_e2m1", "fp4_e2m1", 2);
  auto area = [](const MacUnitSpec& u) { return mpsim::mac_unit_area_um2(u, k45); };
  const double a_i8 = area(unit(MacUnitKind::kFixed, {i8}, "fp16"));
  const double a_f8 = area(unit(MacUnitKind::kFixed, {f8}, "fp16"));
  const double a_f4 = area(unit(MacUnitKind::kFixed, {f4}, "fp16"));
  // Separate integer and float datapaths share one accumulator.
  CHECK(area(unit(MacUnitKind::kMultiFormat, {i8, f8}, "fp16")) ==
        doctest::Approx(a_i8 + a_f8 - acc_area));
  // Pairs of one class share a datapath sized for the most demanding (fp4 at 2 lanes vs fp8).
  CHECK(area(unit(MacUnitKind::kMultiFormat, {f8, f4}, "fp16")) ==
        doctest::Approx(std::max(a_f8, a_f4)));
  CHECK(a_f4 > area(unit(MacUnitKind::kFixed, {pair("fp4_e2m1", "fp4_e2m1")}, "fp16")));
  // Wider formats need more area.
  CHECK(fixed_area("int8", "int32") > fixed_area("int4", "int32"));
  CHECK(fixed_area("fp8_e4m3", "fp32") > fixed_area("fp8_e4m3", "fp16"));
}

TEST_CASE("mac: technology scaling, leakage and requantization") {
  const auto u = unit(MacUnitKind::kFixed, {pair("int8", "int8")}, "int32");
  const TechnologyScale t7 = mpsim::technology_scale({7, 0});
  CHECK(mpsim::mac_energy_pj(u, u.pairs[0], t7) ==
        doctest::Approx(mpsim::mac_energy_pj(u, u.pairs[0], k45) * t7.energy));
  CHECK(mpsim::mac_unit_area_um2(u, t7) ==
        doctest::Approx(mpsim::mac_unit_area_um2(u, k45) * t7.area));
  // Leakage is a density times the area.
  const auto big = unit(MacUnitKind::kFixed, {pair("fp16", "fp16")}, "fp32");
  const double density_u = mpsim::mac_unit_leakage_mw(u, k45) / mpsim::mac_unit_area_um2(u, k45);
  const double density_b =
      mpsim::mac_unit_leakage_mw(big, k45) / mpsim::mac_unit_area_um2(big, k45);
  CHECK(density_u > 0);
  CHECK(density_u == doctest::Approx(density_b));
  CHECK(mpsim::mac_unit_leakage_mw(u, t7) ==
        doctest::Approx(mpsim::mac_unit_leakage_mw(u, k45) * t7.leakage));
  // Requantization: accumulator x 16-bit scale, then a rounding add; fp32 multiply for floats.
  CHECK(mpsim::requantize_energy_pj(F("int32"), F("int8"), k45) ==
        doctest::Approx(mul("int32", "int16") + acc("int32")));
  CHECK(mpsim::requantize_energy_pj(F("fp32"), F("fp8_e4m3"), k45) > mul("fp32", "fp32"));
}

TEST_CASE("mac: bad accumulators and products per cycle are user errors") {
  const FormatPair p = pair("int8", "int8", 0);
  CHECK_THROWS_AS(mpsim::mac_energy_pj(unit(MacUnitKind::kFixed, {p}, "int32"), p, k45),
                  mpsim::UserError);
  const FormatPair ok = pair("int8", "int8");
  CHECK_THROWS_AS(mpsim::mac_energy_pj(unit(MacUnitKind::kFixed, {ok}, "mxint8"), ok, k45),
                  mpsim::UserError);
  CHECK_THROWS_AS(mpsim::accumulate_energy_pj(F("ternary"), k45), mpsim::UserError);
}
