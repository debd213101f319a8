// The design points of `mpsim sweep`: each --set KEY=V1,V2,... is one axis, and the points are
// the cross product of the axes, numbered so that the first --set varies slowest.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim {

// Splits "V1,V2,..." on the commas outside brackets, braces and TOML strings, so array and
// table values (`["int8","int4"],["int8"]`) stay whole; each value is trimmed. Throws UserError
// (naming `context`) for an empty value or unbalanced brackets or quotes.
std::vector<std::string> split_top_level(std::string_view list, const std::string& context);

struct SweepAxis {
  std::string key;                  // dotted config key, e.g. "array.rows"
  std::vector<std::string> values;  // as given, in order
};

// One --set argument "KEY=V1,V2,..." (a single value is an axis of length one).
SweepAxis parse_sweep_set(const std::string& arg);

class SweepPoints {
 public:
  // Throws UserError when a key is given twice or the product is unreasonably large.
  explicit SweepPoints(std::vector<SweepAxis> axes);

  const std::vector<SweepAxis>& axes() const { return axes_; }
  std::size_t size() const { return size_; }
  // The value of every axis at point `index`, in axis order.
  std::vector<std::string> values(std::size_t index) const;
  // The config overrides of point `index`: "KEY=VALUE" per axis.
  std::vector<std::string> overrides(std::size_t index) const;
  // "array.rows=8, array.cols=16" for messages.
  std::string describe(std::size_t index) const;

 private:
  std::vector<SweepAxis> axes_;
  std::size_t size_ = 1;
};

}  // namespace mpsim
