// Conversion from fp32 at the places where it goes wrong: ties, the top of the range,
// the subnormal range, signed zeros, NaN and infinity; fp16 and bf16 bit patterns.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "formats/format.h"

using mpsim::Format;
using mpsim::Saturation;

namespace {

constexpr auto kSat = Saturation::kSaturate;
constexpr auto kNoSat = Saturation::kNoSaturate;
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

float up(float x) {
  return std::nextafter(x, kInf);
}
float down(float x) {
  return std::nextafter(x, -kInf);
}
float p2(int e) {
  return std::ldexp(1.0f, e);
}

}  // namespace

TEST_CASE("formats: fp8_e4m3 ties go to the even code, both ways") {
  const Format f = Format::parse("fp8_e4m3");
  // 1 + 1/16 lies halfway between 1 (mantissa 000) and 1.125 (001): down to the even 1.
  CHECK(f.quantize(1.0625f) == 1.0f);
  CHECK(f.encode(1.0625f) == 0x38);
  // 1.1875 lies halfway between 1.125 (001) and 1.25 (010): up to the even 1.25.
  CHECK(f.quantize(1.1875f) == 1.25f);
  CHECK(f.encode(1.1875f) == 0x3a);
  CHECK(f.quantize(up(1.0625f)) == 1.125f);
  CHECK(f.quantize(down(1.1875f)) == 1.125f);
  CHECK(f.quantize(-1.0625f) == -1.0f);
  // A tie that carries into the exponent: 1.9375 is halfway between 1.875 and 2.
  CHECK(f.quantize(1.9375f) == 2.0f);
}

TEST_CASE("formats: fp8_e4m3 near max and at the overflow boundary") {
  const Format f = Format::parse("fp8_e4m3");
  CHECK(f.quantize(448) == 448);
  CHECK(f.quantize(449, kNoSat) == 448);
  CHECK(f.quantize(463.9f, kNoSat) == 448);
  // 464 is halfway between 448 (S.1111.110) and 480 (the NaN pattern's magnitude): the tie goes
  // to the even 448, so only values above 464 overflow.
  CHECK(f.quantize(464, kNoSat) == 448);
  CHECK(f.encode(464, kNoSat) == 0x7e);
  CHECK(std::isnan(f.quantize(up(464), kNoSat)));
  CHECK(f.encode(up(464), kNoSat) == 0x7f);
  CHECK(f.encode(-up(464), kNoSat) == 0xff);
  CHECK(f.quantize(up(464), kSat) == 448);
  CHECK(f.quantize(-1e6f, kSat) == -448);
  CHECK(std::isnan(f.quantize(1e6f, kNoSat)));
  // Infinity: saturating conversion clamps it (ONNX saturate=1, PTX .satfinite); otherwise NaN.
  CHECK(f.quantize(kInf, kSat) == 448);
  CHECK(f.quantize(-kInf, kSat) == -448);
  CHECK(std::isnan(f.quantize(kInf, kNoSat)));
  CHECK(f.quantize(416) == 416);
  CHECK(f.quantize(432) == 448);  // halfway between 416 (101) and 448 (110): even
}

TEST_CASE("formats: fp8_e5m2 overflows to infinity") {
  const Format f = Format::parse("fp8_e5m2");
  CHECK(f.quantize(57344, kNoSat) == 57344);
  // 61440 is halfway between 57344 (S.11110.11) and 65536: the tie goes to the even 65536,
  // which overflows.
  CHECK(f.quantize(down(61440), kNoSat) == 57344);
  CHECK(f.quantize(61440, kNoSat) == kInf);
  CHECK(f.encode(61440, kNoSat) == 0x7c);
  CHECK(f.quantize(-61440, kNoSat) == -kInf);
  CHECK(f.encode(-61440, kNoSat) == 0xfc);
  CHECK(f.quantize(61440, kSat) == 57344);
  CHECK(f.quantize(kInf, kNoSat) == kInf);
  CHECK(f.quantize(kInf, kSat) == 57344);
  CHECK(f.quantize(-kInf, kSat) == -57344);
  CHECK(f.quantize(1.125f) == 1.0f);  // tie: 1.00 is even
  CHECK(f.quantize(1.375f) == 1.5f);  // tie: 1.10 is even
}

TEST_CASE("formats: subnormal boundaries") {
  struct Case {
    const char* name;
    float min_sub;
  };
  for (Case c : {Case{"fp8_e4m3", p2(-9)}, Case{"fp8_e5m2", p2(-16)}, Case{"fp6_e2m3", 0.125f},
                 Case{"fp6_e3m2", 0.0625f}, Case{"fp4_e2m1", 0.5f}, Case{"fp16", p2(-24)},
                 Case{"bf16", p2(-133)}}) {
    CAPTURE(c.name);
    const Format f = Format::parse(c.name);
    const float half = c.min_sub / 2;
    CHECK(f.quantize(half) == 0.0f);  // tie with 0: even is 0
    CHECK_FALSE(std::signbit(f.quantize(half)));
    CHECK(f.quantize(up(half)) == c.min_sub);  // just above rounds up
    CHECK(f.quantize(down(half)) == 0.0f);
    CHECK(f.quantize(3 * half) == 2 * c.min_sub);  // tie between codes 1 and 2: even is 2
    CHECK(f.quantize(c.min_sub) == c.min_sub);
    CHECK(f.encode(c.min_sub) == 1);
    CHECK(f.quantize(-half) == 0.0f);
    CHECK(std::signbit(f.quantize(-half)));  // underflow keeps the sign
    CHECK(f.quantize(-up(half)) == -c.min_sub);
    // The top of the subnormal range rounds up into the smallest normal.
    const float min_normal = static_cast<float>(f.min_normal());
    CHECK(f.quantize(down(min_normal)) == min_normal);
  }
}

TEST_CASE("formats: signed zeros and NaN") {
  for (const char* name : {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "fp8_e4m3", "fp8_e5m2", "fp16",
                           "bf16", "fp32", "e3m4"}) {
    CAPTURE(name);
    const Format f = Format::parse(name);
    CHECK(f.quantize(0.0f) == 0.0f);
    CHECK_FALSE(std::signbit(f.quantize(0.0f)));
    CHECK(std::signbit(f.quantize(-0.0f)));
    CHECK(f.encode(0.0f) == 0);
    CHECK(f.encode(-0.0f) == std::uint32_t{1} << (f.bits() - 1));
    CHECK(std::signbit(f.decode(f.encode(-0.0f))));
    // NaN stays NaN through quantize in every format, encodable or not.
    CHECK(std::isnan(f.quantize(kNaN)));
    CHECK(std::isnan(f.quantize(kNaN, kNoSat)));
    CHECK(std::isnan(f.quantize(-kNaN)));
  }
  // Integer grids have no signed zero.
  CHECK_FALSE(std::signbit(Format::parse("int8").quantize(-0.0f)));
  CHECK_FALSE(std::signbit(Format::parse("int8").quantize(-0.3f)));
  CHECK(std::isnan(Format::parse("int8").quantize(kNaN)));
  CHECK(std::isnan(Format::parse("binary").quantize(kNaN)));
}

TEST_CASE("formats: FP6 and FP4 always saturate") {
  for (Saturation s : {kSat, kNoSat}) {
    CHECK(Format::parse("fp4_e2m1").quantize(7, s) == 6);  // 7 is past 6: clipped
    CHECK(Format::parse("fp4_e2m1").quantize(100, s) == 6);
    CHECK(Format::parse("fp4_e2m1").quantize(-kInf, s) == -6);
    CHECK(Format::parse("fp6_e2m3").quantize(8, s) == 7.5f);
    CHECK(Format::parse("fp6_e3m2").quantize(30, s) == 28);
    CHECK(Format::parse("fp6_e3m2").quantize(kInf, s) == 28);
  }
  const Format f = Format::parse("fp4_e2m1");
  CHECK(f.quantize(5) == 4);      // halfway between 4 (1.0 x 2^2) and 6 (1.1 x 2^2)
  CHECK(f.quantize(2.5f) == 2);   // halfway between 2 and 3
  CHECK(f.quantize(3.5f) == 4);   // halfway between 3 and 4
  CHECK(f.quantize(0.25f) == 0);  // halfway between 0 and 0.5
  CHECK(f.quantize(0.75f) == 1);  // halfway between 0.5 (00.1) and 1 (01.0)
  CHECK(f.quantize(1.25f) == 1);
  CHECK(f.quantize(-5.01f) == -6);
}

TEST_CASE("formats: fp16 bit patterns") {
  const Format f = Format::parse("fp16");
  CHECK(f.encode(1.0f) == 0x3c00);
  CHECK(f.encode(-2.0f) == 0xc000);
  CHECK(f.encode(65504.0f) == 0x7bff);
  CHECK(f.encode(65519.0f, kNoSat) == 0x7bff);
  CHECK(f.encode(65520.0f, kNoSat) == 0x7c00);  // halfway to 65536: even, overflow
  CHECK(f.quantize(65520.0f, kNoSat) == kInf);
  CHECK(f.encode(65520.0f, kSat) == 0x7bff);
  CHECK(f.encode(-kInf, kNoSat) == 0xfc00);
  CHECK(f.encode(p2(-24)) == 0x0001);
  CHECK(f.encode(p2(-25)) == 0x0000);
  CHECK(f.encode(up(p2(-25))) == 0x0001);
  CHECK(f.encode(p2(-14)) == 0x0400);
  CHECK(f.encode(p2(-14) - p2(-24)) == 0x03ff);  // largest subnormal
  CHECK(f.encode(0.1f) == 0x2e66);
  CHECK(f.encode(1.0f + p2(-11)) == 0x3c00);      // tie, even stays
  CHECK(f.encode(1.0f + 3 * p2(-11)) == 0x3c02);  // tie, even goes up
  CHECK(f.decode(0x3555) == 0.333251953125f);
  CHECK(f.decode(0x8001) == -p2(-24));
}

TEST_CASE("formats: bf16 bit patterns") {
  const Format f = Format::parse("bf16");
  CHECK(f.encode(1.0f) == 0x3f80);
  CHECK(f.encode(1.0f + p2(-8)) == 0x3f80);      // halfway, even stays at 1
  CHECK(f.encode(1.0f + 3 * p2(-8)) == 0x3f82);  // halfway, even goes up
  CHECK(f.encode(up(1.0f + p2(-8))) == 0x3f81);
  CHECK(f.encode(3.14159265f) == 0x4049);
  CHECK(f.quantize(3.14159265f) == 3.140625f);
  CHECK(f.encode(-2.0f) == 0xc000);
  CHECK(f.decode(0x7f7f) == 3.38953139e38f);
  CHECK(f.encode(std::numeric_limits<float>::max(), kNoSat) == 0x7f80);  // rounds past max
  CHECK(f.encode(std::numeric_limits<float>::max(), kSat) == 0x7f7f);
  CHECK(f.encode(p2(-126)) == 0x0080);
  CHECK(f.encode(p2(-133)) == 0x0001);
  CHECK(f.encode(p2(-134)) == 0x0000);
  CHECK(f.encode(3 * p2(-134)) == 0x0002);
  CHECK(f.encode(std::numeric_limits<float>::denorm_min()) == 0x0000);
}

TEST_CASE("formats: fp32 is the identity") {
  const Format f = Format::parse("fp32");
  for (float x : {0.1f, -3.0e38f, p2(-149), kInf, -kInf, 1.0f / 3.0f}) {
    CHECK(f.quantize(x) == x);
    CHECK(f.quantize(x, kNoSat) == x);
    CHECK(f.encode(x) == std::bit_cast<std::uint32_t>(x));
    CHECK(f.decode(f.encode(x)) == x);
  }
  CHECK(std::isnan(f.quantize(kNaN)));
  CHECK(f.encode(kNaN) == std::bit_cast<std::uint32_t>(kNaN));
}

TEST_CASE("formats: generic eXmY") {
  // e4m3 is IEEE-style: 240 is the largest finite value and the top binade is inf/NaN.
  const Format e4m3 = Format::parse("e4m3");
  CHECK(e4m3.quantize(240) == 240);
  CHECK(e4m3.quantize(247.9f, kNoSat) == 240);
  CHECK(e4m3.quantize(248, kNoSat) == kInf);  // halfway to 256: even, overflow
  CHECK(e4m3.encode(kInf, kNoSat) == 0x78);
  // e3m4 (bias 3): steps of 1/16 between 1 and 2.
  const Format e3m4 = Format::parse("e3m4");
  CHECK(e3m4.quantize(1.03125f) == 1.0f);
  CHECK(e3m4.quantize(1.09375f) == 1.125f);
  CHECK(e3m4.quantize(16.0f, kNoSat) == kInf);
  CHECK(e3m4.quantize(16.0f) == 15.5f);
  // e4m3fn behaves as fp8_e4m3.
  const Format fn = Format::parse("e4m3fn"), ocp = Format::parse("fp8_e4m3");
  for (std::uint32_t c = 0; c < 256; ++c) {
    const float a = fn.decode(c), b = ocp.decode(c);
    CHECK((a == b || (std::isnan(a) && std::isnan(b))));
  }
}
