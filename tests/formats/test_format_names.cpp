// Format names, properties and parse errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "formats/error.h"
#include "formats/format.h"

using mpsim::Format;
using mpsim::FormatKind;

namespace {

std::string parse_error(const std::string& name) {
  try {
    (void)Format::parse(name);
  } catch (const mpsim::UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("formats: every named format prints back by its name") {
  const auto names = mpsim::format_names();
  CHECK(names.size() == 8 + 6 + 16 + 16 + 2);  // ints: 2..16 and 32
  for (const auto& name : names) {
    CAPTURE(name);
    const Format f = Format::parse(name);
    CHECK(f.name() == name);
    CHECK(Format::parse(f.name()) == f);
  }
}

TEST_CASE("formats: names are case-insensitive and print in lower case") {
  CHECK(Format::parse("FP8_E4M3").name() == "fp8_e4m3");
  CHECK(Format::parse("Int8").name() == "int8");
  CHECK(Format::parse("E3M4").name() == "e3m4");
}

TEST_CASE("formats: generic eXmY keeps the name it was parsed with") {
  for (const char* name : {"e4m3", "e5m2", "e3m4", "e2m1", "e8m7", "e5m10", "e4m3fn", "e3m2fn"}) {
    CAPTURE(name);
    const Format f = Format::parse(name);
    CHECK(f.name() == name);
    CHECK(f.kind() == FormatKind::kFloat);
  }
  // IEEE-style: the top binade is infinity and NaN.
  const Format e4m3 = Format::parse("e4m3");
  CHECK(e4m3.max() == 240);
  CHECK(e4m3.has_infinity());
  const Format e3m4 = Format::parse("e3m4");
  CHECK(e3m4.exponent_bias() == 3);
  CHECK(e3m4.max() == 15.5);
  CHECK(e3m4.min_subnormal() == std::ldexp(1.0, -6));
  // eXmYfn: finite, NaN = all ones, like OCP E4M3.
  const Format e4m3fn = Format::parse("e4m3fn");
  CHECK(e4m3fn.max() == 448);
  CHECK_FALSE(e4m3fn.has_infinity());
  CHECK(e4m3fn.has_nan());
  // e5m2, e5m10, e8m7 are the same formats as fp8_e5m2, fp16, bf16 under other names.
  for (auto [generic, named] :
       {std::pair{"e5m2", "fp8_e5m2"}, {"e5m10", "fp16"}, {"e8m7", "bf16"}}) {
    const Format g = Format::parse(generic), n = Format::parse(named);
    CHECK(g.max() == n.max());
    CHECK(g.min_subnormal() == n.min_subnormal());
    CHECK(g.special_values() == n.special_values());
    CHECK_FALSE(g == n);  // equality is by name
  }
}

TEST_CASE("formats: property table (docs/formats.md)") {
  struct Row {
    const char* name;
    int e, m, bias;
    double max, min_normal, min_subnormal;
    bool inf, nan;
  };
  const Row rows[] = {
      {"fp8_e4m3", 4, 3, 7, 448, std::ldexp(1.0, -6), std::ldexp(1.0, -9), false, true},
      {"fp8_e5m2", 5, 2, 15, 57344, std::ldexp(1.0, -14), std::ldexp(1.0, -16), true, true},
      {"fp6_e2m3", 2, 3, 1, 7.5, 1, 0.125, false, false},
      {"fp6_e3m2", 3, 2, 3, 28, 0.25, 0.0625, false, false},
      {"fp4_e2m1", 2, 1, 1, 6, 1, 0.5, false, false},
      {"bf16", 8, 7, 127, 3.3895313892515355e38, std::ldexp(1.0, -126), std::ldexp(1.0, -133), true,
       true},
      {"fp16", 5, 10, 15, 65504, std::ldexp(1.0, -14), std::ldexp(1.0, -24), true, true},
      {"fp32", 8, 23, 127, 3.4028234663852886e38, std::ldexp(1.0, -126), std::ldexp(1.0, -149),
       true, true},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    const Format f = Format::parse(r.name);
    CHECK(f.kind() == FormatKind::kFloat);
    CHECK(f.is_float());
    CHECK_FALSE(f.is_block());
    CHECK(f.bits() == 1 + r.e + r.m);
    CHECK(f.storage_bits() == 1 + r.e + r.m);
    CHECK(f.exponent_bits() == r.e);
    CHECK(f.mantissa_bits() == r.m);
    CHECK(f.exponent_bias() == r.bias);
    CHECK(f.max() == r.max);
    CHECK(f.min_normal() == r.min_normal);
    CHECK(f.min_subnormal() == r.min_subnormal);
    CHECK(f.has_infinity() == r.inf);
    CHECK(f.has_nan() == r.nan);
    CHECK(f.code_count() == (std::uint64_t{1} << f.bits()));
  }
  CHECK(Format::parse("fp8_e4m3").special_values() == "NaN = S.1111.111; no infinity");
  CHECK(Format::parse("fp8_e5m2").special_values() ==
        "infinity = S.11111.00; NaN = S.11111.{01,10,11}");
  CHECK(Format::parse("fp4_e2m1").special_values() == "none");
}

TEST_CASE("formats: MX formats") {
  struct Row {
    const char* name;
    const char* element;
    int bits, emax;
    double max;
  };
  const Row rows[] = {
      {"mxfp8_e4m3", "fp8_e4m3", 8, 8, 448}, {"mxfp8_e5m2", "fp8_e5m2", 8, 15, 57344},
      {"mxfp6_e2m3", "fp6_e2m3", 6, 2, 7.5}, {"mxfp6_e3m2", "fp6_e3m2", 6, 4, 28},
      {"mxfp4_e2m1", "fp4_e2m1", 4, 2, 6},   {"mxint8", "int8", 8, 0, 127.0 / 64},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    const Format f = Format::parse(r.name);
    CHECK(f.is_block());
    CHECK(f.block_size() == 32);
    CHECK(f.scale_bits() == 8);
    CHECK(f.bits() == r.bits);
    CHECK(f.storage_bits() == r.bits + 0.25);
    CHECK(f.element_format().name() == r.element);
    CHECK(f.element_emax() == r.emax);
    CHECK(f.max() == r.max);
    CHECK(f.has_nan());  // the E8M0 scale's 0xFF
  }
  CHECK(Format::parse("mxint8").kind() == FormatKind::kMxInt);
  CHECK(Format::parse("mxint8").is_integer());
  CHECK(Format::parse("mxint8").min_subnormal() == 1.0 / 64);
  CHECK(Format::parse("mxfp4_e2m1").kind() == FormatKind::kMxFloat);
  CHECK(Format::parse("mxfp8_e5m2").has_infinity());
}

TEST_CASE("formats: integer formats") {
  const Format i8 = Format::parse("int8");
  CHECK(i8.kind() == FormatKind::kSignedInt);
  CHECK(i8.is_integer());
  CHECK(i8.bits() == 8);
  CHECK(i8.qmin() == -127);  // narrow range
  CHECK(i8.qmax() == 127);
  CHECK(i8.max() == 127);
  CHECK(i8.min_subnormal() == 1);
  CHECK_FALSE(i8.has_nan());
  CHECK(Format::parse("int2").qmin() == -1);
  CHECK(Format::parse("int16").qmax() == 32767);
  const Format u4 = Format::parse("uint4");
  CHECK(u4.kind() == FormatKind::kUnsignedInt);
  CHECK(u4.qmin() == 0);
  CHECK(u4.qmax() == 15);
  CHECK(Format::parse("uint16").qmax() == 65535);
  // Accumulator widths: int32 is listed, int17..int31 are accepted.
  CHECK(Format::parse("int32").qmax() == 2147483647);
  CHECK(Format::parse("int32").max() == 2147483647.0);
  CHECK(Format::parse("uint32").qmax() == 4294967295);
  CHECK(Format::parse("int24").qmin() == -8388607);
  const Format bin = Format::parse("binary");
  CHECK(bin.bits() == 1);
  CHECK(bin.storage_bits() == 1);
  CHECK(bin.max() == 1);
  const Format ter = Format::parse("ternary");
  CHECK(ter.bits() == 2);
  CHECK(ter.qmin() == -1);
  CHECK(ter.qmax() == 1);
}

TEST_CASE("formats: parse errors list the valid names and suggest one") {
  CHECK_FALSE(Format::try_parse("fp9").has_value());
  CHECK_THROWS_AS((void)Format::parse("fp9"), mpsim::UserError);

  const std::string typo = parse_error("fp8_e4m4");
  CHECK(typo.find("unknown number format 'fp8_e4m4'") != std::string::npos);
  CHECK(typo.find("did you mean fp8_e4m3") != std::string::npos);
  CHECK(typo.find("valid formats: fp32, bf16, fp16") != std::string::npos);
  CHECK(typo.find("int2..int32") != std::string::npos);
  CHECK(typo.find("eXmY") != std::string::npos);

  CHECK(parse_error("mxfp4").find("did you mean mxfp4_e2m1") != std::string::npos);
  CHECK(parse_error("fp8").find("fp8_e4m3") != std::string::npos);
  CHECK(parse_error("float16").find("did you mean fp16") != std::string::npos);
  CHECK(parse_error("int33").find("2..32 bits") != std::string::npos);
  CHECK(parse_error("int64").find("did you mean int32") != std::string::npos);
  CHECK(parse_error("int1").find("did you mean binary") != std::string::npos);
  CHECK(parse_error("e9m2").find("2..8 exponent bits") != std::string::npos);
  CHECK(parse_error("e8m3fn").find("1..7 exponent bits") != std::string::npos);
  CHECK(parse_error("e4m0").find("1..23 mantissa bits") != std::string::npos);
  CHECK(parse_error("e4m24").find("1..23 mantissa bits") != std::string::npos);
  for (const char* bad : {"", "int", "int08", "e04m3", "e4m", "em3", "mxfp8", "uint", "fp8_e4m3 "})
    CHECK_FALSE(Format::try_parse(bad).has_value());
}
