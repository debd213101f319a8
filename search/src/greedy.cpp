// Pandey et al. 2023 ("A Practical Mixed Precision Algorithm for Post-Training Quantization",
// Qualcomm's AMP): a sensitivity per (decision, candidate), then one greedy path from the most
// accurate uniform map towards cheaper ones, on which a point is picked by an accuracy drop or
// a cost target.
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "formats/error.h"
#include "search/methods.h"

namespace mpsim::search {

namespace {

struct Entry {
  std::size_t decision = 0;
  int candidate = 0;
  double score = 0;   // phase-1 sensitivity: this decision at the candidate, the rest unquantized
  double cost = 0;    // the baseline with this decision at the candidate
  double saving = 0;  // baseline cost - cost
  double key = 0;     // the sort key (ascending)
};

double nan() {
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

SearchResult greedy_search(const SearchSpace& space, CachedObjective& objective,
                           const GreedyOptions& o) {
  space.validate();
  if (!o.max_drop && !o.target_cost)
    throw UserError("the greedy search needs an accuracy drop (--max-drop) or a cost target");
  SearchResult r;
  r.method = "greedy";
  r.trace.columns = {"phase", "decision", "candidate", "score", "cost"};

  // The uniform maps: the baseline is the most accurate, min the cheapest.
  const SearchResult uniform = uniform_search(space, objective);
  r.evaluated = uniform.evaluated;
  std::size_t base = 0, min = 0;
  for (std::size_t i = 0; i < uniform.evaluated.size(); ++i) {
    const auto& e = uniform.evaluated[i];
    const auto& b = uniform.evaluated[base];
    const auto& m = uniform.evaluated[min];
    if (e.quality > b.quality || (e.quality == b.quality && e.cost < b.cost)) base = i;
    if (e.cost < m.cost || (e.cost == m.cost && e.quality > m.quality)) min = i;
  }
  const Evaluated baseline = uniform.evaluated[base];
  const Evaluated cheapest = uniform.evaluated[min];
  const double threshold = o.max_drop ? o.reference_quality - *o.max_drop : 0;

  if (o.target_cost && *o.target_cost < cheapest.cost)
    throw UserError("the cost target " + std::to_string(*o.target_cost) +
                    " is below the cheapest map's cost " + std::to_string(cheapest.cost) +
                    "; reachable: " + std::to_string(cheapest.cost) + " to " +
                    std::to_string(baseline.cost));
  // Early exits, as AMP takes them.
  if (o.max_drop && baseline.quality < threshold) {
    r.notes.push_back(
        "the most accurate uniform map already loses more than the allowed drop: "
        "chosen as it is");
    r.chosen = baseline.choice;
    return r;
  }
  if (o.max_drop && cheapest.quality >= threshold) {
    r.notes.push_back("the cheapest uniform map stays within the allowed drop: chosen");
    r.chosen = cheapest.choice;
    return r;
  }
  if (o.target_cost && baseline.cost <= *o.target_cost) {
    r.notes.push_back("the most accurate uniform map meets the cost target: chosen");
    r.chosen = baseline.choice;
    return r;
  }

  // Phase 1: each decision alone at each of its other candidates.
  std::vector<Entry> entries;
  std::vector<Choice> probes, priced;
  for (std::size_t d = 0; d < space.decisions(); ++d)
    for (int c : space.allowed[d]) {
      if (c == baseline.choice[d]) continue;
      Choice probe(space.decisions(), kReference);
      probe[d] = c;
      probes.push_back(probe);
      Choice variant = baseline.choice;
      variant[d] = c;
      priced.push_back(variant);
      entries.push_back({d, c, 0, 0, 0, 0});
    }
  const auto scores = objective.sensitivity(probes);
  const auto loss = [&](double score) {
    return o.sensitivity_loss ? o.sensitivity_loss(score)
                              : std::max(0.0, o.reference_quality - score);
  };
  const auto costs = objective.cost(priced);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& e = entries[i];
    e.score = scores[i];
    e.cost = costs[i];
    e.saving = baseline.cost - e.cost;
    e.key = o.order == GreedyOptions::Order::kScore ? -e.score
                                                    : loss(e.score) / std::max(e.saving, 1e-300);
    r.trace.rows.push_back(
        {1, static_cast<double>(e.decision), static_cast<double>(e.candidate), e.score, e.cost});
  }
  // Entries that save nothing cannot lower the cost along the path.
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const Entry& e) { return !(e.saving > 0); }),
                entries.end());
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.key, a.cost, a.decision, a.candidate) <
           std::tie(b.key, b.cost, b.decision, b.candidate);
  });

  // Phase 2: the entries applied cumulatively from the baseline. An entry is taken only when
  // it lowers the cost of the map so far, so the path runs from dear to cheap.
  std::vector<Choice> path{baseline.choice};
  std::vector<double> path_cost{baseline.cost};
  std::vector<const Entry*> step_entry{nullptr};
  for (const auto& e : entries) {
    Choice next = path.back();
    if (next[e.decision] == e.candidate) continue;
    next[e.decision] = e.candidate;
    const double c = objective.cost(next);
    if (!(c < path_cost.back())) continue;
    path.push_back(next);
    path_cost.push_back(c);
    step_entry.push_back(&e);
  }
  std::vector<double> path_quality(path.size(), nan());
  path_quality[0] = baseline.quality;
  auto score = [&](std::size_t i) {
    if (std::isnan(path_quality[i])) {
      path_quality[i] = objective.quality(path[i]);
      r.evaluated.push_back({path[i], path_quality[i], path_cost[i]});
    }
    return path_quality[i];
  };

  std::size_t pick = 0;
  if (o.full_curve)
    for (std::size_t i = 1; i < path.size(); ++i)
      score(i);
  if (o.max_drop) {
    if (o.full_curve) {
      for (std::size_t i = 0; i < path.size(); ++i)
        if (path_quality[i] >= threshold) pick = i;  // the cheapest that keeps the drop
    } else {
      // The largest i that keeps the drop, assuming quality falls along the path.
      std::size_t lo = 0, hi = path.size();
      if (score(path.size() - 1) >= threshold) {
        lo = path.size() - 1;
      } else {
        hi = path.size() - 1;
        while (hi - lo > 1) {
          const std::size_t mid = lo + (hi - lo) / 2;
          (score(mid) >= threshold ? lo : hi) = mid;
        }
      }
      pick = lo;
    }
  } else {
    pick = path.size() - 1;
    for (std::size_t i = 0; i < path.size(); ++i)
      if (path_cost[i] <= *o.target_cost) {
        pick = i;
        break;
      }
    if (path_cost[pick] > *o.target_cost)
      r.notes.push_back("the greedy path ends above the cost target; chosen: its cheapest point");
    score(pick);
  }
  for (std::size_t i = 1; i < path.size(); ++i)
    r.trace.rows.push_back({2, static_cast<double>(step_entry[i]->decision),
                            static_cast<double>(step_entry[i]->candidate), path_quality[i],
                            path_cost[i]});
  r.chosen = path[pick];
  r.notes.push_back("phase 2: " + std::to_string(path.size() - 1) + " steps on the path, " +
                    std::to_string(std::count_if(path_quality.begin() + 1, path_quality.end(),
                                                 [](double q) { return !std::isnan(q); })) +
                    " scored");
  return r;
}

}  // namespace mpsim::search
