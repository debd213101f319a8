// Activation calibration rules and the SQNR metric.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "formats/error.h"
#include "quant/calibration.h"
#include "quant/metrics.h"

using namespace mpsim;

namespace {

RangeStats gaussian_with_outlier(unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> x(100000);
  for (auto& v : x)
    v = n(rng);
  x[17] = 40.0f;  // one outlier sets the max
  RangeStats s;
  s.observe_range(x);
  s.start_histogram();
  s.observe(x);
  return s;
}

}  // namespace

TEST_CASE("calibration: max, percentile and MSE on a Gaussian with one outlier") {
  const RangeStats s = gaussian_with_outlier(1);
  CHECK(s.max() == 40.0f);
  const Format int8 = Format::parse("int8");
  const float max_scale = s.params(int8, parse_calibration("max")).scale;
  CHECK(max_scale == doctest::Approx(40.0 / 127));
  // 99.99th percentile of |x| for N(0,1) is about 3.9.
  const float p = s.params(int8, parse_calibration("percentile:99.99")).scale * 127;
  CHECK(p > 3.5f);
  CHECK(p < 4.5f);
  // MSE clips the outlier at 4 bits (the grid would be far too coarse otherwise).
  const float mse = s.params(Format::parse("int4"), parse_calibration("mse")).scale * 7;
  CHECK(mse < 20.0f);
  // uint8: min/max with a zero point.
  const QuantParams u = s.params(Format::parse("uint8"), parse_calibration("max"));
  CHECK(u.zero_point > 0);
  // 16-bit floats and MX formats take no tensor scale.
  CHECK(s.params(Format::parse("bf16"), parse_calibration("mse")).scale == 1.0f);
  CHECK(s.params(Format::parse("mxfp8_e4m3"), parse_calibration("max")).scale == 1.0f);
  // fp8: the range maps onto 448.
  CHECK(s.params(Format::parse("fp8_e4m3"), parse_calibration("max")).scale ==
        doctest::Approx(40.0 / 448));
}

TEST_CASE("calibration: per-thread statistics merge into the whole set's") {
  std::vector<float> a = {-1, 2, 3}, b = {-5, 0.5f};
  RangeStats x, y;
  x.observe_range(a);
  y.observe_range(b);
  x.merge(y);
  CHECK(x.min() == -5.0f);
  CHECK(x.max() == 3.0f);
}

TEST_CASE("calibration: names parse and bad ones are errors") {
  CHECK(parse_calibration("percentile").percentile == 99.99);
  CHECK(parse_calibration("percentile:99.9").percentile == 99.9);
  CHECK(calibration_name(parse_calibration("percentile:99.9")) == "percentile:99.9");
  CHECK(calibration_name(parse_calibration("mse")) == "mse");
  // MSE is the default, so "max" must set its method rather than keep the default.
  CHECK(CalibrationOptions{}.method == CalibrationMethod::kMse);
  CHECK(parse_calibration("max").method == CalibrationMethod::kMax);
  CHECK(calibration_name(parse_calibration("max")) == "max");
  CHECK_THROWS_WITH_AS(parse_calibration("entropy"), doctest::Contains("expected max, mse"),
                       UserError);
  CHECK_THROWS_WITH_AS(parse_calibration("percentile:101"), doctest::Contains("(0, 100]"),
                       UserError);
}

TEST_CASE("metrics: SQNR follows the batch-mean definition") {
  // Two batches of 64 samples, one value each: batch 1 has y = 1, error 0.1 (ratio 1/0.0101);
  // batch 2 has y = 2, error 0 (ratio 4/0.0001).
  SqnrAccumulator s;
  s.resize(128);
  for (int i = 0; i < 128; ++i) {
    const float y = i < 64 ? 1.0f : 2.0f;
    const float q = i < 64 ? 1.1f : 2.0f;
    s.add(i, std::vector<float>{y}, std::vector<float>{q});
  }
  const double expect = 10 * std::log10((1.0 / (0.01 + 1e-4) + 4.0 / 1e-4) / 2);
  CHECK(s.db() == doctest::Approx(expect).epsilon(1e-4));
  SqnrAccumulator same;
  same.resize(3);
  for (int i = 0; i < 3; ++i)
    same.add(i, std::vector<float>{1, 2}, std::vector<float>{1, 2});
  CHECK(std::isinf(same.db()));
  CHECK(argmax(std::vector<float>{0.1f, 3.0f, -1.0f, 3.0f}) == 1);  // first of equal maxima
}
