// Reading a parsed TOML tree against its schema (workloads/config_schema.h), collecting every
// diagnostic with its place, "file:line:col: key 'a.b': message" ("--set KEY=VALUE" for a key
// set on the command line), so one run reports every problem of a file instead of the first.
// Shared by the readers of hardware configs (costmodel/src/), precision maps and network files.
// The one public header with a TOML type in it: only those readers include it.
#pragma once

#include <toml++/toml.h>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.h"
#include "workloads/config_schema.h"

namespace mpsim::config {

// Key path -> place, for tree nodes built in code (a SCALE-Sim .cfg), which carry no source.
using Locations = std::map<std::string, std::string>;

// "a string (\"abc\")", "an integer (5)", "an array", ...: what a node is, for messages.
std::string describe_node(const toml::node& n);

class Reader {
 public:
  explicit Reader(std::string source, Locations fallback = {})
      : source_(std::move(source)), fallback_(std::move(fallback)) {}

  const std::string& source() const { return source_; }

  // "--set ARG" for a node parsed from an override, "file:line:col" for one from the file,
  // else the place recorded for `path` or its closest ancestor, else the file name.
  std::string where(const toml::node* n, const std::string& path) const;
  std::string where(const toml::source_region& r, const std::string& path) const;

  // Records "PLACE: key 'PATH': MESSAGE".
  void error(const toml::node* n, const std::string& path, const std::string& message);
  // The same, for checks made after reading: the place is the one recorded for `path`.
  void error_at(const std::string& path, const std::string& message);
  // Records "file:line:col: MESSAGE" (column 0: "file:line: MESSAGE") for what no one key is to
  // blame for, such as a layer whose shape cannot be inferred.
  void error_located(int line, int column, const std::string& message);

  // Remembers where `path` was read, for error_at.
  void remember(const std::string& path, const toml::node& n);

  // Records an error for every key of `t` that `schema` lacks, with the closest names, and for
  // every required key it lacks.
  void check_keys(const toml::table& t, const TableSchema& schema, const std::string& path);
  // Only the required keys.
  void check_required(const toml::table& t, const TableSchema& schema, const std::string& path);

  bool ok() const { return errors_.empty(); }
  std::size_t error_count() const { return errors_.size(); }
  // Throws UserError with every diagnostic, one a line, when there are any.
  void finish() const;

 private:
  std::string source_;
  Locations fallback_;
  Locations seen_;
  std::vector<std::string> errors_;
};

// One table of the tree with its schema and key path. Each typed read looks its key up in the
// schema (its type, bounds and choices; reading a key the schema lacks is a programming error,
// std::logic_error) and returns nullopt when the key is absent or wrong; a wrong type, bound or
// name is recorded in the Reader.
class Table {
 public:
  // `t` may be null (the table is absent): every read then returns nullopt.
  Table(Reader& r, const toml::table* t, const TableSchema& schema, std::string path)
      : r_(&r), t_(t), schema_(&schema), path_(std::move(path)) {}

  bool present() const { return t_ != nullptr; }
  const toml::table* node() const { return t_; }
  const TableSchema& schema() const { return *schema_; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return child_path(path_, key); }
  bool has(std::string_view key) const { return t_ && t_->contains(key); }
  const toml::node* get(std::string_view key) const { return t_ ? t_->get(key) : nullptr; }

  // Unknown and missing required keys (the Reader's check_keys).
  void check() const;
  void check_required() const;
  // Records an error about `key`, placed at its value, or at the table when it is absent.
  void error(std::string_view key, const std::string& message) const;

  std::optional<std::string> string(std::string_view key) const;  // kString, kChoice
  std::optional<Format> format(std::string_view key) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key) const;
  std::optional<double> number(std::string_view key) const;
  std::optional<float> single(std::string_view key) const;  // kFloat
  // kStrings, kChoices (each a valid name, none twice), kNameOrNames (a string is a list of one).
  std::optional<std::vector<std::string>> strings(std::string_view key) const;
  // kFormats: the valid formats, each once; a bad or repeated one is reported and left out.
  std::optional<std::vector<Format>> formats(std::string_view key) const;
  std::optional<std::vector<std::int64_t>> integers(std::string_view key) const;
  std::optional<std::array<std::int64_t, 2>> pair(std::string_view key) const;
  // [top, left, bottom, right]
  std::optional<std::array<std::int64_t, 4>> padding(std::string_view key) const;

  // A sub-table, its keys checked; absent (or not a table: reported) gives an absent Table.
  Table table(std::string_view key) const;
  // The entries of an array of tables, each remembered under its path (KEY.NAME when the entry
  // has a non-empty string `name` and the schema a `name` key, else KEY.INDEX) and checked
  // unless `check` is false (the caller checks each against a schema it chooses, as a layer's
  // keys depend on its op). Entries that are not tables are reported and left out.
  std::vector<Table> entries(std::string_view key, bool check = true) const;

 private:
  const KeySchema& schema_of(std::string_view key, std::initializer_list<ValueType> types) const;
  // The key's node, remembered; null when absent.
  const toml::node* lookup(std::string_view key) const;
  void type_error(const toml::node& n, std::string_view key, ValueType expected) const;
  bool in_range(const toml::node& n, std::string_view key, const KeySchema& k, double v,
                const std::string& shown) const;
  // The elements of an array of strings, or nullopt after reporting the first that is not one.
  std::optional<std::vector<std::string>> string_list(const toml::array& arr, std::string_view key,
                                                      const KeySchema& k) const;
  std::optional<std::vector<std::int64_t>> integer_list(const toml::node& n, std::string_view key,
                                                        const KeySchema& k) const;

  Reader* r_;
  const toml::table* t_;
  const TableSchema* schema_;
  std::string path_;
};

}  // namespace mpsim::config
