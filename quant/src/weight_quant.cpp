#include "quant/weight_quant.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "formats/error.h"
#include "formats/fake_quant.h"
#include "formats/mx.h"

namespace mpsim {

namespace {

float max_abs(std::span<const float> w) {
  float m = 0;
  for (float v : w)
    if (std::isfinite(v)) m = std::max(m, std::fabs(v));
  return m;
}

double squared_error(std::span<const float> a, std::span<const float> b) {
  double e = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    e += d * d;
  }
  return e;
}

// Floats of 16 bits and more cover any weight's range: they round without a scale.
bool unscaled_float(const Format& f) {
  return f.kind() == FormatKind::kFloat && f.bits() >= 16;
}

float apply_ternary(const TernaryFit& t, std::span<const float> w, std::span<float> out) {
  for (std::size_t i = 0; i < w.size(); ++i)
    out[i] = std::fabs(w[i]) > t.threshold ? std::copysign(t.alpha, w[i]) : 0.0f;
  return t.alpha;
}

constexpr int kMseCandidates = 100;

}  // namespace

TernaryFit ternary_twn(std::span<const float> w) {
  TernaryFit t;
  if (w.empty()) return t;
  double sum = 0;
  for (float v : w)
    sum += std::fabs(v);
  t.threshold = static_cast<float>(0.7 * sum / static_cast<double>(w.size()));
  double kept = 0;
  std::size_t n = 0;
  for (float v : w)
    if (std::fabs(v) > t.threshold) kept += std::fabs(v), ++n;
  t.alpha = n ? static_cast<float>(kept / static_cast<double>(n)) : 0.0f;
  return t;
}

TernaryFit ternary_optimal(std::span<const float> w) {
  // Keeping the m largest magnitudes with alpha = their mean leaves an error of
  // sum w^2 - (sum of the m)^2 / m: the best m maximises (S_m)^2 / m.
  TernaryFit t;
  if (w.empty()) return t;
  std::vector<float> a(w.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    a[i] = std::fabs(w[i]);
  std::sort(a.begin(), a.end(), std::greater<>());
  double s = 0, best = -1;
  std::size_t m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    s += a[i];
    const double v = s * s / static_cast<double>(i + 1);
    // Only a cut between distinct magnitudes is realisable by a threshold.
    if (v > best && (i + 1 == a.size() || a[i + 1] < a[i])) best = v, m = i + 1;
  }
  double kept = 0;
  for (std::size_t i = 0; i < m; ++i)
    kept += a[i];
  t.alpha = static_cast<float>(kept / static_cast<double>(m));
  t.threshold = m < a.size() ? a[m] : 0.0f;  // strictly above the first magnitude dropped
  if (m == a.size()) t.threshold = -1.0f;    // keep everything, zeros included
  return t;
}

float quantize_unit(const Format& f, WeightScale rule, std::span<const float> w,
                    std::span<float> out) {
  if (f.kind() == FormatKind::kTernary) {
    if (rule == WeightScale::kMax) {
      const QuantParams p = symmetric_params(f, max_abs(w));
      fake_quant(f, w, out, p);
      return p.scale;
    }
    return apply_ternary(rule == WeightScale::kMse ? ternary_optimal(w) : ternary_twn(w), w, out);
  }
  if (rule == WeightScale::kTwn)
    throw UserError("weight_scale = \"twn\" is the ternary rule; " + f.name() + " is not ternary");
  if (f.kind() == FormatKind::kBinary && rule != WeightScale::kMax) {
    // sign(w) times mean |w|: the L2-optimal binary scale (XNOR-Net).
    double sum = 0;
    for (float v : w)
      sum += std::fabs(v);
    QuantParams p;
    p.scale =
        w.empty() || sum == 0 ? 1.0f : static_cast<float>(sum / static_cast<double>(w.size()));
    fake_quant(f, w, out, p);
    return p.scale;
  }
  if (unscaled_float(f)) {
    fake_quant(f, w, out);
    return 1.0f;
  }
  QuantParams p = params_from_data(f, w);
  if (rule == WeightScale::kMse) {
    fake_quant(f, w, out, p);
    double best = squared_error(w, out);
    const QuantParams max_rule = p;
    std::vector<float> trial(w.size());
    float lo = 0, hi = 0;
    for (float v : w)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    for (int i = 1; i < kMseCandidates; ++i) {
      const float c = 1.0f - 0.8f * static_cast<float>(i) / kMseCandidates;
      const QuantParams q = f.kind() == FormatKind::kUnsignedInt
                                ? asymmetric_params(f, lo * c, hi * c)
                                : symmetric_params(f, std::max(-lo, hi) * c);
      fake_quant(f, w, trial, q);
      const double e = squared_error(w, trial);
      if (e < best) best = e, p = q;
    }
    if (!(p.scale == max_rule.scale && p.zero_point == max_rule.zero_point))
      fake_quant(f, w, out, p);
    return p.scale;
  }
  fake_quant(f, w, out, p);
  return p.scale;
}

QuantizedWeights quantize_weights(const Tensor& w, const LayerPrecision& p) {
  QuantizedWeights q;
  q.values.shape = w.shape;
  q.values.data.resize(w.data.size());
  const Format& f = p.weight;
  const std::int64_t out_channels = w.shape.empty() ? 1 : w.shape[0];
  const std::int64_t k = out_channels ? static_cast<std::int64_t>(w.data.size()) / out_channels : 0;
  const std::span<const float> in(w.data);
  const std::span<float> out(q.values.data);

  if (f.is_block()) {
    const std::int64_t shape[2] = {out_channels, k};
    mx_quantize(f, in, out, shape, 1);
    return q;
  }
  const WeightScale rule =
      p.weight_scale == WeightScale::kAuto
          ? (f.kind() == FormatKind::kTernary ? WeightScale::kTwn : WeightScale::kMax)
          : p.weight_scale;
  // Units of consecutive weights sharing a scale.
  std::int64_t unit = k;
  bool whole_channels = true;
  switch (p.granularity) {
    case Granularity::kPerTensor:
      unit = out_channels * k;
      break;
    case Granularity::kPerChannel:
      unit = k;
      break;
    case Granularity::kCluster:
      if (p.cluster_unit == ClusterUnit::kFilters) {
        unit = static_cast<std::int64_t>(p.cluster_size) * k;
      } else {
        unit = p.cluster_size;
        whole_channels = p.cluster_size >= k;
        if (whole_channels) unit = k;
      }
      break;
  }
  const std::int64_t total = out_channels * k;
  std::vector<float> unit_scale;
  for (std::int64_t start = 0; start < total;) {
    // Clusters of weights restart at each filter; other units run across filters.
    std::int64_t len = std::min(unit, total - start);
    if (p.granularity == Granularity::kCluster && p.cluster_unit == ClusterUnit::kWeights)
      len = std::min(len, k - start % k);
    const auto n = static_cast<std::size_t>(len);
    unit_scale.push_back(quantize_unit(f, rule, in.subspan(static_cast<std::size_t>(start), n),
                                       out.subspan(static_cast<std::size_t>(start), n)));
    start += len;
  }
  if (whole_channels && f.is_integer() && f.kind() != FormatKind::kUnsignedInt) {
    const std::int64_t per_unit = std::max<std::int64_t>(1, unit / std::max<std::int64_t>(k, 1));
    for (std::int64_t c = 0; c < out_channels; ++c)
      q.channel_scales.push_back(unit_scale[static_cast<std::size_t>(c / per_unit)]);
  }
  return q;
}

}  // namespace mpsim
