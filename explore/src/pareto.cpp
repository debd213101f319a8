#include "explore/pareto.h"

#include <algorithm>
#include <numeric>

namespace mpsim {

std::vector<bool> pareto_flags(const std::vector<std::vector<double>>& points) {
  auto dominates = [&](std::size_t a, std::size_t b) {
    const auto &x = points[a], &y = points[b];
    bool smaller = false;
    for (std::size_t k = 0; k < x.size(); ++k) {
      if (x[k] > y[k]) return false;
      smaller = smaller || x[k] < y[k];
    }
    return smaller;
  };
  // In lexicographic order a dominator always comes first, and whatever dominates a point is
  // itself dominated by a front point or on the front; so checking each point against the front
  // found so far suffices, instead of against all points.
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  std::vector<bool> flags(points.size(), false);
  std::vector<std::size_t> front;
  for (auto i : order) {
    const bool dominated =
        std::any_of(front.begin(), front.end(), [&](std::size_t f) { return dominates(f, i); });
    if (!dominated) {
      flags[i] = true;
      front.push_back(i);
    }
  }
  return flags;
}

}  // namespace mpsim
