// Element codes: every code of the small formats decodes and re-encodes to itself, and the
// conversion agrees with an independent (slow, double-precision) reference.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "formats/error.h"
#include "formats/format.h"

using mpsim::Format;
using mpsim::Saturation;

namespace {

constexpr const char* kSmallFloats[] = {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "fp8_e4m3",
                                        "fp8_e5m2", "e3m4",     "e4m3",     "e2m1fn"};

bool same_float(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

// Round to nearest even by scaling in double: a different algorithm from the library's bit
// manipulation. Overflow follows the OCP rules.
float reference(const Format& f, float x, bool saturate) {
  if (std::isnan(x)) return x;
  const double a = std::fabs(static_cast<double>(x));
  const int emin = 1 - f.exponent_bias();
  double r = a;
  if (!std::isinf(a)) {
    const int e = a == 0 ? emin : std::max(std::ilogb(a), emin);
    const double step = std::ldexp(1.0, e - f.mantissa_bits());
    r = std::nearbyint(a / step) * step;
  }
  if (r > f.max()) {
    if (saturate || !f.has_nan())
      r = f.max();
    else if (f.has_infinity())
      r = std::numeric_limits<double>::infinity();
    else
      return std::copysign(std::numeric_limits<float>::quiet_NaN(), x);
  }
  return static_cast<float>(std::copysign(r, static_cast<double>(x)));
}

}  // namespace

TEST_CASE("formats: every float code decodes and re-encodes to itself") {
  for (const char* name : kSmallFloats) {
    CAPTURE(name);
    const Format f = Format::parse(name);
    const std::uint32_t sign = 1u << (f.bits() - 1);
    int nan_codes = 0;
    for (std::uint32_t c = 0; c < f.code_count(); ++c) {
      CAPTURE(c);
      const float v = f.decode(c);
      for (Saturation s : {Saturation::kSaturate, Saturation::kNoSaturate}) {
        const std::uint32_t back = f.encode(v, s);
        if (std::isnan(v)) {
          ++nan_codes;
          CHECK(std::isnan(f.decode(back)));
          CHECK((back & sign) == (c & sign));  // NaN keeps its sign
        } else if (std::isinf(v) && s == Saturation::kSaturate) {
          CHECK(back == (f.encode(static_cast<float>(f.max())) | (c & sign)));
        } else {
          CHECK(back == c);
        }
        if (!std::isinf(v)) CHECK(same_float(f.quantize(v, s), v));
      }
    }
    // IEEE: every non-zero fraction in the top binade, both signs; E4M3-style: S.1..1.1..1.
    const int expected_nans = f.has_infinity() ? 2 * ((1 << f.mantissa_bits()) - 1)
                              : f.has_nan()    ? 2
                                               : 0;
    CHECK(nan_codes / 2 == expected_nans);
  }
}

TEST_CASE("formats: NaN codes of each small float") {
  CHECK(std::isnan(Format::parse("fp8_e4m3").decode(0x7f)));
  CHECK(std::isnan(Format::parse("fp8_e4m3").decode(0xff)));
  CHECK(Format::parse("fp8_e4m3").decode(0x7e) == 448);
  CHECK(Format::parse("fp8_e4m3").decode(0x77) == 240);  // S.1110.111 is finite in E4M3
  const Format e5m2 = Format::parse("fp8_e5m2");
  CHECK(e5m2.decode(0x7c) == std::numeric_limits<float>::infinity());
  CHECK(e5m2.decode(0xfc) == -std::numeric_limits<float>::infinity());
  for (std::uint32_t c : {0x7du, 0x7eu, 0x7fu})
    CHECK(std::isnan(e5m2.decode(c)));
  CHECK(e5m2.decode(0x7b) == 57344);
  // FP6 and FP4 have no special codes: the all-ones codes are their maxima.
  CHECK(Format::parse("fp6_e2m3").decode(0x1f) == 7.5f);
  CHECK(Format::parse("fp6_e3m2").decode(0x3f) == -28.0f);
  CHECK(Format::parse("fp4_e2m1").decode(0x7) == 6.0f);
  CHECK(Format::parse("fp4_e2m1").decode(0xf) == -6.0f);
  // Encoding NaN picks the canonical NaN: E4M3 S.1111.111, IEEE quiet (top fraction bit).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(Format::parse("fp8_e4m3").encode(nan) == 0x7f);
  CHECK(Format::parse("fp8_e4m3").encode(-nan) == 0xff);
  CHECK(e5m2.encode(nan) == 0x7e);
  CHECK(Format::parse("fp16").encode(nan) == 0x7e00);
}

TEST_CASE("formats: fp4_e2m1 decodes to the OCP magnitudes") {
  const Format f = Format::parse("fp4_e2m1");
  const float expected[] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (std::uint32_t c = 0; c < 8; ++c) {
    CHECK(f.decode(c) == expected[c]);
    CHECK(f.decode(c | 8) == -expected[c]);
  }
  CHECK(std::signbit(f.decode(8)));  // S.00.0 with S set is -0
}

TEST_CASE("formats: integer codes decode and re-encode to themselves") {
  for (const char* name :
       {"int2", "int4", "int8", "uint2", "uint4", "uint8", "ternary", "binary"}) {
    CAPTURE(name);
    const Format f = Format::parse(name);
    for (std::uint32_t c = 0; c < f.code_count(); ++c) {
      CAPTURE(c);
      const float v = f.decode(c);
      if (v < f.qmin()) {
        // Narrow range: -2^(b-1) is a valid two's complement pattern that quantization never
        // produces; it encodes to qmin.
        CHECK(v == f.qmin() - 1);
        CHECK(f.decode(f.encode(v)) == f.qmin());
        continue;
      }
      CHECK(f.encode(v) == c);
      CHECK(f.quantize(v) == v);
    }
  }
  CHECK(Format::parse("int8").decode(0xff) == -1);
  CHECK(Format::parse("int8").decode(0x81) == -127);
  CHECK(Format::parse("int8").encode(-1000) == 0x81);
  CHECK(Format::parse("uint8").decode(0xff) == 255);
  CHECK(Format::parse("binary").decode(0) == -1);
  CHECK(Format::parse("binary").decode(1) == 1);
  CHECK(Format::parse("ternary").decode(3) == -1);
  CHECK(Format::parse("int16").encode(-32767) == 0x8001);
}

TEST_CASE("formats: code errors") {
  CHECK_THROWS_AS((void)Format::parse("fp8_e4m3").decode(256), mpsim::UserError);
  CHECK_THROWS_AS((void)Format::parse("int4").decode(16), mpsim::UserError);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const char* name : {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "int8", "uint8", "binary"}) {
    CAPTURE(name);
    CHECK_THROWS_WITH_AS((void)Format::parse(name).encode(nan),
                         doctest::Contains("has no NaN encoding"), mpsim::UserError);
  }
  CHECK_THROWS_WITH_AS((void)Format::parse("mxfp4_e2m1").encode(1.0f),
                       doctest::Contains("block format"), mpsim::UserError);
  CHECK_THROWS_AS((void)Format::parse("mxint8").quantize(1.0f), mpsim::UserError);
  CHECK_THROWS_AS((void)Format::parse("mxfp8_e4m3").decode(1), mpsim::UserError);
}

TEST_CASE("formats: conversion matches a double-precision reference") {
  const char* names[] = {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "fp8_e4m3", "fp8_e5m2", "fp16",
                         "bf16",     "e3m4",     "e4m3",     "e2m1fn",   "e5m10fn",  "e7m12"};
  for (const char* name : names) {
    CAPTURE(name);
    const Format f = Format::parse(name);
    int mismatches = 0;
    // A stride through every fp32 bit pattern (both signs, subnormals, infinities, NaN).
    for (std::uint64_t b = 0; b <= 0xffffffffu; b += 4093) {
      const float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
      for (bool sat : {true, false}) {
        const Saturation s = sat ? Saturation::kSaturate : Saturation::kNoSaturate;
        if (!same_float(f.quantize(x, s), reference(f, x, sat)) && ++mismatches < 5)
          FAIL_CHECK("x = " << x << " sat " << sat << ": " << f.quantize(x, s) << " vs "
                            << reference(f, x, sat));
      }
    }
    // Every midpoint between adjacent positive codes (codes of positive values increase with
    // the value), its neighbours on either side, the midpoint above max, and their negatives.
    const std::uint32_t max_code = f.encode(static_cast<float>(f.max()));
    const float top_step = static_cast<float>(f.max() - f.decode(max_code - 1));
    for (std::uint32_t c = 0; c <= max_code; ++c) {
      const float v = f.decode(c);
      const float next = c < max_code ? f.decode(c + 1) : v + top_step;
      const float mid = v + (next - v) / 2;
      for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e30f)})
        for (float sx : {x, -x})
          for (bool sat : {true, false}) {
            const Saturation s = sat ? Saturation::kSaturate : Saturation::kNoSaturate;
            if (!same_float(f.quantize(sx, s), reference(f, sx, sat)) && ++mismatches < 5)
              FAIL_CHECK("x = " << sx << ": " << f.quantize(sx, s) << " vs "
                                << reference(f, sx, sat));
          }
    }
    CHECK(mismatches == 0);
  }
}

#ifdef __FLT16_MAX__
TEST_CASE("formats: fp16 matches the compiler's _Float16 conversion") {
  const Format f = Format::parse("fp16");
  int mismatches = 0;
  for (std::uint64_t b = 0; b <= 0xffffffffu; b += 1021) {
    const float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
    const auto h = static_cast<_Float16>(x);
    if (!same_float(f.quantize(x, Saturation::kNoSaturate), static_cast<float>(h))) ++mismatches;
    if (!std::isnan(x) && f.encode(x, Saturation::kNoSaturate) != std::bit_cast<std::uint16_t>(h))
      ++mismatches;
  }
  CHECK(mismatches == 0);
}
#endif
