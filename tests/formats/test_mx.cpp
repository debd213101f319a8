// OCP MX block quantization: the floor scale rule, clipping, zero and padded blocks.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "formats/error.h"
#include "formats/mx.h"

using mpsim::Format;
using mpsim::Saturation;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

std::vector<float> block_of(std::vector<float> head, float fill = 0) {
  head.resize(32, fill);
  return head;
}

}  // namespace

TEST_CASE("formats/mx: an all-zero block stays zero") {
  for (const Format& f : mpsim::named_formats()) {
    if (!f.is_block()) continue;
    CAPTURE(f.name());
    std::vector<int> e;
    const std::vector<float> zeros(32, 0.0f);
    const auto out = mpsim::mx_quantize(f, zeros, Saturation::kSaturate, &e);
    CHECK(out == zeros);
    REQUIRE(e.size() == 1);
    CHECK(e[0] == mpsim::kMxMinExponent);
  }
}

TEST_CASE("formats/mx: the floor rule clips the block maximum (mxfp4 7 -> 6)") {
  const Format f = Format::parse("mxfp4_e2m1");
  const auto in = block_of({7, 5, 0.25f, 0.3f, -3.5f, -7});
  std::vector<int> e;
  const auto out = mpsim::mx_quantize(f, in, Saturation::kSaturate, &e);
  CHECK(e == std::vector<int>{0});  // floor(log2 7) - emax_elem = 2 - 2
  CHECK(out[0] == 6);               // clipped
  CHECK(out[1] == 4);               // tie between 4 and 6
  CHECK(out[2] == 0);               // tie between 0 and 0.5
  CHECK(out[3] == 0.5f);
  CHECK(out[4] == -4);
  CHECK(out[5] == -6);
}

TEST_CASE("formats/mx: the shared scale divides and multiplies back") {
  const Format f = Format::parse("mxfp8_e4m3");
  std::vector<float> out(3);
  const std::vector<float> in = {100, 1, -0.01f};
  // floor(log2 100) = 6, emax 8: e = -2, 100 * 4 = 400 ties between 384 and 416 -> 384.
  CHECK(mpsim::mx_quantize_block(f, in, out) == -2);
  CHECK(out[0] == 96);
  CHECK(out[1] == 1);
  CHECK(out[2] == Format::parse("fp8_e4m3").quantize(-0.04f) / 4);
  // mxint8: e = floor(log2 3) - 0 = 1; 3 / 2 * 64 = 96 exactly.
  const Format i = Format::parse("mxint8");
  const std::vector<float> ints = {3, 0.3f, -1};
  CHECK(mpsim::mx_quantize_block(i, ints, out) == 1);
  CHECK(out[0] == 3);
  CHECK(out[1] == std::nearbyint(0.3f / 2 * 64) / 64 * 2);
  CHECK(out[2] == -1);
}

TEST_CASE("formats/mx: mxint8 clamps symmetrically to 127/64") {
  const Format f = Format::parse("mxint8");
  std::vector<float> out(3);
  const std::vector<float> in = {1.999f, -1.999f, 0.3f};
  CHECK(mpsim::mx_quantize_block(f, in, out) == 0);
  CHECK(out[0] == 127.0f / 64);  // 127.94 rounds to 128, clamped
  CHECK(out[1] == -127.0f / 64);
  CHECK(out[2] == 19.0f / 64);
}

TEST_CASE("formats/mx: a short last block is padded with zeros") {
  const Format f = Format::parse("mxfp4_e2m1");
  std::vector<float> in(40, 0.1f);
  in[0] = 6;       // block 0: e = 0, 0.1 rounds to 0
  in[35] = 0.75f;  // block 1 (8 values): e = floor(log2 .75) - 2 = -3
  std::vector<int> e;
  const auto out = mpsim::mx_quantize(f, in, Saturation::kSaturate, &e);
  REQUIRE(out.size() == 40);
  CHECK(e == std::vector<int>{0, -3});
  CHECK(out[1] == 0);
  CHECK(out[35] == 0.75f);
  CHECK(out[36] == 0.125f);  // 0.1 * 8 = 0.8 -> 1, times 1/8
  // The same values in a zero-padded full block give the same result.
  std::vector<float> padded(in.begin() + 32, in.end());
  padded.resize(32, 0);
  const auto full = mpsim::mx_quantize(f, padded);
  for (int i = 0; i < 8; ++i)
    CHECK(full[i] == out[32 + i]);
}

TEST_CASE("formats/mx: NaN or infinity makes the whole block NaN") {
  const Format f = Format::parse("mxfp8_e4m3");
  for (float bad : {kNaN, kInf, -kInf}) {
    auto in = block_of({1, 2, 3});
    in[5] = bad;
    in.push_back(4);  // a second block is unaffected
    std::vector<int> e;
    const auto out = mpsim::mx_quantize(f, in, Saturation::kSaturate, &e);
    CHECK(e[0] == mpsim::kMxNanExponent);
    for (int i = 0; i < 32; ++i)
      CHECK(std::isnan(out[i]));
    CHECK(out[32] == 4);
  }
}

TEST_CASE("formats/mx: the exponent clamps to E8M0's range") {
  const Format f = Format::parse("mxfp4_e2m1");
  std::vector<float> out(2);
  const std::vector<float> tiny = {std::ldexp(1.0f, -140), std::ldexp(1.0f, -128)};
  CHECK(mpsim::mx_quantize_block(f, tiny, out) == -127);
  CHECK(out[0] == 0);
  CHECK(out[1] == std::ldexp(1.0f, -128));  // 2^-128 * 2^127 = 0.5, exactly an element
  const std::vector<float> huge = {std::numeric_limits<float>::max(), 1};
  CHECK(mpsim::mx_quantize_block(f, huge, out) == 125);
  CHECK(out[0] == std::ldexp(1.5f, 127));  // 7.99 clips to 6, times 2^125
}

TEST_CASE("formats/mx: saturation of the elements is an option") {
  const Format f = Format::parse("mxfp8_e5m2");
  std::vector<float> out(1);
  const std::vector<float> in = {65000};  // e = 15 - 15 = 0; 65000 rounds to 65536
  mpsim::mx_quantize_block(f, in, out, Saturation::kSaturate);
  CHECK(out[0] == 57344);
  mpsim::mx_quantize_block(f, in, out, Saturation::kNoSaturate);
  CHECK(out[0] == kInf);
}

TEST_CASE("formats/mx: blocks along a strided axis") {
  const Format f = Format::parse("mxfp6_e3m2");
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  // shape [40, 3], blocks along axis 0: column j of each 32-row slab is one block.
  std::vector<float> x(120);
  for (float& v : x)
    v = dist(rng);
  const std::vector<std::int64_t> shape = {40, 3};
  CHECK(mpsim::mx_block_count(shape, 0) == 6);
  std::vector<float> out(120);
  std::vector<int> e(6);
  mpsim::mx_quantize(f, x, out, shape, 0, Saturation::kSaturate, e);
  for (int j = 0; j < 3; ++j) {
    std::vector<float> column(40);
    for (int i = 0; i < 40; ++i)
      column[i] = x[i * 3 + j];
    std::vector<int> ce;
    const auto expected = mpsim::mx_quantize(f, column, Saturation::kSaturate, &ce);
    for (int i = 0; i < 40; ++i)
      CHECK(out[i * 3 + j] == expected[i]);
    CHECK(e[0 * 3 + j] == ce[0]);
    CHECK(e[1 * 3 + j] == ce[1]);
  }
}

TEST_CASE("formats/mx: matches the rule written out with the element format") {
  std::mt19937 rng(11);
  std::lognormal_distribution<float> mag(0.0f, 2.0f);
  for (const char* name : {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp4_e2m1"}) {
    CAPTURE(name);
    const Format f = Format::parse(name);
    const Format elem = f.element_format();
    std::vector<float> x(32 * 50);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = (i % 3 ? 1.0f : -1.0f) * mag(rng);
    std::vector<int> e;
    const auto out = mpsim::mx_quantize(f, x, Saturation::kSaturate, &e);
    int mismatches = 0;
    for (std::size_t b = 0; b < 50; ++b) {
      float amax = 0;
      for (int i = 0; i < 32; ++i)
        amax = std::max(amax, std::fabs(x[b * 32 + i]));
      const int expect_e = static_cast<int>(std::floor(std::log2(amax))) - f.element_emax();
      CHECK(e[b] == expect_e);
      for (int i = 0; i < 32; ++i) {
        const float v = x[b * 32 + i];
        const float r = std::ldexp(elem.quantize(std::ldexp(v, -expect_e)), expect_e);
        if (r != out[b * 32 + i]) ++mismatches;
      }
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("formats/mx: bad arguments") {
  std::vector<float> out(33);
  const std::vector<float> in(33, 1.0f);
  CHECK_THROWS_AS(mpsim::mx_quantize_block(Format::parse("mxfp4_e2m1"), in, out),
                  std::invalid_argument);
  CHECK_THROWS_WITH_AS(mpsim::mx_quantize(Format::parse("fp4_e2m1"), in),
                       doctest::Contains("not an MX block format"), mpsim::UserError);
}
