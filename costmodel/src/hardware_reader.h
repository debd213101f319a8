// Typed reads from a parsed hardware config tree, collecting every diagnostic with its place:
// "file:line:col" for a key from the file, "--set KEY=VALUE" for one from the command line.
// Private to costmodel/.
#pragma once

#include <toml++/toml.h>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "costmodel/src/hardware_schema.h"

namespace mpsim::hwcfg {

// Key path -> place, for tree nodes built in code (a SCALE-Sim .cfg), which carry no source.
using Locations = std::map<std::string, std::string>;

class Reader {
 public:
  Reader(std::string source, Locations fallback)
      : source_(std::move(source)), fallback_(std::move(fallback)) {}

  // "--set ARG" for a node parsed from an override, "file:line:col" for one from the file,
  // else the place recorded for `path` or its closest ancestor, else the file name.
  std::string where(const toml::node* n, const std::string& path) const;
  std::string where(const toml::source_region& r, const std::string& path) const;

  // Records "PLACE: key 'PATH': MESSAGE".
  void error(const toml::node* n, const std::string& path, const std::string& message);
  // The same, for checks made after reading: the place is the one recorded for `path`.
  void error_at(const std::string& path, const std::string& message);

  // Records an error for every key of `t` that `schema` lacks, with the closest names.
  void check_keys(const toml::table& t, const TableSchema& schema, const std::string& path);

  // Typed reads of t[key]. Each returns false, leaving `out` as it was (the default), when the
  // key is absent or wrong; a wrong type or range is recorded as an error.
  bool read_string(const toml::table& t, std::string_view key, const std::string& table_path,
                   std::string& out);
  bool read_integer(const toml::table& t, std::string_view key, const std::string& table_path,
                    std::int64_t& out, std::int64_t min, std::int64_t max);
  // min < value <= max when min_exclusive, else min <= value <= max; always finite.
  bool read_number(const toml::table& t, std::string_view key, const std::string& table_path,
                   double& out, double min, double max, bool min_exclusive = false);
  bool read_boolean(const toml::table& t, std::string_view key, const std::string& table_path,
                    bool& out);
  bool read_strings(const toml::table& t, std::string_view key, const std::string& table_path,
                    std::vector<std::string>& out);
  // A sub-table (its keys checked against `schema`), or nullptr when absent or not a table.
  const toml::table* read_table(const toml::table& t, std::string_view key,
                                const std::string& table_path, const TableSchema& schema);
  // An array of tables ([[key]]), or nullptr when absent or of another type. Entries that are
  // not tables are reported; callers skip them.
  const toml::array* read_tables(const toml::table& t, std::string_view key,
                                 const std::string& table_path);

  // Remembers where `path` was read, for error_at.
  void remember(const std::string& path, const toml::node& n);

  bool ok() const { return errors_.empty(); }
  // Throws UserError with every diagnostic, one a line, when there are any.
  void finish() const;

 private:
  const toml::node* lookup(const toml::table& t, std::string_view key, const std::string& path);
  void type_error(const toml::node& n, const std::string& path, ValueType expected);

  std::string source_;
  Locations fallback_;
  Locations seen_;
  std::vector<std::string> errors_;
};

// "a string (\"abc\")", "an integer (5)", "an array", ...: what a node is, for messages.
std::string describe_node(const toml::node& n);

}  // namespace mpsim::hwcfg
