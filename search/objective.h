// What a search optimises, as two functions of a choice: quality (higher is better) and cost
// (lower is better). The algorithms call nothing else, so they run as well on a synthetic
// objective as on simulated cost and measured accuracy.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "search/space.h"

namespace mpsim::search {

class Objective {
 public:
  virtual ~Objective() = default;
  // One value per choice, in order. Quality accepts kReference entries; cost does not (a cost
  // is only asked of choices that name a candidate for every decision). A batch lets an
  // implementation evaluate in parallel; results must not depend on how choices are batched.
  virtual std::vector<double> quality(const std::vector<Choice>& choices) = 0;
  virtual std::vector<double> cost(const std::vector<Choice>& choices) = 0;
  // How little a choice disturbs the network (higher: less), for ranking single-decision
  // probes; by default the quality itself. Pandey et al. rank by the output's SQNR, a smooth
  // signal where top-1 on a small split moves by whole images.
  virtual std::vector<double> sensitivity(const std::vector<Choice>& choices) {
    return quality(choices);
  }
};

// Remembers every value by choice, so a choice is evaluated once however often an algorithm
// asks, and counts the evaluations that reached the wrapped objective (what a budget limits).
class CachedObjective : public Objective {
 public:
  explicit CachedObjective(Objective& inner) : inner_(inner) {}
  std::vector<double> quality(const std::vector<Choice>& choices) override;
  std::vector<double> cost(const std::vector<Choice>& choices) override;
  std::vector<double> sensitivity(const std::vector<Choice>& choices) override;
  double quality(const Choice& c) { return quality(std::vector<Choice>{c}).front(); }
  double cost(const Choice& c) { return cost(std::vector<Choice>{c}).front(); }

  // Choices scored for quality or sensitivity, each choice once: one pass of the evaluator
  // gives both numbers, so a probe that is also a map scored for quality is one evaluation.
  std::size_t quality_evaluations() const { return scored_.size(); }
  std::size_t cost_evaluations() const { return costed_.size(); }

 private:
  using Values = std::vector<double> (Objective::*)(const std::vector<Choice>&);
  // Fills `cache` for the choices it lacks (noting them in `seen`); returns every value.
  std::vector<double> lookup(const std::vector<Choice>& choices,
                             std::map<std::string, double>& cache, std::set<std::string>& seen,
                             Values of);
  Objective& inner_;
  std::map<std::string, double> quality_cache_, cost_cache_, sensitivity_cache_;
  std::set<std::string> scored_, costed_;
};

}  // namespace mpsim::search
