// A small random number source whose sequence is fixed by its seed on every platform and
// standard library (std::*_distribution is not), so a seeded search repeats exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mpsim::search {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  // splitmix64 (Steele, Lea and Flood 2014): passes BigCrush, one add and three multiplies.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(uniform() * n); }
  // An index drawn with the given probabilities (summing to 1).
  std::size_t pick(const std::vector<double>& p) {
    double u = uniform(), acc = 0;
    for (std::size_t i = 0; i + 1 < p.size(); ++i) {
      acc += p[i];
      if (u < acc) return i;
    }
    return p.size() - 1;
  }

 private:
  std::uint64_t state_;
};

}  // namespace mpsim::search
