#include "search/objective.h"

#include <algorithm>

namespace mpsim::search {

std::vector<double> CachedObjective::lookup(const std::vector<Choice>& choices,
                                            std::map<std::string, double>& cache,
                                            std::set<std::string>& seen, Values of) {
  // The choices not yet known, each once, go to the wrapped objective as one batch.
  std::vector<Choice> missing;
  std::vector<std::string> missing_keys;
  for (const auto& c : choices) {
    const std::string key = choice_key(c);
    if (!cache.count(key) &&
        std::find(missing_keys.begin(), missing_keys.end(), key) == missing_keys.end()) {
      missing.push_back(c);
      missing_keys.push_back(key);
    }
  }
  if (!missing.empty()) {
    const auto values = (inner_.*of)(missing);
    for (std::size_t i = 0; i < missing.size(); ++i) {
      cache.emplace(missing_keys[i], values.at(i));
      seen.insert(missing_keys[i]);
    }
  }
  std::vector<double> out;
  out.reserve(choices.size());
  for (const auto& c : choices)
    out.push_back(cache.at(choice_key(c)));
  return out;
}

std::vector<double> CachedObjective::quality(const std::vector<Choice>& choices) {
  return lookup(choices, quality_cache_, scored_, &Objective::quality);
}

std::vector<double> CachedObjective::cost(const std::vector<Choice>& choices) {
  return lookup(choices, cost_cache_, costed_, &Objective::cost);
}

std::vector<double> CachedObjective::sensitivity(const std::vector<Choice>& choices) {
  return lookup(choices, sensitivity_cache_, scored_, &Objective::sensitivity);
}

}  // namespace mpsim::search
