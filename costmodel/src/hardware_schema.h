// The keys a hardware config may hold, as data: the reader checks every table against it (an
// unknown key is an error with a "did you mean") and --set resolves its dotted paths through it.
// Private to costmodel/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mpsim::hwcfg {

enum class ValueType {
  kString,
  kInteger,
  kNumber,  // integer or float
  kBoolean,
  kStrings,  // array of strings
  kTable,
  kTables,  // array of tables ([[name]]), entries addressed by their `name` or index
};

struct TableSchema;

struct KeySchema {
  std::string_view key;
  ValueType type;
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

const TableSchema& root_schema();

// "an integer", "a string", ... as used in "expected X, found Y".
std::string expected_text(ValueType t);

// "a.b" from "a" and "b"; "b" when the parent is empty.
std::string child_path(const std::string& parent, std::string_view key);

}  // namespace mpsim::hwcfg
