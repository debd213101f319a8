// Accuracy metrics of the evaluator: top-1 against labels, agreement with the fp32 network's
// predictions, and SQNR as Pandey et al. (arXiv 2302.05397) define it:
//   SQNR_dB = 10 log10( mean over batches of E[y^2] / (E[(y - y_hat)^2] + 1e-4) ),
// y the fp32 tensor, y_hat the quantized one, E the mean over a batch's elements. Batches are
// consecutive groups of kSqnrBatch samples (the last may be shorter), so the figure does not
// depend on threads or micro-batches.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mpsim {

inline constexpr std::int64_t kSqnrBatch = 64;

int argmax(std::span<const float> x);

// Per-sample sums, added in any order, combined by batch at the end.
class SqnrAccumulator {
 public:
  void resize(std::int64_t samples);
  // Sample `index`: its fp32 and quantized values.
  void add(std::int64_t index, std::span<const float> reference, std::span<const float> test);
  // +infinity when every batch matches exactly; NaN when nothing was added.
  double db() const;

 private:
  std::vector<double> signal_, noise_;
  std::vector<std::int64_t> elements_;
};

}  // namespace mpsim
