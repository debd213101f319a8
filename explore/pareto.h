// Pareto fronts over any number of objectives, all minimised (negate one to maximise it).
#pragma once

#include <cstddef>
#include <vector>

namespace mpsim {

// For each point (a row of objective values, every row the same length): true when no other
// point is at most as large in every objective and smaller in at least one. Equal points do not
// dominate each other, so both are on the front. O(n x front size).
std::vector<bool> pareto_flags(const std::vector<std::vector<double>>& points);

}  // namespace mpsim
