#include "search/space.h"

#include <algorithm>
#include <set>

#include "formats/error.h"

namespace mpsim::search {

bool SearchSpace::allows(std::size_t decision, int candidate) const {
  const auto& a = allowed.at(decision);
  return std::find(a.begin(), a.end(), candidate) != a.end();
}

void SearchSpace::validate() const {
  if (allowed.empty()) throw UserError("the search has no decision to make");
  if (candidates <= 0) throw UserError("the search has no candidate");
  for (std::size_t d = 0; d < allowed.size(); ++d) {
    if (allowed[d].empty())
      throw UserError("decision " + std::to_string(d) + " has no allowed candidate");
    std::set<int> seen;
    for (int c : allowed[d]) {
      if (c < 0 || c >= candidates)
        throw UserError("decision " + std::to_string(d) + ": candidate " + std::to_string(c) +
                        " is out of range");
      if (!seen.insert(c).second)
        throw UserError("decision " + std::to_string(d) + ": candidate " + std::to_string(c) +
                        " is listed twice");
    }
  }
}

std::string choice_key(const Choice& c) {
  std::string s;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(c[i]);
  }
  return s;
}

Choice uniform_choice(const SearchSpace& space, int candidate) {
  Choice c(space.decisions());
  for (std::size_t d = 0; d < c.size(); ++d)
    c[d] = space.allows(d, candidate) ? candidate : space.allowed[d].front();
  return c;
}

}  // namespace mpsim::search
