// FLIQS (Dotzel et al. 2023): one softmax policy per decision, trained by REINFORCE on the
// reward quality - beta |C / C_T - 1|, with a moving-average baseline, Adam, uniform warm-up
// samples and a cosine entropy schedule that makes the policy converge to one map. FLIQS trains
// the network's shared weights while it samples (one-shot QAT); here the weights are fixed and
// the objective scores each sampled map as it is.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>

#include "formats/error.h"
#include "search/methods.h"
#include "search/src/sampling.h"

namespace mpsim::search {

double rl_reward(double quality, double cost, const RlOptions& o) {
  const double ratio = cost / o.target_cost;
  const double penalty = o.one_sided ? std::max(0.0, ratio - 1) : std::abs(ratio - 1);
  return quality - o.beta * penalty;
}

namespace {

struct Policy {
  std::vector<std::vector<double>> logits, m, v;  // per decision, per allowed candidate
  int adam_steps = 0;

  explicit Policy(const SearchSpace& space) {
    for (const auto& a : space.allowed) {
      logits.emplace_back(a.size(), 0.0);
      m.emplace_back(a.size(), 0.0);
      v.emplace_back(a.size(), 0.0);
    }
  }
  std::vector<double> probabilities(std::size_t d) const {
    const auto& z = logits[d];
    double top = -std::numeric_limits<double>::infinity();
    for (double x : z)
      top = std::max(top, x);
    std::vector<double> p(z.size());
    double sum = 0;
    for (std::size_t j = 0; j < z.size(); ++j)
      sum += p[j] = std::exp(z[j] - top);
    for (double& x : p)
      x /= sum;
    return p;
  }
  static double entropy(const std::vector<double>& p) {
    double h = 0;
    for (double x : p)
      if (x > 0) h -= x * std::log(x);
    return h;
  }
  double mean_entropy() const {
    double h = 0;
    for (std::size_t d = 0; d < logits.size(); ++d)
      h += entropy(probabilities(d));
    return h / static_cast<double>(logits.size());
  }
  // One Adam step (Kingma and Ba 2015: beta1 0.9, beta2 0.999, eps 1e-8) on gradient g.
  void adam(const std::vector<std::vector<double>>& g, double lr) {
    ++adam_steps;
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const double c1 = 1 - std::pow(b1, adam_steps), c2 = 1 - std::pow(b2, adam_steps);
    for (std::size_t d = 0; d < logits.size(); ++d)
      for (std::size_t j = 0; j < logits[d].size(); ++j) {
        m[d][j] = b1 * m[d][j] + (1 - b1) * g[d][j];
        v[d][j] = b2 * v[d][j] + (1 - b2) * g[d][j] * g[d][j];
        logits[d][j] -= lr * (m[d][j] / c1) / (std::sqrt(v[d][j] / c2) + eps);
      }
  }
};

}  // namespace

SearchResult rl_search(const SearchSpace& space, CachedObjective& objective, const RlOptions& o) {
  space.validate();
  if (!(o.target_cost > 0)) throw UserError("the RL search needs a positive cost target");
  if (o.samples < 1 || o.samples_per_step < 1 || o.warmup_samples < 0)
    throw UserError("the RL search needs at least one sample and one sample per step");
  if (o.warmup_samples >= o.samples)
    throw UserError("the RL search learns only after its warm-up: " + std::to_string(o.samples) +
                    " samples (--samples) leave none after " + std::to_string(o.warmup_samples) +
                    " warm-up samples (--warmup)");
  SearchResult r;
  r.method = "rl";
  r.trace.columns = {"step", "sample", "reward", "cost", "quality", "entropy", "baseline"};
  Rng rng(o.seed);
  Policy policy(space);
  const std::size_t decisions = space.decisions();
  bool have_baseline = false;
  double baseline = 0;
  int sample = 0, step = 0;
  while (sample < o.samples) {
    const int k = std::min(o.samples_per_step, o.samples - sample);
    const bool warmup = sample < o.warmup_samples;
    // Draw the step's maps: uniformly during warm-up, from the policy after it.
    std::vector<Choice> choices(static_cast<std::size_t>(k), Choice(decisions));
    std::vector<std::vector<std::size_t>> picked(static_cast<std::size_t>(k),
                                                 std::vector<std::size_t>(decisions));
    for (int s = 0; s < k; ++s)
      for (std::size_t d = 0; d < decisions; ++d) {
        const std::size_t j =
            warmup ? rng.below(space.allowed[d].size()) : rng.pick(policy.probabilities(d));
        picked[s][d] = j;
        choices[s][d] = space.allowed[d][j];
      }
    const auto q = objective.quality(choices);
    const auto c = objective.cost(choices);

    // The baseline moves before each advantage is taken (FLIQS's order).
    std::vector<double> advantage(static_cast<std::size_t>(k));
    const double entropy = policy.mean_entropy();
    for (int s = 0; s < k; ++s) {
      const double reward = rl_reward(q[s], c[s], o);
      baseline =
          have_baseline ? o.baseline_decay * baseline + (1 - o.baseline_decay) * reward : reward;
      have_baseline = true;
      advantage[s] = reward - baseline;
      r.evaluated.push_back({choices[s], q[s], c[s]});
      r.trace.rows.push_back({static_cast<double>(step), static_cast<double>(sample + s), reward,
                              c[s], q[s], entropy, baseline});
    }

    if (!warmup) {
      // Loss: -mean_s A_s mean_d log pi_d(a_sd) + beta_H(t) mean_d H(pi_d); its gradient in the
      // logits: d log pi(a)/dz_j = [j = a] - pi_j, dH/dz_j = -pi_j (log pi_j + H).
      const double span = std::max(1, o.samples - o.warmup_samples);
      const double t = std::clamp((sample - o.warmup_samples) / span, 0.0, 1.0);
      const double beta_h = o.entropy_max * (1 - std::cos(std::numbers::pi * t)) / 2;
      std::vector<std::vector<double>> g(decisions);
      for (std::size_t d = 0; d < decisions; ++d) {
        const auto p = policy.probabilities(d);
        const double h = Policy::entropy(p);
        g[d].assign(p.size(), 0.0);
        for (int s = 0; s < k; ++s)
          for (std::size_t j = 0; j < p.size(); ++j)
            g[d][j] -= advantage[s] * ((j == picked[s][d] ? 1.0 : 0.0) - p[j]) / k / decisions;
        for (std::size_t j = 0; j < p.size(); ++j)
          if (p[j] > 0) g[d][j] += beta_h * (-p[j] * (std::log(p[j]) + h)) / decisions;
      }
      policy.adam(g, o.learning_rate);
      // A step so large that a logit overflows leaves no policy to sample from or to read a
      // map off (its probabilities are NaN): an error, not a "converged" result.
      for (const auto& z : policy.logits)
        for (double x : z)
          if (!std::isfinite(x))
            throw UserError("the RL policy diverged at step " + std::to_string(step) +
                            " (a logit is no longer a finite number): lower the learning rate "
                            "(--learning-rate) or the entropy weight (--entropy-max)");
    }
    sample += k;
    ++step;
  }

  // The converged policy's most probable map.
  r.chosen.resize(decisions);
  for (std::size_t d = 0; d < decisions; ++d) {
    const auto p = policy.probabilities(d);
    std::size_t best = 0;
    for (std::size_t j = 1; j < p.size(); ++j)
      if (p[j] > p[best]) best = j;
    r.chosen[d] = space.allowed[d][best];
  }
  const double q = objective.quality(r.chosen), c = objective.cost(r.chosen);
  r.policy_entropy = policy.mean_entropy();
  r.evaluated.push_back({r.chosen, q, c});
  char note[256];
  std::snprintf(note, sizeof note,
                "final policy: mean entropy %.4f nats per decision; chosen map's cost %.4g = "
                "%.3f x the target",
                policy.mean_entropy(), c, c / o.target_cost);
  r.notes.push_back(note);
  // Above 0.1 nats a two-way decision still gives its runner-up about 2 % (FLIQS's converged
  // policies end near 0): the most probable map of a spread policy is not a settled choice.
  if (*r.policy_entropy > kSettledEntropy) {
    std::snprintf(
        note, sizeof note,
        "the policy has not converged (over %g nats per decision): its most probable map "
        "is not a settled choice; a larger entropy weight, in the reward's units, or more "
        "samples settle it",
        kSettledEntropy);
    r.notes.push_back(note);
  }
  return r;
}

}  // namespace mpsim::search
