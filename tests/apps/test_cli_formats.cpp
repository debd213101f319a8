// `mpsim formats` and `mpsim quantize`, run in-process.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "formats/format.h"
#include "tests/test_support.h"

using mpsim::test::run_cli;

namespace {

std::string lines(std::initializer_list<const char*> values) {
  std::string s;
  for (const char* v : values)
    s += std::string(v) + "\n";
  return s;
}

}  // namespace

TEST_CASE("cli formats: the table lists every named format") {
  const auto r = run_cli({"formats"});
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  for (const char* name :
       {"fp32", "bf16", "fp16", "fp8_e5m2", "fp8_e4m3", "fp6_e3m2", "fp6_e2m3", "fp4_e2m1",
        "mxfp8_e4m3", "mxint8", "int8", "uint4", "ternary", "binary"})
    CHECK(r.out.find(std::string("\n") + name + " ") != std::string::npos);
  CHECK(r.out.find("NaN = S.1111.111; no infinity") != std::string::npos);
  CHECK(r.out.find("eXmY") != std::string::npos);
}

TEST_CASE("cli formats: csv and json carry exact values") {
  const auto csv = run_cli({"formats", "--format", "csv"});
  REQUIRE(csv.status == 0);
  CHECK(csv.out.rfind("name,kind,bits,storage_bits,block_size,max,min_normal,min_subnormal,"
                      "special_values\n",
                      0) == 0);
  CHECK(csv.out.find("\nfp8_e4m3,float,8,8,1,448,0.015625,0.001953125,") != std::string::npos);
  CHECK(csv.out.find("\nmxfp4_e2m1,mx-float,4,4.25,32,6,1,0.5,") != std::string::npos);
  CHECK(csv.out.find("\nfp16,float,16,16,1,65504,6.103515625e-05,5.960464477539063e-08,") !=
        std::string::npos);

  const auto js = run_cli({"formats", "--format", "json"});
  REQUIRE(js.status == 0);
  const auto j = nlohmann::json::parse(js.out);
  REQUIRE(j.is_array());
  CHECK(j.size() == mpsim::format_names().size());
  bool seen = false;
  for (const auto& e : j) {
    if (e["name"] != "fp8_e5m2") continue;
    seen = true;
    CHECK(e["max"] == 57344.0);
    CHECK(e["min_subnormal"] == 1.52587890625e-05);
    CHECK(e["has_infinity"] == true);
    CHECK(e["exponent_bias"] == 15);
    CHECK(e["special_values"] == "infinity = S.11111.00; NaN = S.11111.{01,10,11}");
  }
  CHECK(seen);
}

TEST_CASE("cli formats: a bad --format is a usage error") {
  const auto r = run_cli({"formats", "--format", "xml"});
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("xml") != std::string::npos);
}

TEST_CASE("cli quantize: fp8_e4m3, saturating by default") {
  const std::string in = lines({"0.1", "3.7", "-500", "464", "nan", "inf", "-inf", "-0", "1e-9"});
  const auto sat = run_cli({"quantize", "--format", "fp8_e4m3"}, in);
  REQUIRE(sat.status == 0);
  CHECK(sat.err.empty());
  CHECK(sat.out == lines({"0.1015625", "3.75", "-448", "448", "nan", "448", "-448", "-0", "0"}));
  CHECK(run_cli({"quantize", "--format", "fp8_e4m3", "--saturate"}, in).out == sat.out);
  const auto nosat = run_cli({"quantize", "--format", "fp8_e4m3", "--no-saturate"}, in);
  REQUIRE(nosat.status == 0);
  CHECK(nosat.out == lines({"0.1015625", "3.75", "nan", "448", "nan", "nan", "nan", "-0", "0"}));
}

TEST_CASE("cli quantize: infinities in fp8_e5m2 and fp16") {
  const std::string in = lines({"61440", "-1e6", "inf", "65520"});
  CHECK(run_cli({"quantize", "--format", "fp8_e5m2", "--no-saturate"}, in).out ==
        lines({"inf", "-inf", "inf", "inf"}));
  CHECK(run_cli({"quantize", "--format", "fp16", "--no-saturate"}, in).out ==
        lines({"61440", "-inf", "inf", "inf"}));
  CHECK(run_cli({"quantize", "--format", "fp16"}, in).out ==
        lines({"61440", "-65504", "65504", "65504"}));
}

TEST_CASE("cli quantize: floats with a scale, and fp32") {
  CHECK(run_cli({"quantize", "--format", "fp4_e2m1", "--scale", "0.5"}, lines({"2.5", "10"})).out ==
        lines({"2", "3"}));  // 5 -> 4 (tie), 20 -> 6
  CHECK(run_cli({"quantize", "--format", "fp32"}, lines({"0.1", "-inf", "0x1p-149"})).out ==
        lines({"0.100000001", "-inf", "1.40129846e-45"}));
}

TEST_CASE("cli quantize: integers take their scale from the data") {
  // Symmetric int8: scale = 2/127; 1 -> round(63.5) = 64 -> 64 * 2/127.
  const auto r = run_cli({"quantize", "--format", "int8"}, lines({"2", "-1", "1", "0"}));
  REQUIRE(r.status == 0);
  std::istringstream out(r.out);
  float a, b, c, d;
  out >> a >> b >> c >> d;
  CHECK(a == 2.0f);
  CHECK(b == doctest::Approx(-64 * 2.0 / 127).epsilon(1e-7));
  CHECK(c == doctest::Approx(64 * 2.0 / 127).epsilon(1e-7));
  CHECK(d == 0.0f);
  // uint2 over [-1, 2]: scale 1, zero point 1.
  CHECK(run_cli({"quantize", "--format", "uint2"}, lines({"-1", "2", "0.4", "1.6"})).out ==
        lines({"-1", "2", "0", "2"}));
  // Given scale and zero point.
  CHECK(run_cli({"quantize", "--format", "uint8", "--scale", "0.5", "--zero-point", "10"},
                lines({"-5", "-6", "123", "0.75"}))
            .out == lines({"-5", "-5", "122.5", "1"}));
  CHECK(run_cli({"quantize", "--format", "ternary", "--scale", "2"}, lines({"0.9", "1.1", "-9"}))
            .out == lines({"0", "2", "-2"}));
  CHECK(run_cli({"quantize", "--format", "binary"}, lines({"0.5", "-3", "0"})).out ==
        lines({"3", "-3", "3"}));
}

TEST_CASE("cli quantize: MX blocks of 32 lines") {
  std::string in = lines({"7", "5", "0.3"});
  for (int i = 0; i < 29; ++i)
    in += "0\n";
  in += lines({"0.75", "0.1"});  // a short second block
  const auto r = run_cli({"quantize", "--format", "mxfp4_e2m1"}, in);
  REQUIRE(r.status == 0);
  std::string expected = lines({"6", "4", "0.5"});
  for (int i = 0; i < 29; ++i)
    expected += "0\n";
  expected += lines({"0.75", "0.125"});
  CHECK(r.out == expected);
  CHECK(run_cli({"quantize", "--format", "mxint8"}, lines({"1.999", "0.3"})).out ==
        lines({"1.984375", "0.296875"}));
}

TEST_CASE("cli quantize: empty input prints nothing") {
  const auto r = run_cli({"quantize", "--format", "int8"}, "");
  CHECK(r.status == 0);
  CHECK(r.out.empty());
}

TEST_CASE("cli quantize: a bad line names its number and prints nothing") {
  const auto r = run_cli({"quantize", "--format", "fp8_e4m3"}, lines({"1", "2", "abc", "4"}));
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("stdin:3: expected a number, found 'abc'") != std::string::npos);
  const auto blank = run_cli({"quantize", "--format", "int8"}, lines({"1", "", "2"}));
  CHECK(blank.status == 2);
  CHECK(blank.out.empty());
  CHECK(blank.err.find("stdin:2: expected a number, found an empty line") != std::string::npos);
  CHECK(run_cli({"quantize", "--format", "int8"}, lines({"1.5x"})).err.find("'1.5x'") !=
        std::string::npos);
  // Surrounding spaces and CRLF line ends are fine.
  CHECK(run_cli({"quantize", "--format", "fp32"}, " 1.5 \r\n").out == "1.5\n");
}

TEST_CASE("cli quantize: option errors") {
  auto err = [](std::vector<std::string> args) {
    const auto r = run_cli(args, "1\n");
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    return r.err;
  };
  const std::string unknown = err({"quantize", "--format", "fp8_e4m4"});
  CHECK(unknown.find("unknown number format 'fp8_e4m4'") != std::string::npos);
  CHECK(unknown.find("did you mean fp8_e4m3") != std::string::npos);
  CHECK(unknown.find("valid formats:") != std::string::npos);
  CHECK(err({"quantize", "--format", "int8", "--scale", "0"}).find("--scale must be a positive") !=
        std::string::npos);
  CHECK(err({"quantize", "--format", "int8", "--scale", "-2"}).find("--scale must be a positive") !=
        std::string::npos);
  CHECK(err({"quantize", "--format", "int8", "--scale", "1", "--zero-point", "3"})
            .find("--zero-point applies to uint formats only") != std::string::npos);
  CHECK(err({"quantize", "--format", "uint8", "--zero-point", "3"}).find("needs --scale") !=
        std::string::npos);
  CHECK(err({"quantize", "--format", "uint4", "--scale", "1", "--zero-point", "16"})
            .find("outside uint4's range 0..15") != std::string::npos);
  CHECK(err({"quantize", "--format", "mxfp4_e2m1", "--scale", "2"}).find("MX blocks") !=
        std::string::npos);
  CHECK(err({"quantize", "--format", "fp8_e4m3", "--saturate", "--no-saturate"}).find("excludes") !=
        std::string::npos);
  CHECK(err({"quantize"}).find("--format") != std::string::npos);
}
