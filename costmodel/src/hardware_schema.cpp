// The hardware config schema. docs/hardware.md documents each key; keep the two in step.
#include "costmodel/src/hardware_schema.h"

namespace mpsim::hwcfg {

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

const TableSchema& root_schema() {
  // Built once on first use, leaves first, so the pointers between tables are stable.
  static const TableSchema pair{"[[array.mac.pairs]]",
                                {{"weight", ValueType::kString},
                                 {"activation", ValueType::kString},
                                 {"per_cycle", ValueType::kInteger},
                                 {"accumulator", ValueType::kString}}};
  static const TableSchema mac{"[array.mac]",
                               {{"kind", ValueType::kString},
                                {"accumulator", ValueType::kString},
                                {"fallback_to_wider", ValueType::kBoolean},
                                {"lossless_sum", ValueType::kInteger},
                                {"narrow_accumulator", ValueType::kString},
                                {"serial_bits", ValueType::kInteger},
                                {"serial", ValueType::kString},
                                {"pairs", ValueType::kTables, &pair, {"formats", "max_bits"}},
                                {"formats", ValueType::kStrings, nullptr, {"pairs"}},
                                {"max_bits", ValueType::kInteger, nullptr, {"pairs"}}}};
  static const TableSchema array{"[array]",
                                 {{"rows", ValueType::kInteger},
                                  {"cols", ValueType::kInteger},
                                  {"dataflow", ValueType::kString},
                                  {"clock_mhz", ValueType::kNumber},
                                  {"mac", ValueType::kTable, &mac}}};
  static const TableSchema register_file{"[[register_file]]",
                                         {{"name", ValueType::kString},
                                          {"holds", ValueType::kStrings},
                                          {"entries", ValueType::kInteger},
                                          {"word_bits", ValueType::kInteger}}};
  static const TableSchema buffer{
      "[[buffer]]",
      {{"name", ValueType::kString},
       {"holds", ValueType::kStrings},
       {"capacity_kib", ValueType::kNumber, nullptr, {"capacity_bytes"}},
       {"capacity_bytes", ValueType::kInteger, nullptr, {"capacity_kib"}},
       {"width_bits", ValueType::kInteger},
       {"banks", ValueType::kInteger},
       {"distributed", ValueType::kBoolean}}};
  static const TableSchema dram{"[dram]",
                                {{"kind", ValueType::kString},
                                 {"bandwidth_gbytes_per_s", ValueType::kNumber},
                                 {"energy_pj_per_bit", ValueType::kNumber},
                                 {"latency_ns", ValueType::kNumber}}};
  static const TableSchema technology{"[technology]",
                                      {{"node_nm", ValueType::kInteger},
                                       {"vdd_v", ValueType::kNumber},
                                       {"device", ValueType::kString},
                                       {"temperature_k", ValueType::kNumber},
                                       {"power_gating", ValueType::kBoolean}}};
  static const TableSchema root{"the top level",
                                {{"name", ValueType::kString},
                                 {"description", ValueType::kString},
                                 {"array", ValueType::kTable, &array},
                                 {"register_file", ValueType::kTables, &register_file},
                                 {"buffer", ValueType::kTables, &buffer},
                                 {"dram", ValueType::kTable, &dram},
                                 {"technology", ValueType::kTable, &technology}}};
  return root;
}

std::string expected_text(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "a string";
    case ValueType::kInteger:
      return "an integer";
    case ValueType::kNumber:
      return "a number";
    case ValueType::kBoolean:
      return "true or false";
    case ValueType::kStrings:
      return "an array of strings";
    case ValueType::kTable:
      return "a table";
    case ValueType::kTables:
      return "an array of tables";
  }
  return "a value";
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

}  // namespace mpsim::hwcfg
