// The keys a configuration file may hold, as data: hardware configs, precision maps and network
// files each declare their tables once, every key with its type, default, range and a one-line
// description. The readers check files against it (type, range, unknown keys with "did you
// mean"), `--set` resolves its dotted paths through it, and the key tables in docs/ are printed
// from it (markdown_table), so code, messages and documentation cannot drift apart.
// No TOML type appears here; the reader that uses the schema is workloads/config_reader.h.
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim::config {

enum class ValueType {
  kString,
  kChoice,  // a string naming one of KeySchema::choices
  kFormat,  // a number format's name (Format::parse)
  kInteger,
  kNumber,  // integer or float, finite
  kFloat,   // a number kept as a 32-bit float: finite values beyond its range are refused
  kBoolean,
  kStrings,      // array of strings
  kChoices,      // array of KeySchema::choices, none twice
  kFormats,      // array of format names, none twice
  kIntegers,     // array of integers; min and max bound each
  kIntegerPair,  // an integer for both spatial dimensions, or [h, w]
  kPadding,      // an integer, [h, w] or [top, left, bottom, right]
  kNameOrNames,  // a string or an array of strings
  kTable,
  kTables,  // array of tables ([[name]]), entries addressed by their `name` or index
};

struct TableSchema;

inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();

struct KeySchema {
  std::string_view key;
  ValueType type;
  // The default as a TOML value ("16", "\"ws\"", "false"): leaving the key out must mean the
  // same as writing it (test_hardware_keys.cpp and test_config_defaults.cpp check this).
  std::string_view default_value = {};
  // Prose for the documentation when the default is not one value ("the file's name", "the
  // unit's", "= kernel"), or a remark after it ("the kind's default").
  std::string_view default_note = {};
  bool required = false;
  // Bounds of a number, or of each integer of an array; min_exclusive makes min a strict bound.
  double min = -kUnbounded;
  double max = kUnbounded;
  bool min_exclusive = false;
  // kChoice, kChoices: the valid names, and what one is called in messages ("dataflow").
  std::vector<std::string> (*choices)() = nullptr;
  std::string_view noun = {};
  std::string_view unit = {};
  std::string_view description = {};
  const TableSchema* table = nullptr;  // for kTable and kTables
  // Keys of the same table this one replaces when set by --set, so an override may switch
  // between two exclusive forms (capacity_kib / capacity_bytes, pairs / formats).
  std::vector<std::string_view> replaces = {};
};

struct TableSchema {
  std::string_view header;  // "[array]", "[[buffer]]": how messages name the table
  std::vector<KeySchema> keys;

  const KeySchema* find(std::string_view key) const;
  std::vector<std::string> key_names() const;
};

// "an integer", "a string", ... as used in "expected X, found Y".
std::string expected_text(ValueType t);
// "between 1 and 65536", "at least 0", "greater than 0 and at most 1024": a key's bounds as
// messages and docs state them; empty when unbounded.
std::string range_text(const KeySchema& k);

// "a.b" from "a" and "b"; "b" when the parent is empty.
std::string child_path(const std::string& parent, std::string_view key);

// "unknown WHAT 'x' (did you mean 'y'?); valid: a, b, c"
std::string unknown_name_message(const std::string& what, const std::string& name,
                                 const std::vector<std::string>& valid);

// The schema as a markdown table (key, type, [unit,] default, range, description), nested
// tables flattened into dotted paths ("array.mac.kind", "buffer[].name"); the unit column only
// when some key has a unit. The docs hold these tables verbatim (tests check it).
std::string markdown_table(const TableSchema& schema);

}  // namespace mpsim::config
