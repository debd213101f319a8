// Maps drawn uniformly from the space: the control that shows whether a method earns its keep
// at the same number of evaluations.
#include <optional>

#include "search/methods.h"
#include "search/src/sampling.h"

namespace mpsim::search {

SearchResult random_search(const SearchSpace& space, CachedObjective& objective,
                           const RandomOptions& o) {
  space.validate();
  SearchResult r;
  r.method = "random";
  r.trace.columns = {"sample", "quality", "cost"};
  Rng rng(o.seed);
  std::vector<Choice> choices;
  for (int s = 0; s < o.samples; ++s) {
    Choice c(space.decisions());
    for (std::size_t d = 0; d < c.size(); ++d)
      c[d] = space.allowed[d][rng.below(space.allowed[d].size())];
    choices.push_back(std::move(c));
  }
  const auto q = objective.quality(choices);
  const auto k = objective.cost(choices);
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    r.evaluated.push_back({choices[i], q[i], k[i]});
    r.trace.rows.push_back({static_cast<double>(i), q[i], k[i]});
    if (o.max_cost && k[i] > *o.max_cost) continue;
    if (!best || q[i] > q[*best] || (q[i] == q[*best] && k[i] < k[*best])) best = i;
  }
  if (!best) {
    r.notes.push_back("no sample costs at most the limit; chosen: the cheapest sample");
    best = 0;
    for (std::size_t i = 1; i < choices.size(); ++i)
      if (k[i] < k[*best]) best = i;
  }
  if (!choices.empty()) r.chosen = choices[*best];
  return r;
}

}  // namespace mpsim::search
