// SCALE-Sim .cfg files (INI) as hardware configs. The .cfg is turned into the same tree a TOML
// config gives, so --set overrides and validation work the same way; docs/hardware.md lists the
// mapping. Values are checked here, where their line is known.
#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "costmodel/src/hardware_tree.h"
#include "formats/error.h"

namespace mpsim::hwcfg {

namespace {

// SCALE-Sim has no clock (it counts cycles) and no technology; these are mpsim's choices.
constexpr double kScaleSimClockMhz = 1000.0;
constexpr int kScaleSimNodeNm = 45;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Entry {
  std::string value;
  int line = 0;
};

// section (lower case) -> key (lower case, as Python's configparser folds it) -> value.
using Ini = std::map<std::string, std::map<std::string, Entry>>;

Ini parse_ini(const std::string& text, const std::string& source) {
  Ini ini;
  std::istringstream in(text);
  std::string raw;
  std::string section;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const std::string s = trim(raw);
    if (s.empty() || s[0] == '#' || s[0] == ';') continue;
    if (s[0] == '[') {
      if (s.back() != ']' || s.size() < 3)
        throw UserError(located(source, line, 0, "malformed section header " + quote(s)));
      section = lower(trim(s.substr(1, s.size() - 2)));
      ini[section];
      continue;
    }
    // configparser takes the first '=' or ':' as the separator.
    const auto sep = s.find_first_of("=:");
    if (sep == std::string::npos || sep == 0)
      throw UserError(
          located(source, line, 0, "expected 'Key = value' or 'Key: value', found " + quote(s)));
    if (section.empty())
      throw UserError(located(source, line, 0, quote(s) + " comes before any [section]"));
    const std::string key = lower(trim(s.substr(0, sep)));
    auto& keys = ini[section];
    if (keys.count(key))
      throw UserError(located(source, line, 0,
                              "key " + quote(trim(s.substr(0, sep))) + " appears twice in [" +
                                  printable(section) + "] (first on line " +
                                  std::to_string(keys[key].line) + ")"));
    keys[key] = {trim(s.substr(sep + 1)), line};
  }
  return ini;
}

class CfgReader {
 public:
  CfgReader(const Ini& ini, std::string source) : ini_(ini), source_(std::move(source)) {}

  const Entry* find(const std::string& section, const std::string& key) const {
    const auto s = ini_.find(section);
    if (s == ini_.end()) return nullptr;
    const auto k = s->second.find(lower(key));
    return k == s->second.end() ? nullptr : &k->second;
  }

  const Entry& require(const std::string& section, const std::string& key) const {
    if (const Entry* e = find(section, key)) return *e;
    throw UserError(
        located(source_, 0, 0, "SCALE-Sim config needs " + key + " in [" + section + "]"));
  }

  std::int64_t positive(const Entry& e, const std::string& key, std::int64_t max) const {
    std::int64_t v = 0;
    std::size_t used = 0;
    try {
      v = std::stoll(e.value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (e.value.empty() || used != e.value.size() || v <= 0 || v > max)
      throw UserError(located(source_, e.line, 0,
                              key + ": expected a positive integer up to " + std::to_string(max) +
                                  ", found " + quote(e.value)));
    return v;
  }

  std::string where(const Entry& e) const { return source_ + ":" + std::to_string(e.line); }

 private:
  const Ini& ini_;
  std::string source_;
};

toml::array holding(std::initializer_list<const char*> operands) {
  toml::array a;
  for (const char* o : operands)
    a.push_back(o);
  return a;
}

struct ScaleSimTree {
  toml::table root;
  Locations where;
  std::int64_t user_words_per_cycle = 0;  // USER mode; 0 in CALC mode
};

ScaleSimTree scalesim_tree(const std::string& text, const std::string& source) {
  const Ini ini = parse_ini(text, source);
  const CfgReader cfg(ini, source);
  ScaleSimTree out;
  auto& w = out.where;

  const std::string arch = "architecture_presets";
  const Entry& height = cfg.require(arch, "ArrayHeight");
  const Entry& width = cfg.require(arch, "ArrayWidth");
  const std::int64_t rows = cfg.positive(height, "ArrayHeight", 65536);
  const std::int64_t cols = cfg.positive(width, "ArrayWidth", 65536);
  w["array.rows"] = cfg.where(height);
  w["array.cols"] = cfg.where(width);

  const Entry& df = cfg.require(arch, "Dataflow");
  const std::string dataflow = lower(df.value);
  // SCALE-Sim's three systolic dataflows; rs is mpsim's own.
  const std::vector<std::string> scalesim_dataflows = {"os", "ws", "is"};
  if (std::find(scalesim_dataflows.begin(), scalesim_dataflows.end(), dataflow) ==
      scalesim_dataflows.end())
    throw UserError(
        located(source, df.line, 0,
                "Dataflow: " + unknown_name_message("dataflow", df.value, scalesim_dataflows)));
  w["array.dataflow"] = cfg.where(df);

  toml::table mac;
  mac.insert("kind", "fixed");
  mac.insert("accumulator", "int32");
  mac.insert("formats", toml::array{"int8"});
  toml::table array;
  array.insert("rows", rows);
  array.insert("cols", cols);
  array.insert("dataflow", dataflow);
  array.insert("clock_mhz", kScaleSimClockMhz);
  array.insert("mac", std::move(mac));
  out.root.insert("array", std::move(array));

  // One-byte words: an SRAM port moves one word per PE on the array edge it feeds; the ifmap
  // feeds the rows, the filter and ofmap the columns.
  struct Sram {
    const char* key;
    const char* name;
    const char* holds;
    std::int64_t port_words;
  };
  toml::array buffers;
  for (const Sram& s : {Sram{"IfmapSramSzkB", "ifmap_sram", "input", rows},
                        Sram{"FilterSramSzkB", "filter_sram", "weight", cols},
                        Sram{"OfmapSramSzkB", "ofmap_sram", "output", cols}}) {
    const Entry& e = cfg.require(arch, s.key);
    toml::table b;
    b.insert("name", s.name);
    b.insert("holds", holding({s.holds}));
    b.insert("capacity_kib", cfg.positive(e, s.key, std::int64_t{1} << 30));
    b.insert("width_bits", 8 * s.port_words);
    b.insert("banks", 1);
    buffers.push_back(std::move(b));
    w[std::string("buffer.") + s.name] = cfg.where(e);
  }
  out.root.insert("buffer", std::move(buffers));

  const Entry& mode = cfg.require("run_presets", "InterfaceBandwidth");
  toml::table dram;
  if (mode.value == "CALC") {
    dram.insert("kind", "ideal");
  } else if (mode.value == "USER") {
    dram.insert("kind", "lpddr4");
    // One bandwidth per memory bank, comma-separated; the banks together make one interface.
    const Entry& bw = cfg.require(arch, "Bandwidth");
    std::stringstream ss(bw.value);
    std::string item;
    while (std::getline(ss, item, ','))
      out.user_words_per_cycle += cfg.positive({trim(item), bw.line}, "Bandwidth", 1 << 20);
    w["dram.bandwidth_gbytes_per_s"] = cfg.where(bw);
  } else {
    throw UserError(
        located(source, mode.line, 0,
                "InterfaceBandwidth: expected CALC or USER, found " + quote(mode.value)));
  }
  w["dram"] = cfg.where(mode);
  out.root.insert("dram", std::move(dram));
  toml::table tech;
  tech.insert("node_nm", kScaleSimNodeNm);
  out.root.insert("technology", std::move(tech));

  if (const Entry* name = cfg.find("general", "run_name"); name && !name->value.empty()) {
    out.root.insert("name", name->value);
    w["name"] = cfg.where(*name);
  }
  out.root.insert("description", std::string("SCALE-Sim config (") +
                                     (mode.value == "CALC" ? "CALC" : "USER") + " bandwidth mode)");
  return out;
}

}  // namespace

HardwareSpec scalesim_spec(const std::string& text, const std::string& source,
                           const std::string& default_name,
                           const std::vector<std::string>& overrides) {
  ScaleSimTree t = scalesim_tree(text, source);
  apply_overrides(t.root, overrides);
  // USER bandwidth is in words (bytes) per cycle: convert at the clock in force after the
  // overrides, unless the bandwidth itself was overridden or the memory made ideal.
  auto* dram = t.root["dram"].as_table();
  if (t.user_words_per_cycle > 0 && dram && !dram->contains("bandwidth_gbytes_per_s") &&
      (*dram)["kind"].value_exact<std::string>() != std::optional<std::string>("ideal")) {
    const auto clock = t.root["array"]["clock_mhz"].value<double>();
    if (clock && *clock > 0)
      dram->insert("bandwidth_gbytes_per_s",
                   static_cast<double>(t.user_words_per_cycle) * *clock / 1000.0);
  }
  return spec_from_tree(t.root, source, default_name, t.where);
}

}  // namespace mpsim::hwcfg
