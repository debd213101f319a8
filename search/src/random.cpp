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
  for (std::size_t i = 0; i < choices.size(); ++i) {
    r.evaluated.push_back({choices[i], q[i], k[i]});
    r.trace.rows.push_back({static_cast<double>(i), q[i], k[i]});
  }
  // The pick is among the uniform maps too: they are part of the budget the control is given
  // (a run is compared at equal numbers of maps scored, baselines included), and a sample that
  // a baseline beats under the limit is no answer. Already scored, they cost nothing here.
  std::vector<Choice> uniform;
  for (int c = 0; c < space.candidates; ++c)
    uniform.push_back(uniform_choice(space, c));
  const auto uq = objective.quality(uniform);  // one batch, for a caller that had not
  const auto uk = objective.cost(uniform);
  std::vector<Evaluated> pool = r.evaluated;
  for (std::size_t i = 0; i < uniform.size(); ++i)
    pool.push_back({uniform[i], uq[i], uk[i]});
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    const Evaluated& e = pool[i];
    if (o.max_cost && e.cost > *o.max_cost) continue;
    if (!best || e.quality > pool[*best].quality ||
        (e.quality == pool[*best].quality && e.cost < pool[*best].cost))
      best = i;
  }
  if (!best) {
    r.notes.push_back("no map costs at most the limit; chosen: the cheapest");
    best = 0;
    for (std::size_t i = 1; i < pool.size(); ++i)
      if (pool[i].cost < pool[*best].cost) best = i;
  }
  if (!pool.empty()) r.chosen = pool[*best].choice;
  return r;
}

}  // namespace mpsim::search
