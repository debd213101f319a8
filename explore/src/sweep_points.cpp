#include "explore/sweep_points.h"

#include <set>

#include "formats/error.h"

namespace mpsim {

namespace {

// Far more than any simulation campaign runs; the limit catches a mistyped list early instead
// of allocating per-point state for billions of points.
constexpr std::size_t kMaxPoints = 1'000'000;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace

std::vector<std::string> split_top_level(std::string_view list, const std::string& context) {
  std::vector<std::string> values;
  int depth = 0;
  char quote = 0;  // the open string's quote character, or 0
  std::size_t start = 0;
  auto take = [&](std::size_t end) {
    std::string v = trim(list.substr(start, end - start));
    if (v.empty()) throw UserError(context + ": empty value in the list");
    values.push_back(std::move(v));
    start = end + 1;
  };
  for (std::size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (quote) {
      // Basic strings ("...") have backslash escapes; literal strings ('...') have none.
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth < 0) throw UserError(context + ": unbalanced '" + std::string(1, c) + "'");
    } else if (c == ',' && depth == 0) {
      take(i);
    }
  }
  if (quote) throw UserError(context + ": unterminated string");
  if (depth != 0) throw UserError(context + ": unclosed '[' or '{'");
  take(list.size());
  return values;
}

SweepAxis parse_sweep_set(const std::string& arg) {
  const std::string context = "--set " + arg;
  const auto eq = arg.find('=');
  SweepAxis axis;
  if (eq != std::string::npos) axis.key = trim(std::string_view(arg).substr(0, eq));
  if (eq == std::string::npos || axis.key.empty())
    throw UserError(context + ": expected KEY=V1,V2,... (e.g. array.rows=8,16)");
  const std::string_view list = std::string_view(arg).substr(eq + 1);
  if (trim(list).empty()) throw UserError(context + ": empty value list");
  axis.values = split_top_level(list, context);
  return axis;
}

SweepPoints::SweepPoints(std::vector<SweepAxis> axes) : axes_(std::move(axes)) {
  // Two axes on one key would make the later silently win and give two columns one header.
  std::set<std::string> keys;
  for (const auto& a : axes_) {
    if (!keys.insert(a.key).second)
      throw UserError("--set " + a.key + ": the key is given twice; list all its values once");
    if (a.values.empty()) throw UserError("--set " + a.key + ": empty value list");
    if (size_ > kMaxPoints / a.values.size())
      throw UserError("--set: the sweep has more than " + std::to_string(kMaxPoints) + " points");
    size_ *= a.values.size();
  }
}

std::vector<std::string> SweepPoints::values(std::size_t index) const {
  // Mixed-radix digits of the index, the last axis the least significant.
  std::vector<std::string> v(axes_.size());
  for (std::size_t a = axes_.size(); a-- > 0;) {
    const auto n = axes_[a].values.size();
    v[a] = axes_[a].values[index % n];
    index /= n;
  }
  return v;
}

std::vector<std::string> SweepPoints::overrides(std::size_t index) const {
  auto v = values(index);
  for (std::size_t a = 0; a < v.size(); ++a)
    v[a] = axes_[a].key + "=" + v[a];
  return v;
}

std::string SweepPoints::describe(std::size_t index) const {
  return join(overrides(index));
}

}  // namespace mpsim
