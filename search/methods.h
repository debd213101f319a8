// The search methods: uniform (the baselines), greedy (Pandey et al. 2023, Qualcomm's AMP), rl
// (FLIQS, Dotzel et al. 2023, REINFORCE) and random (the control at an equal budget). Each takes
// a space and an objective and returns every map it priced, the one it chose and a trace.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "search/objective.h"
#include "search/space.h"

namespace mpsim::search {

// A choice with both its quality and its cost known (a point of the accuracy-cost plane).
struct Evaluated {
  Choice choice;
  double quality = 0;
  double cost = 0;
};

// A method's log, one row per step (columns depend on the method).
struct Trace {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};

struct SearchResult {
  std::string method;
  std::vector<Evaluated> evaluated;  // every choice priced and scored, in the order met
  Choice chosen;
  Trace trace;
  std::vector<std::string> notes;        // what the method decided on the way (early exits, ...)
  std::optional<double> policy_entropy;  // RL: the final policy's mean entropy per decision
};

// Every uniform choice (one per candidate); chosen: the most accurate, then the cheapest.
SearchResult uniform_search(const SearchSpace& space, CachedObjective& objective);

struct GreedyOptions {
  double reference_quality = 0;  // the unquantized network's (accuracy drops are against it)
  // What to pick on the phase-2 curve: the cheapest point within `max_drop` of the reference
  // (binary search, assuming quality falls along the curve), the first point at or below
  // `target_cost`, or (neither) the cheapest point within the drop found on the whole curve.
  std::optional<double> max_drop;
  std::optional<double> target_cost;
  bool full_curve = false;  // evaluate every point of the curve
  // The phase-2 order: by phase-1 score (AMP), or by score lost per unit of cost saved.
  enum class Order { kScore, kScorePerCost } order = Order::kScore;
  // Phase 1 scores each probe by the objective's sensitivity. What a probe loses, for the
  // score-per-cost order: by default reference_quality - score (floored at 0), right when the
  // sensitivity is the quality; an SQNR in dB wants its noise power, 10^(-score/10).
  std::function<double(double)> sensitivity_loss;
};
SearchResult greedy_search(const SearchSpace& space, CachedObjective& objective,
                           const GreedyOptions& options);

struct RlOptions {
  int samples = 500;           // maps sampled in all (warm-up included)
  int samples_per_step = 4;    // maps per policy step (evaluated as one batch)
  int warmup_samples = 50;     // uniform sampling, no policy update
  double learning_rate = 0.1;  // Adam
  double target_cost = 0;      // C_T
  double beta = 1;             // weight of the cost term in the reward
  bool one_sided = false;      // penalise only C > C_T
  double entropy_max = 0.5;    // beta_H at the end of the cosine schedule
  double baseline_decay = 0.99;
  std::uint64_t seed = 1;
};
// The reward of a choice: quality - beta |C / C_T - 1| (one-sided: - beta max(0, C / C_T - 1)).
double rl_reward(double quality, double cost, const RlOptions& o);
// The mean entropy per decision (nats) above which rl_search notes that its policy has not
// converged.
inline constexpr double kSettledEntropy = 0.1;
SearchResult rl_search(const SearchSpace& space, CachedObjective& objective, const RlOptions& o);

struct RandomOptions {
  int samples = 500;
  std::uint64_t seed = 1;
  // Chosen: the most accurate map at or below this cost (none: the most accurate), among the
  // samples and the uniform maps (part of the budget: a caller that has scored them, as
  // uniform_search does, pays nothing more through its CachedObjective).
  std::optional<double> max_cost;
};
SearchResult random_search(const SearchSpace& space, CachedObjective& objective,
                           const RandomOptions& o);

}  // namespace mpsim::search
