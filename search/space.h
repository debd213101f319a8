// What a precision search chooses: one candidate per decision. The algorithms see only indices;
// what a decision (a quantizer group, a layer, a block) and a candidate (a format pair) stand
// for is the caller's business (explore/precision_search.h wires them to networks).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mpsim::search {

// A choice: for each decision, the index of its candidate, or kReference (left unquantized, as
// a sensitivity analysis measures one decision at a time against the full-precision rest).
using Choice = std::vector<int>;
inline constexpr int kReference = -1;

struct SearchSpace {
  int candidates = 0;                     // candidate indices run 0 .. candidates-1
  std::vector<std::vector<int>> allowed;  // per decision: its candidates (a pinned one: one)

  std::size_t decisions() const { return allowed.size(); }
  bool allows(std::size_t decision, int candidate) const;
  // Checks the space: at least one decision, each with at least one candidate in range, no
  // candidate twice. Throws UserError.
  void validate() const;
};

// "3,0,-1,..." (a cache key, and how traces name a choice).
std::string choice_key(const Choice& c);

// Every decision at `candidate` where it is allowed; decisions that do not allow it (pinned or
// narrowed) keep their first allowed candidate.
Choice uniform_choice(const SearchSpace& space, int candidate);

}  // namespace mpsim::search
