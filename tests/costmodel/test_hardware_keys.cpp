// The defaults the hardware schema declares (and docs/hardware.md prints) are what leaving a key
// out gives: writing any key as its documented default changes nothing.
#include <doctest/doctest.h>

#include <sstream>

#include "costmodel/hardware.h"
#include "formats/error.h"
#include "tests/keys_table.h"

namespace {

using mpsim::HardwareSpec;

// Every field of a spec, so two specs compare as text.
std::string spec_text(const HardwareSpec& s) {
  std::ostringstream o;
  const auto& a = s.array;
  const auto& m = a.mac;
  o << s.name << '|' << s.description << '|' << a.rows << 'x' << a.cols << '|'
    << mpsim::dataflow_name(a.dataflow) << '|' << a.clock_mhz << '|'
    << mpsim::mac_unit_kind_name(m.kind) << '|' << m.accumulator.name() << '|'
    << m.fallback_to_wider << '|' << m.lossless_sum << '|'
    << mpsim::narrow_accumulator_name(m.narrow_accumulator) << '|' << m.serial_bits << '|'
    << m.serial_both << '\n';
  for (const auto& p : m.pairs)
    o << "pair " << p.weight.name() << ' ' << p.activation.name() << ' ' << p.products_per_cycle
      << ' ' << (p.accumulator ? p.accumulator->name() : "-") << '\n';
  for (const auto& r : s.register_files) {
    o << "rf " << r.name << ' ' << r.entries << ' ' << r.word_bits;
    for (auto h : r.holds)
      o << ' ' << mpsim::operand_name(h);
    o << '\n';
  }
  for (const auto& b : s.buffers) {
    o << "buffer " << b.name << ' ' << b.capacity_bytes << ' ' << b.width_bits << ' ' << b.banks
      << ' ' << b.distributed;
    for (auto h : b.holds)
      o << ' ' << mpsim::operand_name(h);
    o << '\n';
  }
  o << mpsim::dram_kind_name(s.dram.kind) << '|' << s.dram.bandwidth_gbytes_per_s << '|'
    << s.dram.energy_pj_per_bit << '|' << s.dram.latency_ns << '\n'
    << s.technology.node_nm << '|' << s.technology.vdd_v << '|'
    << mpsim::device_name(s.technology.device) << '|' << s.technology.temperature_k << '|'
    << s.technology.power_gating << '\n';
  return o.str();
}

// The --set path of a documented key in the configs below: entries by name or index.
std::string set_path(std::string key) {
  for (auto [from, to] :
       {std::pair{"register_file[]", "register_file.rf"}, std::pair{"buffer[]", "buffer.gb"},
        std::pair{"array.mac.pairs[]", "array.mac.pairs.0"}})
    if (key.rfind(from, 0) == 0) key.replace(0, std::string(from).size(), to);
  return key;
}

}  // namespace

TEST_CASE("hardware keys: writing a documented default is the same as leaving the key out") {
  // Configs that leave out every key with a default; keys that apply to one kind of unit or to
  // explicit pairs only find a config they apply to.
  const std::string memories =
      "[[register_file]]\nname = \"rf\"\nholds = [\"weight\"]\n"
      "[[buffer]]\nname = \"gb\"\nholds = [\"weight\", \"input\", \"output\"]\ncapacity_kib = 64\n";
  const std::vector<std::string> bases = {
      memories,
      memories + "[[array.mac.pairs]]\nweight = \"int4\"\nactivation = \"int8\"\n",
      memories + "[array.mac]\nkind = \"bitserial\"\n",
  };
  int checked = 0;
  for (const auto& table : mpsim::test::keys_tables(mpsim::hardware_keys_markdown()))
    for (const auto& row : table.rows) {
      if (row.default_value.empty()) continue;
      INFO(row.key << " = " << row.default_value);
      bool same = false;
      for (const auto& base : bases) {
        const std::string without = spec_text(mpsim::parse_hardware_toml(base, "hw.toml"));
        try {
          const auto with = mpsim::parse_hardware_toml(
              base, "hw.toml", {set_path(row.key) + "=" + row.default_value});
          same = same || spec_text(with) == without;
        } catch (const mpsim::UserError&) {
          // The key does not apply to this config (serial_bits on a fixed unit).
        }
      }
      CHECK(same);
      ++checked;
    }
  CHECK(checked >= 25);  // the table was read: every key with a default was tried
}
