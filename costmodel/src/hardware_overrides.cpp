// --set KEY=VALUE on a parsed config tree. Each value is parsed as TOML under the source name
// "--set KEY=VALUE", so the reader later names the argument (not the file) when the value is
// wrong, and checks it exactly like a value written in the file.
#include <cctype>

#include "costmodel/src/hardware_tree.h"
#include "formats/error.h"

namespace mpsim::hwcfg {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// A TOML basic string holding `s` exactly.
std::string quoted(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The value as TOML ("32", "[\"int8\"]", "{ name = \"gb\" }") or, when that does not parse to
// exactly one value, as a bare string, so `--set array.dataflow=os` needs no quotes.
toml::table parse_value(const std::string& value, const std::string& where) {
  try {
    auto doc = toml::parse("v = " + value, where);
    if (doc.size() == 1 && doc.contains("v")) return doc;
  } catch (const toml::parse_error&) {
  }
  try {
    return toml::parse("v = " + quoted(value), where);
  } catch (const toml::parse_error&) {
    throw UserError(where + ": the value is neither TOML nor a plain UTF-8 string");
  }
}

std::vector<std::string> split_path(const std::string& key, const std::string& where) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (parts.back().empty())
      throw UserError(where + ": '" + key + "' is not a dotted key path (e.g. array.rows)");
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::string unknown_key(const std::string& where, const std::string& path, const std::string& key,
                        const TableSchema& schema) {
  const auto names = schema.key_names();
  std::string message = where + ": unknown key '" + child_path(path, key) + "'";
  if (auto hints = closest_names(key, names); !hints.empty())
    message += " (did you mean '" + child_path(path, hints.front()) + "'?)";
  return message + "; " + std::string(schema.header) + " takes: " + join(names);
}

bool all_digits(const std::string& s) {
  for (unsigned char c : s)
    if (!std::isdigit(c)) return false;
  return !s.empty();
}

// The entry of a [[key]] array selected by `selector`: the one whose name it is, else (for
// entries without names, such as format pairs) the one at that 0-based index.
std::size_t select_entry(const toml::array& arr, const std::string& selector,
                         const std::string& header, const std::string& where) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < arr.size(); ++i)
    if (const auto* t = arr[i].as_table())
      if (auto name = (*t)["name"].value_exact<std::string>()) {
        if (*name == selector) return i;
        names.push_back(*name);
      }
  if (all_digits(selector) && selector.size() < 9 && std::stoul(selector) < arr.size())
    return std::stoul(selector);
  std::string message = where + ": no " + header + " entry named '" + selector + "'";
  if (auto hints = closest_names(selector, names); !hints.empty())
    message += " (did you mean '" + hints.front() + "'?)";
  message += names.empty() ? "; the config has " + std::to_string(arr.size()) +
                                 " unnamed entries, selected by index from 0"
                           : "; the config has: " + join(names);
  throw UserError(message);
}

void apply_one(toml::table& root, const std::string& arg) {
  const std::string where = "--set " + arg;
  const auto eq = arg.find('=');
  if (eq == std::string::npos)
    throw UserError(where + ": expected KEY=VALUE, e.g. --set array.rows=32");
  const std::string key = trim(std::string_view(arg).substr(0, eq));
  const auto parts = split_path(key, where);
  toml::table doc = parse_value(trim(std::string_view(arg).substr(eq + 1)), where);

  const TableSchema* schema = &root_schema();
  toml::table* table = &root;
  std::string path;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const KeySchema* k = schema->find(part);
    if (!k) throw UserError(unknown_key(where, path, part, *schema));
    path = child_path(path, part);
    if (i + 1 == parts.size()) {
      // The new value replaces the key's exclusive alternatives (capacity_kib vs capacity_bytes).
      for (auto other : k->replaces)
        table->erase(other);
      table->insert_or_assign(part, std::move(*doc.get("v")));
      return;
    }
    toml::node* next = table->get(part);
    if (k->type == ValueType::kTable) {
      if (!next) next = table->insert(part, toml::table{}).first->second.as_table();
      if (!next->is_table())
        throw UserError(where + ": key '" + path + "' in the config is " + describe_node(*next) +
                        ", not a table");
      table = next->as_table();
      schema = k->table;
    } else if (k->type == ValueType::kTables) {
      if (!next || !next->is_array())
        throw UserError(where + ": the config has no " + std::string(k->table->header) +
                        " entries to select '" + parts[i + 1] + "' from");
      auto& arr = *next->as_array();
      const std::size_t index =
          select_entry(arr, parts[i + 1], std::string(k->table->header), where);
      path = child_path(path, parts[++i]);
      if (i + 1 == parts.size()) {  // a whole entry, given as an inline table
        arr.replace(arr.cbegin() + static_cast<std::ptrdiff_t>(index), std::move(*doc.get("v")));
        return;
      }
      if (!arr[index].is_table())
        throw UserError(where + ": entry '" + path + "' in the config is not a table");
      table = arr[index].as_table();
      schema = k->table;
    } else {
      throw UserError(where + ": key '" + path + "' is a value, not a table: it has no key '" +
                      parts[i + 1] + "'");
    }
  }
}

}  // namespace

void apply_overrides(toml::table& root, const std::vector<std::string>& overrides) {
  for (const auto& arg : overrides)
    apply_one(root, arg);
}

}  // namespace mpsim::hwcfg
