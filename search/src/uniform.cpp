// The uniform maps: every decision at one candidate. The baselines every searched map is
// compared with, and the start of the greedy method.
#include <algorithm>
#include <limits>

#include "search/methods.h"

namespace mpsim::search {

SearchResult uniform_search(const SearchSpace& space, CachedObjective& objective) {
  space.validate();
  SearchResult r;
  r.method = "uniform";
  r.trace.columns = {"candidate", "quality", "cost"};
  std::vector<Choice> choices;
  std::vector<int> candidates;
  for (int c = 0; c < space.candidates; ++c) {
    bool somewhere = false;
    for (std::size_t d = 0; d < space.decisions(); ++d)
      somewhere = somewhere || space.allows(d, c);
    if (!somewhere) continue;  // no decision may take it: its "uniform map" is another's
    Choice u = uniform_choice(space, c);
    // A candidate only pinned decisions take gives the same map as another: once is enough.
    if (std::find(choices.begin(), choices.end(), u) != choices.end()) continue;
    choices.push_back(std::move(u));
    candidates.push_back(c);
  }
  const auto q = objective.quality(choices);
  const auto k = objective.cost(choices);
  std::size_t best = 0;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    r.evaluated.push_back({choices[i], q[i], k[i]});
    r.trace.rows.push_back({static_cast<double>(candidates[i]), q[i], k[i]});
    if (q[i] > q[best] || (q[i] == q[best] && k[i] < k[best])) best = i;
  }
  r.chosen = choices[best];
  return r;
}

}  // namespace mpsim::search
