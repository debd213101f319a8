#include "quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "formats/error.h"

namespace mpsim {

namespace {
constexpr int kCandidates = 100;
}

CalibrationOptions parse_calibration(const std::string& text) {
  CalibrationOptions c;
  if (text == "max") {
    c.method = CalibrationMethod::kMax;
    return c;
  }
  if (text == "mse") {
    c.method = CalibrationMethod::kMse;
    return c;
  }
  if (text == "percentile" || text.rfind("percentile:", 0) == 0) {
    c.method = CalibrationMethod::kPercentile;
    if (text.size() > 11) {
      const std::string v = text.substr(11);
      char* end = nullptr;
      c.percentile = std::strtod(v.c_str(), &end);
      if (end != v.c_str() + v.size() || !(c.percentile > 0 && c.percentile <= 100))
        throw UserError("calibration " + quote(text) +
                        ": the percentile must be a number in (0, 100]");
    }
    return c;
  }
  throw UserError("unknown calibration '" + text +
                  "'; expected max, mse, percentile or percentile:P (e.g. percentile:99.9)");
}

std::string calibration_name(const CalibrationOptions& c) {
  switch (c.method) {
    case CalibrationMethod::kMax:
      return "max";
    case CalibrationMethod::kMse:
      return "mse";
    case CalibrationMethod::kPercentile: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "percentile:%g", c.percentile);
      return buf;
    }
  }
  return "?";
}

void RangeStats::observe_range(std::span<const float> x) {
  float lo = seen_ ? min_ : 0.0f, hi = seen_ ? max_ : 0.0f;
  for (float v : x)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  min_ = lo;
  max_ = hi;
  seen_ = true;
}

void RangeStats::start_histogram() {
  span_ = std::max(-min_, max_);
  hist_.assign(kBins, 0.0);
}

void RangeStats::observe(std::span<const float> x) {
  if (span_ <= 0) {
    hist_[kBins / 2] += static_cast<double>(x.size());
    return;
  }
  const float k = kBins / (2 * span_);
  for (float v : x) {
    if (!std::isfinite(v)) continue;
    const int b = std::clamp(static_cast<int>((v + span_) * k), 0, kBins - 1);
    hist_[static_cast<std::size_t>(b)] += 1;
  }
}

void RangeStats::merge(const RangeStats& o) {
  if (!o.seen_) return;
  if (!seen_) {
    *this = o;
    return;
  }
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
  if (o.hist_.size() == hist_.size())
    for (std::size_t i = 0; i < hist_.size(); ++i)
      hist_[i] += o.hist_[i];
}

float RangeStats::percentile_abs(double p) const {
  // Bins i and kBins-1-i cover the same |x|: fold them, count from the centre outwards.
  double total = 0;
  for (double h : hist_)
    total += h;
  const double want = total * p / 100.0;
  double acc = 0;
  const float width = 2 * span_ / kBins;
  for (int i = 0; i < kBins / 2; ++i) {
    acc += hist_[static_cast<std::size_t>(kBins / 2 + i)] +
           hist_[static_cast<std::size_t>(kBins / 2 - 1 - i)];
    if (acc >= want) return static_cast<float>(i + 1) * width;
  }
  return span_;
}

float RangeStats::quantile(double q) const {
  double total = 0;
  for (double h : hist_)
    total += h;
  const double want = total * q;
  double acc = 0;
  const float width = 2 * span_ / kBins;
  for (int i = 0; i < kBins; ++i) {
    acc += hist_[static_cast<std::size_t>(i)];
    if (acc >= want) return -span_ + static_cast<float>(i + 1) * width;
  }
  return span_;
}

double RangeStats::expected_error(const Format& f, const QuantParams& p) const {
  std::vector<float> centers(kBins), q(kBins);
  const float width = 2 * span_ / kBins;
  for (int i = 0; i < kBins; ++i)
    centers[static_cast<std::size_t>(i)] = -span_ + (static_cast<float>(i) + 0.5f) * width;
  fake_quant(f, centers, q, p);
  double e = 0;
  for (int i = 0; i < kBins; ++i) {
    const auto u = static_cast<std::size_t>(i);
    const double d = static_cast<double>(centers[u]) - q[u];
    e += hist_[u] * d * d;
  }
  return e;
}

QuantParams RangeStats::params(const Format& f, const CalibrationOptions& c) const {
  if (f.is_block() || (f.kind() == FormatKind::kFloat && f.bits() >= 16)) return {};
  const bool asym = f.kind() == FormatKind::kUnsignedInt;
  if (c.method == CalibrationMethod::kMax || !has_histogram() || span_ <= 0)
    return asym ? asymmetric_params(f, min_, max_) : symmetric_params(f, std::max(-min_, max_));
  if (c.method == CalibrationMethod::kPercentile) {
    if (asym) {
      const double q = c.percentile / 100.0;
      return asymmetric_params(f, std::max(min_, quantile(1.0 - q)), std::min(max_, quantile(q)));
    }
    return symmetric_params(f, std::min(std::max(-min_, max_), percentile_abs(c.percentile)));
  }
  // MSE: shrink the range by a common factor.
  QuantParams best =
      asym ? asymmetric_params(f, min_, max_) : symmetric_params(f, std::max(-min_, max_));
  double best_error = expected_error(f, best);
  for (int i = 1; i < kCandidates; ++i) {
    const float k = 1.0f - 0.8f * static_cast<float>(i) / kCandidates;
    const QuantParams p = asym ? asymmetric_params(f, min_ * k, max_ * k)
                               : symmetric_params(f, std::max(-min_, max_) * k);
    const double e = expected_error(f, p);
    if (e < best_error) best_error = e, best = p;
  }
  return best;
}

}  // namespace mpsim
