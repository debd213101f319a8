// Where a diagnostic is, and the checks of a table's keys against its schema.
#include "workloads/config_reader.h"

#include "formats/error.h"

namespace mpsim::config {

namespace {

bool is_override(const toml::source_region& r) {
  return r.path && r.path->rfind("--set ", 0) == 0;
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

void Reader::error_located(int line, int column, const std::string& message) {
  errors_.push_back(located(source_, line, column, message));
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
    if (!hints.empty())
      message += " (did you mean " + quote(child_path(path, hints.front())) + "?)";
    message += "; " + std::string(schema.header) + " takes: " + join(names);
    // Point at the key itself; a key made by --set has no place of its own, its value has.
    const auto& place = k.source().begin.line > 0 ? k.source() : v.source();
    errors_.push_back(where(place, child_path(path, key)) + ": " + message);
  }
  check_required(t, schema, path);
}

void Reader::check_required(const toml::table& t, const TableSchema& schema,
                            const std::string& path) {
  for (const auto& k : schema.keys)
    if (k.required && !t.contains(k.key)) {
      // The description is markdown for the docs; a terminal shows it without the backticks.
      std::string what;
      for (char c : k.description)
        if (c != '`') what += c;
      error(&t, child_path(path, k.key),
            "missing; it has no default" + (what.empty() ? std::string() : ": " + what));
    }
}

void Reader::finish() const {
  if (!errors_.empty()) throw UserError(join(errors_, "\n"));
}

}  // namespace mpsim::config
