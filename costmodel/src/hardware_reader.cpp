#include "costmodel/src/hardware_reader.h"

#include <cmath>

#include "formats/error.h"

namespace mpsim::hwcfg {

namespace {

bool is_override(const toml::source_region& r) {
  return r.path && r.path->rfind("--set ", 0) == 0;
}

// "between 1 and 65536", "at least 0", ...
template <typename T>
std::string range_text(T min, T max, bool min_exclusive, T unbounded) {
  const std::string lo = number_text(static_cast<double>(min));
  if (max == unbounded) return (min_exclusive ? "greater than " : "at least ") + lo;
  const std::string hi = number_text(static_cast<double>(max));
  return min_exclusive ? "greater than " + lo + " and at most " + hi
                       : "between " + lo + " and " + hi;
}

}  // namespace

std::string describe_node(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string (\"" + printable(*n.value_exact<std::string>()) + "\")";
    case toml::node_type::integer:
      return "an integer (" + std::to_string(*n.value_exact<std::int64_t>()) + ")";
    case toml::node_type::floating_point:
      return "a float (" + number_text(*n.value_exact<double>()) + ")";
    case toml::node_type::boolean:
      return *n.value_exact<bool>() ? "a boolean (true)" : "a boolean (false)";
    case toml::node_type::array:
      return n.as_array()->is_array_of_tables() && !n.as_array()->empty() ? "an array of tables"
                                                                          : "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

std::string Reader::where(const toml::node* n, const std::string& path) const {
  return n ? where(n->source(), path) : where(toml::source_region{}, path);
}

std::string Reader::where(const toml::source_region& r, const std::string& path) const {
  if (is_override(r)) return *r.path;
  if (r.begin.line > 0)
    return source_ + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
  // Nodes built in code: the closest recorded place of the path or one of its ancestors.
  for (std::string p = path;;) {
    if (auto it = seen_.find(p); it != seen_.end()) return it->second;
    if (auto it = fallback_.find(p); it != fallback_.end()) return it->second;
    const auto dot = p.rfind('.');
    if (dot == std::string::npos) break;
    p.resize(dot);
  }
  return source_;
}

void Reader::error(const toml::node* n, const std::string& path, const std::string& message) {
  errors_.push_back(where(n, path) + ": key " + quote(path) + ": " + message);
}

void Reader::error_at(const std::string& path, const std::string& message) {
  error(nullptr, path, message);
}

void Reader::remember(const std::string& path, const toml::node& n) {
  const auto& r = n.source();
  if (is_override(r) || r.begin.line > 0) seen_[path] = where(&n, path);
}

void Reader::check_keys(const toml::table& t, const TableSchema& schema, const std::string& path) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (schema.find(key)) continue;
    const auto names = schema.key_names();
    const auto hints = closest_names(key, names);
    std::string message = "unknown key " + quote(child_path(path, key));
    if (!hints.empty()) message += " (did you mean '" + child_path(path, hints.front()) + "'?)";
    message += "; " + std::string(schema.header) + " takes: " + join(names);
    // Point at the key itself; a key made by --set has no place of its own, its value has.
    const auto& place = k.source().begin.line > 0 ? k.source() : v.source();
    errors_.push_back(where(place, child_path(path, key)) + ": " + message);
  }
}

const toml::node* Reader::lookup(const toml::table& t, std::string_view key,
                                 const std::string& path) {
  const toml::node* n = t.get(key);
  if (n) remember(path, *n);
  return n;
}

void Reader::type_error(const toml::node& n, const std::string& path, ValueType expected) {
  error(&n, path, "expected " + expected_text(expected) + ", found " + describe_node(n));
}

bool Reader::read_string(const toml::table& t, std::string_view key, const std::string& table_path,
                         std::string& out) {
  const std::string path = child_path(table_path, key);
  const toml::node* n = lookup(t, key, path);
  if (!n) return false;
  if (auto v = n->value_exact<std::string>()) {
    out = *v;
    return true;
  }
  type_error(*n, path, ValueType::kString);
  return false;
}

bool Reader::read_integer(const toml::table& t, std::string_view key, const std::string& table_path,
                          std::int64_t& out, std::int64_t min, std::int64_t max) {
  const std::string path = child_path(table_path, key);
  const toml::node* n = lookup(t, key, path);
  if (!n) return false;
  const auto v = n->value_exact<std::int64_t>();
  if (!v) {
    type_error(*n, path, ValueType::kInteger);
    return false;
  }
  if (*v < min || *v > max) {
    error(n, path,
          "must be " + range_text<std::int64_t>(min, max, false, INT64_MAX) + ", found " +
              std::to_string(*v));
    return false;
  }
  out = *v;
  return true;
}

bool Reader::read_number(const toml::table& t, std::string_view key, const std::string& table_path,
                         double& out, double min, double max, bool min_exclusive) {
  const std::string path = child_path(table_path, key);
  const toml::node* n = lookup(t, key, path);
  if (!n) return false;
  // Integers count as numbers (clock_mhz = 500), booleans and strings do not.
  std::optional<double> v;
  if (auto i = n->value_exact<std::int64_t>()) v = static_cast<double>(*i);
  if (auto d = n->value_exact<double>()) v = *d;
  if (!v) {
    type_error(*n, path, ValueType::kNumber);
    return false;
  }
  const bool below = min_exclusive ? !(*v > min) : !(*v >= min);
  if (!std::isfinite(*v) || below || *v > max) {
    error(n, path,
          "must be " + range_text<double>(min, max, min_exclusive, HUGE_VAL) + ", found " +
              number_text(*v));
    return false;
  }
  out = *v;
  return true;
}

bool Reader::read_boolean(const toml::table& t, std::string_view key, const std::string& table_path,
                          bool& out) {
  const std::string path = child_path(table_path, key);
  const toml::node* n = lookup(t, key, path);
  if (!n) return false;
  if (auto v = n->value_exact<bool>()) {
    out = *v;
    return true;
  }
  type_error(*n, path, ValueType::kBoolean);
  return false;
}

bool Reader::read_strings(const toml::table& t, std::string_view key, const std::string& table_path,
                          std::vector<std::string>& out) {
  const std::string path = child_path(table_path, key);
  const toml::node* n = lookup(t, key, path);
  if (!n) return false;
  const auto* arr = n->as_array();
  if (!arr) {
    type_error(*n, path, ValueType::kStrings);
    return false;
  }
  std::vector<std::string> values;
  for (const auto& e : *arr) {
    if (auto v = e.value_exact<std::string>()) {
      values.push_back(*v);
    } else {
      error(&e, path, "expected an array of strings, found an element that is " + describe_node(e));
      return false;
    }
  }
  out = std::move(values);
  return true;
}

const toml::table* Reader::read_table(const toml::table& t, std::string_view key,
                                      const std::string& table_path, const TableSchema& schema) {
  const std::string path = child_path(table_path, key);
  const toml::node* n = lookup(t, key, path);
  if (!n) return nullptr;
  const auto* table = n->as_table();
  if (!table) {
    type_error(*n, path, ValueType::kTable);
    return nullptr;
  }
  check_keys(*table, schema, path);
  return table;
}

const toml::array* Reader::read_tables(const toml::table& t, std::string_view key,
                                       const std::string& table_path) {
  const std::string path = child_path(table_path, key);
  const toml::node* n = lookup(t, key, path);
  if (!n) return nullptr;
  const auto* arr = n->as_array();
  if (!arr) {
    type_error(*n, path, ValueType::kTables);
    return nullptr;
  }
  for (const auto& e : *arr)
    if (!e.is_table())
      error(&e, path, "expected an array of tables, found an element that is " + describe_node(e));
  return arr;
}

void Reader::finish() const {
  if (!errors_.empty()) throw UserError(join(errors_, "\n"));
}

}  // namespace mpsim::hwcfg
