#include "quant/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mpsim {

int argmax(std::span<const float> x) {
  int best = 0;
  for (std::size_t i = 1; i < x.size(); ++i)
    if (x[i] > x[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
  return best;
}

void SqnrAccumulator::resize(std::int64_t samples) {
  signal_.assign(static_cast<std::size_t>(samples), 0.0);
  noise_.assign(static_cast<std::size_t>(samples), 0.0);
  elements_.assign(static_cast<std::size_t>(samples), 0);
}

void SqnrAccumulator::add(std::int64_t index, std::span<const float> ref,
                          std::span<const float> test) {
  double s = 0, n = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double y = ref[i], d = y - test[i];
    s += y * y;
    n += d * d;
  }
  const auto k = static_cast<std::size_t>(index);
  signal_[k] += s;
  noise_[k] += n;
  elements_[k] += static_cast<std::int64_t>(ref.size());
}

double SqnrAccumulator::db() const {
  double sum = 0;
  std::int64_t batches = 0;
  bool exact = true;
  const auto n = static_cast<std::int64_t>(signal_.size());
  for (std::int64_t b = 0; b < n; b += kSqnrBatch) {
    double s = 0, e = 0;
    std::int64_t count = 0;
    for (std::int64_t i = b; i < std::min(n, b + kSqnrBatch); ++i) {
      const auto k = static_cast<std::size_t>(i);
      s += signal_[k];
      e += noise_[k];
      count += elements_[k];
    }
    if (count == 0) continue;
    exact = exact && e == 0;
    sum += (s / static_cast<double>(count)) / (e / static_cast<double>(count) + 1e-4);
    ++batches;
  }
  if (batches == 0) return std::numeric_limits<double>::quiet_NaN();
  if (exact) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(sum / static_cast<double>(batches));
}

}  // namespace mpsim
