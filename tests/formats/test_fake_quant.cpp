// Integer (and scaled float) fake quantization per tensor, channel and group; range rules.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "formats/error.h"
#include "formats/fake_quant.h"

using mpsim::Format;
using mpsim::QuantParams;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

std::vector<float> run(const char* format, const std::vector<float>& x, QuantParams p) {
  std::vector<float> out(x.size());
  mpsim::fake_quant(Format::parse(format), x, out, p);
  return out;
}

}  // namespace

TEST_CASE("formats/fake_quant: int8 per tensor rounds half to even and clamps narrow") {
  const auto out = run("int8", {0.25f, 0.75f, 1.25f, -0.25f, 63.5f, 64, -100, 3.1f}, {0.5f, 0});
  const std::vector<float> expected = {0, 1, 1, 0, 63.5f, 63.5f, -63.5f, 3};
  CHECK(out == expected);
  CHECK_FALSE(std::signbit(out[3]));  // no negative zero on an integer grid
  // Narrow range: -128 is never produced.
  CHECK(run("int8", {-1000}, {1, 0})[0] == -127);
  CHECK(run("int4", {-8, 8, 7.4f}, {1, 0}) == std::vector<float>{-7, 7, 7});
}

TEST_CASE("formats/fake_quant: uint8 with a zero point") {
  const auto out = run("uint8", {-5, -6, 122.5f, 123, 0.25f, 0.75f}, {0.5f, 10});
  CHECK(out == std::vector<float>{-5, -5, 122.5f, 122.5f, 0, 1});
  CHECK(mpsim::fake_quant(Format::parse("uint4"), 2.0f, {0.25f, 8}) == 1.75f);  // q clamps at 15
}

TEST_CASE("formats/fake_quant: NaN stays NaN, infinities clamp") {
  const auto out = run("int8", {kNaN, kInf, -kInf}, {0.5f, 0});
  CHECK(std::isnan(out[0]));
  CHECK(out[1] == 63.5f);
  CHECK(out[2] == -63.5f);
}

TEST_CASE("formats/fake_quant: binary and ternary") {
  const auto b = run("binary", {0.3f, -0.1f, 0.0f, -0.0f, kNaN}, {0.5f, 0});
  CHECK(b[0] == 0.5f);
  CHECK(b[1] == -0.5f);
  CHECK(b[2] == 0.5f);  // sign(0) = +1: binary has no zero
  CHECK(b[3] == 0.5f);
  CHECK(std::isnan(b[4]));
  const auto t = run("ternary", {0.9f, 1.0f, 1.1f, -3, 100, -1.0f}, {2, 0});
  CHECK(t == std::vector<float>{0, 0, 2, -2, 2, 0});  // 1.0 / 2 = 0.5: the tie goes to 0
}

TEST_CASE("formats/fake_quant: float formats with a scale") {
  const auto out = run("fp8_e4m3", {1000, 2.125f, 2.375f, -0.0f}, {2, 0});
  CHECK(out[0] == 896);  // 500 saturates to 448, times 2
  CHECK(out[1] == 2);    // 1.0625 ties to 1
  CHECK(out[2] == 2.5f);
  CHECK(std::signbit(out[3]));
  std::vector<float> o(1);
  const std::vector<float> big = {1000};
  mpsim::fake_quant(Format::parse("fp8_e4m3"), big, o, {2, 0}, mpsim::Saturation::kNoSaturate);
  CHECK(std::isnan(o[0]));
  // Scale 1 is the plain conversion.
  CHECK(run("fp4_e2m1", {5, 7, 0.25f}, {}) == std::vector<float>{4, 6, 0});
}

TEST_CASE("formats/fake_quant: range rules") {
  const Format i8 = Format::parse("int8"), u8 = Format::parse("uint8");
  CHECK(mpsim::symmetric_params(i8, 12.7f).scale == 12.7f / 127);
  CHECK(mpsim::symmetric_params(Format::parse("int4"), 7).scale == 1);
  CHECK(mpsim::symmetric_params(Format::parse("fp8_e4m3"), 896).scale == 2);  // amax -> max
  CHECK(mpsim::symmetric_params(Format::parse("ternary"), 3).scale == 3);
  CHECK(mpsim::symmetric_params(i8, 0).scale == 1);
  CHECK(mpsim::symmetric_params(i8, 0).zero_point == 0);

  const QuantParams a = mpsim::asymmetric_params(u8, -1, 3);
  CHECK(a.scale == static_cast<float>(4.0 / 255));
  CHECK(a.zero_point == 64);                                   // round(1 / (4/255)) = round(63.75)
  const QuantParams pos = mpsim::asymmetric_params(u8, 2, 3);  // widened to [0, 3]
  CHECK(pos.scale == static_cast<float>(3.0 / 255));
  CHECK(pos.zero_point == 0);
  const QuantParams neg = mpsim::asymmetric_params(u8, -3, -1);  // widened to [-3, 0]
  CHECK(neg.zero_point == 255);
  CHECK(mpsim::asymmetric_params(u8, 0, 0).scale == 1);
  // Zero is exact; the ends move by the rounding of the zero point (63.75 -> 64).
  CHECK(mpsim::fake_quant(u8, -1.0f, a) == -64 * a.scale);
  CHECK(mpsim::fake_quant(u8, 3.0f, a) == 191 * a.scale);
  CHECK(mpsim::fake_quant(u8, 0.0f, a) == 0.0f);

  const std::vector<float> data = {1, -2, kNaN, kInf, 0.5f};
  CHECK(mpsim::params_from_data(i8, data).scale == 2.0f / 127);
  const QuantParams d = mpsim::params_from_data(u8, data);
  CHECK(d.scale == static_cast<float>(3.0 / 255));
  CHECK(d.zero_point == 170);
}

TEST_CASE("formats/fake_quant: per channel") {
  const Format i8 = Format::parse("int8");
  const std::vector<std::int64_t> shape = {2, 3};
  const std::vector<float> x = {0.4f, 1.6f, -2.5f, 0.4f, 1.6f, -2.5f};
  std::vector<float> out(6);
  const std::vector<QuantParams> rows = {{1, 0}, {0.5f, 0}};
  mpsim::fake_quant_per_channel(i8, x, out, shape, 0, rows);
  CHECK(out == std::vector<float>{0, 2, -2, 0.5f, 1.5f, -2.5f});
  const std::vector<QuantParams> cols = {{1, 0}, {0.5f, 0}, {0.25f, 0}};
  mpsim::fake_quant_per_channel(i8, x, out, shape, -1, cols);
  CHECK(out == std::vector<float>{0, 1.5f, -2.5f, 0, 1.5f, -2.5f});
  // A middle axis: element (o, c, i) uses params[c].
  const std::vector<std::int64_t> shape3 = {2, 2, 2};
  const std::vector<float> y(8, 1.3f);
  std::vector<float> out3(8);
  mpsim::fake_quant_per_channel(i8, y, out3, shape3, 1, rows);
  CHECK(out3 == std::vector<float>{1, 1, 1.5f, 1.5f, 1, 1, 1.5f, 1.5f});
  // In place.
  std::vector<float> inplace = x;
  mpsim::fake_quant_per_channel(i8, inplace, inplace, shape, 0, rows);
  CHECK(inplace == std::vector<float>{0, 2, -2, 0.5f, 1.5f, -2.5f});

  const auto p = mpsim::params_per_channel(i8, x, shape, 1);
  REQUIRE(p.size() == 3);
  CHECK(p[0].scale == 0.4f / 127);
  CHECK(p[1].scale == 1.6f / 127);
  CHECK(p[2].scale == 2.5f / 127);
  const auto pu = mpsim::params_per_channel(Format::parse("uint8"), x, shape, 1);
  CHECK(pu[2].zero_point == 255);
  CHECK(pu[0].zero_point == 0);
}

TEST_CASE("formats/fake_quant: per group along the last axis") {
  const Format i8 = Format::parse("int8");
  const std::vector<std::int64_t> shape = {2, 5};
  const std::vector<float> x(10, 0.3f);
  std::vector<float> out(10);
  // Groups of 2: three per row, the last one short.
  const std::vector<QuantParams> p = {{1, 0},      {0.5f, 0}, {0.25f, 0},
                                      {0.125f, 0}, {1, 0},    {0.5f, 0}};
  mpsim::fake_quant_per_group(i8, x, out, shape, 2, p);
  CHECK(out == std::vector<float>{0, 0, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0, 0, 0.5f});

  const std::vector<float> w = {1, -2, 3, 4, -5, 6, 7, 8, 0, 0};
  const auto g = mpsim::params_per_group(i8, w, shape, 2);
  REQUIRE(g.size() == 6);
  CHECK(g[0].scale == 2.0f / 127);
  CHECK(g[1].scale == 4.0f / 127);
  CHECK(g[2].scale == 5.0f / 127);
  CHECK(g[3].scale == 7.0f / 127);
  CHECK(g[4].scale == 8.0f / 127);
  CHECK(g[5].scale == 1);  // all zero
  // Max rule: every group's largest magnitude survives.
  mpsim::fake_quant_per_group(i8, w, out, shape, 2, g);
  CHECK(out[1] == -2);
  CHECK(out[4] == -5);
  CHECK(out[7] == 8);
}

TEST_CASE("formats/fake_quant: bad arguments") {
  const Format i8 = Format::parse("int8");
  const std::vector<float> x = {1, 2};
  std::vector<float> out(2);
  for (float bad : {0.0f, -1.0f, kNaN, kInf})
    CHECK_THROWS_WITH_AS(mpsim::fake_quant(i8, x, out, {bad, 0}),
                         doctest::Contains("scale must be positive"), mpsim::UserError);
  CHECK_THROWS_WITH_AS(mpsim::fake_quant(i8, x, out, {1, 3}),
                       doctest::Contains("only uint formats have a zero point"), mpsim::UserError);
  CHECK_THROWS_WITH_AS(mpsim::fake_quant(Format::parse("uint4"), x, out, {1, 16}),
                       doctest::Contains("outside uint4's range 0..15"), mpsim::UserError);
  CHECK_THROWS_WITH_AS(mpsim::fake_quant(Format::parse("mxfp4_e2m1"), x, out, {}),
                       doctest::Contains("mx_quantize"), mpsim::UserError);
  CHECK_THROWS_AS(mpsim::asymmetric_params(i8, -1, 1), mpsim::UserError);
  CHECK_THROWS_AS(mpsim::asymmetric_params(Format::parse("uint8"), 2, 1), mpsim::UserError);
  CHECK_THROWS_AS(mpsim::symmetric_params(i8, -1), mpsim::UserError);
  std::vector<float> short_out(1);
  CHECK_THROWS_AS(mpsim::fake_quant(i8, x, short_out, {}), std::invalid_argument);
  const std::vector<std::int64_t> shape = {1, 2};
  const std::vector<QuantParams> one = {{1, 0}};
  CHECK_THROWS_WITH_AS(mpsim::fake_quant_per_channel(i8, x, out, shape, 2, one),
                       doctest::Contains("axis 2 is outside shape [1x2]"), mpsim::UserError);
  CHECK_THROWS_WITH_AS(mpsim::fake_quant_per_channel(i8, x, out, shape, 1, one),
                       doctest::Contains("1 channel parameters for 2 channels"), mpsim::UserError);
  const std::vector<std::int64_t> wrong = {3};
  CHECK_THROWS_AS(mpsim::fake_quant_per_channel(i8, x, out, wrong, 0, one), std::invalid_argument);
  CHECK_THROWS_AS(mpsim::fake_quant_per_group(i8, x, out, shape, 0, one), mpsim::UserError);
}

TEST_CASE("formats/fake_quant: integers wider than fp32's significand") {
  const Format i32 = Format::parse("int32");
  CHECK(i32.quantize(4194304.5f) == 4194304.0f);  // ties to even above 2^22
  CHECK(i32.quantize(4194305.5f) == 4194306.0f);
  CHECK(i32.quantize(8388607.5f) == 8388608.0f);
  CHECK(i32.quantize(-2.5f) == -2.0f);
  CHECK_FALSE(std::signbit(i32.quantize(-0.25f)));
  CHECK(i32.quantize(1e20f) == 2147483520.0f);  // the largest fp32 inside the range
  CHECK(i32.quantize(-1e20f) == -2147483520.0f);
  CHECK(i32.encode(-1e20f) == 0x80000080u);
  CHECK(Format::parse("uint32").encode(1e20f) == 0xffffff00u);
  CHECK(run("int24", {100.5f, -8388608}, {1, 0}) == std::vector<float>{100, -8388607});
  CHECK(std::isnan(run("int32", {kNaN}, {1, 0})[0]));
}
