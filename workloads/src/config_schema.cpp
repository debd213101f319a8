// Looking keys up in a schema, the texts messages use for types and bounds, and the markdown
// tables docs/ holds (one printer for every schema, so the docs cannot describe a key otherwise).
#include "workloads/config_schema.h"

#include <cmath>

#include "formats/error.h"

namespace mpsim::config {

namespace {

// The type column of the docs: what a user writes.
std::string type_doc(ValueType t) {
  switch (t) {
    case ValueType::kString:
    case ValueType::kChoice:
      return "string";
    case ValueType::kFormat:
      return "format name";
    case ValueType::kInteger:
      return "integer";
    case ValueType::kNumber:
      return "number";
    case ValueType::kFloat:
      return "number (kept as a 32-bit float)";
    case ValueType::kBoolean:
      return "boolean";
    case ValueType::kStrings:
    case ValueType::kChoices:
      return "array of strings";
    case ValueType::kFormats:
      return "array of format names";
    case ValueType::kIntegers:
      return "array of integers";
    case ValueType::kIntegerPair:
      return "integer or [h, w]";
    case ValueType::kPadding:
      return "integer, [h, w] or [top, left, bottom, right]";
    case ValueType::kNameOrNames:
      return "string or array of strings";
    case ValueType::kTable:
      return "table";
    case ValueType::kTables:
      return "array of tables";
  }
  return "value";
}

bool holds_integers(ValueType t) {
  return t == ValueType::kIntegers || t == ValueType::kIntegerPair || t == ValueType::kPadding;
}

std::string default_doc(const KeySchema& k) {
  std::string out;
  if (!k.default_value.empty()) out.append("`").append(k.default_value).append("`");
  if (k.required) out = "required";
  if (!k.default_note.empty()) {
    if (out.empty())
      out = k.default_note;
    else
      out.append(" (").append(k.default_note).append(")");
  }
  // A table is there or not; its keys have the defaults.
  return out.empty() && k.type != ValueType::kTable ? "unset" : out;
}

std::string range_doc(const KeySchema& k) {
  if (k.choices) {
    std::vector<std::string> names;
    for (const auto& n : k.choices())
      names.push_back("`" + n + "`");
    return join(names);
  }
  const std::string r = range_text(k);
  return holds_integers(k.type) && !r.empty() ? "each " + r : r;
}

// A cell may not hold the column separator.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text)
    out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

void add_rows(const TableSchema& schema, const std::string& prefix, bool with_unit,
              std::string& out) {
  for (const auto& k : schema.keys) {
    const std::string path = prefix + std::string(k.key);
    out += "| `" + path + "` | " + type_doc(k.type) + " | ";
    if (with_unit) out += cell(k.unit) + " | ";
    out += cell(default_doc(k)) + " | " + cell(range_doc(k)) + " | " + cell(k.description) + " |\n";
    if (k.table)
      add_rows(*k.table, path + (k.type == ValueType::kTables ? "[]." : "."), with_unit, out);
  }
}

bool any_unit(const TableSchema& schema) {
  for (const auto& k : schema.keys)
    if (!k.unit.empty() || (k.table && any_unit(*k.table))) return true;
  return false;
}

}  // namespace

const KeySchema* TableSchema::find(std::string_view key) const {
  for (const auto& k : keys)
    if (k.key == key) return &k;
  return nullptr;
}

std::vector<std::string> TableSchema::key_names() const {
  std::vector<std::string> out;
  for (const auto& k : keys)
    out.emplace_back(k.key);
  return out;
}

std::string expected_text(ValueType t) {
  switch (t) {
    case ValueType::kString:
    case ValueType::kChoice:
    case ValueType::kFormat:
      return "a string";
    case ValueType::kInteger:
      return "an integer";
    case ValueType::kNumber:
    case ValueType::kFloat:
      return "a number";
    case ValueType::kBoolean:
      return "true or false";
    case ValueType::kStrings:
    case ValueType::kChoices:
    case ValueType::kFormats:
      return "an array of strings";
    case ValueType::kIntegers:
      return "an array of integers";
    case ValueType::kIntegerPair:
      return "an integer or [h, w]";
    case ValueType::kPadding:
      return "an integer, [h, w] or [top, left, bottom, right]";
    case ValueType::kNameOrNames:
      return "a string or an array of strings";
    case ValueType::kTable:
      return "a table";
    case ValueType::kTables:
      return "an array of tables";
  }
  return "a value";
}

std::string range_text(const KeySchema& k) {
  const bool has_min = std::isfinite(k.min), has_max = std::isfinite(k.max);
  const std::string lo = number_text(k.min), hi = number_text(k.max);
  if (has_min && has_max)
    return k.min_exclusive ? "greater than " + lo + " and at most " + hi
                           : "between " + lo + " and " + hi;
  if (has_min) return (k.min_exclusive ? "greater than " : "at least ") + lo;
  if (has_max) return "at most " + hi;
  return "";
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string unknown_name_message(const std::string& what, const std::string& name,
                                 const std::vector<std::string>& valid) {
  std::string message = "unknown " + what + " " + quote(name);
  if (auto hints = closest_names(name, valid); !hints.empty())
    message += " (did you mean '" + hints.front() + "'?)";
  return message + "; valid: " + join(valid);
}

std::string markdown_table(const TableSchema& schema) {
  const bool with_unit = any_unit(schema);
  std::string out = with_unit ? "| key | type | unit | default | range | description |\n"
                                "|---|---|---|---|---|---|\n"
                              : "| key | type | default | range | description |\n"
                                "|---|---|---|---|---|\n";
  add_rows(schema, "", with_unit, out);
  return out;
}

}  // namespace mpsim::config
