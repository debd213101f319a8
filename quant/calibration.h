// Activation ranges from a calibration set: each MAC layer input (and output, for accumulator
// formats) is observed on the fp32 network, first for its min and max, then as a histogram of
// 2048 bins over [-amax, amax]. A format's scale then follows from the chosen rule:
//   max         the observed range (min/max for uint formats, max |x| otherwise);
//   percentile  the p-th percentile of |x| (uint: the (100-p)-th and p-th percentiles);
//   mse         the clip among 100 candidates (0.2 .. 1 x the range) that minimises the
//               histogram's expected squared rounding error (Nagel et al., arXiv 2106.08295).
// Scales do not depend on the weights' formats, so one calibration serves every precision map.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "formats/fake_quant.h"
#include "formats/format.h"

namespace mpsim {

enum class CalibrationMethod { kMax, kPercentile, kMse };

struct CalibrationOptions {
  // MSE by default: on the bundled models it gives the best int8 SQNR and keeps 4-bit
  // activations usable where max loses up to 36 points (docs/evaluator.md "Measured").
  CalibrationMethod method = CalibrationMethod::kMse;
  double percentile = 99.99;  // for kPercentile, in (0, 100]
};

// "max", "mse", "percentile" (99.99) or "percentile:P"; throws UserError naming the valid forms.
CalibrationOptions parse_calibration(const std::string& text);
std::string calibration_name(const CalibrationOptions& c);

class RangeStats {
 public:
  static constexpr int kBins = 2048;

  // Pass 1: the range.
  void observe_range(std::span<const float> x);
  // Fixes the histogram's span to [-amax, amax] of what pass 1 saw.
  void start_histogram();
  // Pass 2: counts.
  void observe(std::span<const float> x);
  void merge(const RangeStats& o);

  bool seen() const { return seen_; }
  float min() const { return min_; }
  float max() const { return max_; }
  bool has_histogram() const { return !hist_.empty(); }

  // The scale (and zero point) of format `f` for this tensor. Floats of 16 bits and more get
  // scale 1; MX formats have no tensor scale (callers use blocks).
  QuantParams params(const Format& f, const CalibrationOptions& c) const;

 private:
  float percentile_abs(double p) const;
  float quantile(double q) const;  // of the signed values
  double expected_error(const Format& f, const QuantParams& p) const;

  bool seen_ = false;
  float min_ = 0, max_ = 0;
  float span_ = 0;  // the histogram covers [-span_, span_]
  std::vector<double> hist_;
};

}  // namespace mpsim
