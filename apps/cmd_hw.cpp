// mpsim hw show|list|keys: a hardware config as understood (defaults filled in, with units and
// the area model's breakdown), the bundled configs, and the keys a config may hold.
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>

#include "apps/commands.h"
#include "costmodel/hardware.h"
#include "costmodel/hardware_model.h"
#include "costmodel/memory_model.h"
#include "costmodel/technology.h"
#include "explore/json_text.h"
#include "explore/text_table.h"
#include "formats/error.h"

namespace mpsim::cli {

namespace {

struct HwOptions {
  std::string hardware;
  std::vector<std::string> overrides;
  std::string format = "table";
};

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

// Shortest text that reads back as the same figure at 6 significant digits: 500, 25.6, 0.9.
std::string num(double v) {
  std::ostringstream s;
  s << std::setprecision(6) << v;
  return s.str();
}

std::string holds_text(const std::vector<Operand>& holds) {
  std::vector<std::string> names;
  for (Operand o : holds)
    names.push_back(operand_name(o));
  return join(names);
}

nlohmann::ordered_json holds_json(const std::vector<Operand>& holds) {
  auto j = nlohmann::ordered_json::array();
  for (Operand o : holds)
    j.push_back(operand_name(o));
  return j;
}

std::string capacity_text(std::int64_t bytes) {
  if (bytes % (1024 * 1024) == 0) return with_commas(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return with_commas(bytes / 1024) + " KiB";
  return with_commas(bytes) + " B";
}

// Peak products per second of one pair over the whole array, in G/s.
double peak_g_per_s(const HardwareSpec& s, const FormatPair& p) {
  return static_cast<double>(s.array.rows) * s.array.cols * p.products_per_cycle *
         s.array.clock_mhz / 1000.0;
}

// The formats a config runs natively, weight and activation, in first-seen order.
std::vector<std::string> format_list(const MacUnitSpec& mac) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& p : mac.pairs)
    for (const Format* f : {&p.weight, &p.activation})
      if (seen.insert(f->name()).second) out.push_back(f->name());
  return out;
}

nlohmann::ordered_json spec_json(const HardwareSpec& s, const DramCost& dram, double vdd_v,
                                 const AreaBreakdown& area) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["description"] = s.description;
  j["source"] = s.source;
  const auto& a = s.array;
  j["array"] = {{"rows", a.rows},
                {"cols", a.cols},
                {"pes", a.rows * a.cols},
                {"dataflow", dataflow_name(a.dataflow)},
                {"clock_mhz", a.clock_mhz}};
  auto pairs = nlohmann::ordered_json::array();
  for (const auto& p : a.mac.pairs)
    pairs.push_back({{"weight", p.weight.name()},
                     {"activation", p.activation.name()},
                     {"per_cycle", p.products_per_cycle},
                     {"accumulator", a.mac.accumulator_of(p).name()},
                     {"peak_gmacs_per_s", peak_g_per_s(s, p)}});
  j["array"]["mac"] = {{"kind", mac_unit_kind_name(a.mac.kind)},
                       {"accumulator", a.mac.accumulator.name()},
                       {"lossless_sum", a.mac.lossless_sum},
                       {"narrow_accumulator", narrow_accumulator_name(a.mac.narrow_accumulator)},
                       {"fallback_to_wider", a.mac.fallback_to_wider},
                       {"pairs", pairs}};
  if (a.mac.kind == MacUnitKind::kBitSerial) {
    j["array"]["mac"]["serial_bits"] = a.mac.serial_bits;
    j["array"]["mac"]["serial"] = a.mac.serial_both ? "both" : "weight";
  }
  auto rfs = nlohmann::ordered_json::array();
  for (const auto& rf : s.register_files)
    rfs.push_back({{"name", rf.name},
                   {"holds", holds_json(rf.holds)},
                   {"entries", rf.entries},
                   {"word_bits", rf.word_bits}});
  j["register_files"] = rfs;
  auto bufs = nlohmann::ordered_json::array();
  for (const auto& b : s.buffers)
    bufs.push_back({{"name", b.name},
                    {"holds", holds_json(b.holds)},
                    {"capacity_bytes", b.capacity_bytes},
                    {"capacity_kib", static_cast<double>(b.capacity_bytes) / 1024.0},
                    {"width_bits", b.width_bits},
                    {"banks", b.banks}});
  j["buffers"] = bufs;
  // Resolved figures (kind defaults filled in); infinite bandwidth is JSON null.
  j["dram"] = {{"kind", dram_kind_name(s.dram.kind)},
               {"bandwidth_gbytes_per_s", std::isfinite(dram.bandwidth_gbytes_per_s)
                                              ? nlohmann::ordered_json(dram.bandwidth_gbytes_per_s)
                                              : nlohmann::ordered_json(nullptr)},
               {"energy_pj_per_bit", dram.energy_pj_per_bit},
               {"latency_ns", dram.latency_ns},
               {"bandwidth_from_kind", s.dram.bandwidth_gbytes_per_s == 0},
               {"energy_from_kind", s.dram.energy_pj_per_bit == 0},
               {"energy_estimated", dram.energy_estimated},
               {"latency_from_kind", s.dram.latency_ns == 0}};
  j["technology"] = {{"node_nm", s.technology.node_nm},
                     {"vdd_v", vdd_v},
                     {"vdd_nominal", s.technology.vdd_v == 0},
                     {"device", device_name(s.technology.device)},
                     {"temperature_k", s.technology.temperature_k},
                     {"power_gating", s.technology.power_gating}};
  nlohmann::ordered_json buffers_mm2 = nlohmann::ordered_json::object();
  for (const auto& [name, mm2] : area.buffers_mm2)
    buffers_mm2[name] = mm2;
  j["area_mm2"] = {{"mac_units", area.mac_units_mm2},
                   {"register_files", area.register_files_mm2},
                   {"buffers", buffers_mm2},
                   {"total", area.total_mm2}};
  return j;
}

void print_table(const HardwareSpec& s, const DramCost& dram, double vdd_v,
                 const AreaBreakdown& area, std::ostream& out) {
  const auto& a = s.array;
  const auto from_kind = [&](double spec_value) {
    return spec_value == 0 ? " (" + dram_kind_name(s.dram.kind) + " default)" : std::string();
  };
  out << s.name << (s.description.empty() ? "" : ": " + s.description) << '\n'
      << "source: " << s.source << "\n\n";
  TextTable t({"setting", "value"});
  t.add_row({"array", std::to_string(a.rows) + " x " + std::to_string(a.cols) + " PEs (" +
                          with_commas(static_cast<long long>(a.rows) * a.cols) + ")"});
  t.add_row({"dataflow", dataflow_name(a.dataflow)});
  t.add_row({"clock", num(a.clock_mhz) + " MHz"});
  t.add_row({"MAC unit", mac_unit_kind_name(a.mac.kind)});
  t.add_row({"accumulator",
             a.mac.accumulator.name() + ", lossless over " + std::to_string(a.mac.lossless_sum) +
                 " products, narrower: " + narrow_accumulator_name(a.mac.narrow_accumulator)});
  t.add_row({"fallback to wider", a.mac.fallback_to_wider ? "yes" : "no"});
  t.add_rule();
  const bool ideal = s.ideal_memory();
  t.add_row({"DRAM", dram_kind_name(s.dram.kind)});
  t.add_row({"DRAM bandwidth", ideal ? "unlimited (ideal)"
                                     : num(dram.bandwidth_gbytes_per_s) + " GB/s" +
                                           from_kind(s.dram.bandwidth_gbytes_per_s)});
  t.add_row({"DRAM energy",
             num(dram.energy_pj_per_bit) + " pJ/bit" + from_kind(s.dram.energy_pj_per_bit) +
                 (dram.energy_estimated ? " (our estimate, docs/costmodel.md)" : "")});
  t.add_row({"DRAM latency", num(dram.latency_ns) + " ns" + from_kind(s.dram.latency_ns)});
  t.add_rule();
  t.add_row({"technology", std::to_string(s.technology.node_nm) + " nm"});
  t.add_row({"supply", num(vdd_v) + " V" + (s.technology.vdd_v == 0 ? " (nominal)" : "")});
  t.add_row({"device",
             device_name(s.technology.device) + " at " + num(s.technology.temperature_k) + " K"});
  t.add_row({"power gating", s.technology.power_gating ? "unused buffer banks" : "no"});
  t.print(out);

  out << "\nformat pairs (products per PE per cycle; peak over the array)\n";
  TextTable pairs({"weight", "activation", "per cycle", "peak GMAC/s", "accumulator"});
  for (const auto& p : a.mac.pairs)
    pairs.add_row({p.weight.name(), p.activation.name(), std::to_string(p.products_per_cycle),
                   num(peak_g_per_s(s, p)), a.mac.accumulator_of(p).name()});
  pairs.print(out);

  out << "\nregister files (in every PE)\n";
  if (s.register_files.empty()) {
    out << "  none\n";
  } else {
    TextTable rf({"name", "holds", "entries", "word bits", "bits per PE"});
    for (const auto& r : s.register_files)
      rf.add_row({r.name, holds_text(r.holds), with_commas(r.entries), std::to_string(r.word_bits),
                  with_commas(r.entries * r.word_bits)});
    rf.print(out);
  }

  out << "\nbuffers (shared by the array)\n";
  if (s.buffers.empty()) {
    out << "  none\n";
  } else {
    TextTable b({"name", "holds", "capacity", "bytes", "port bits", "banks"});
    for (const auto& buf : s.buffers)
      b.add_row({buf.name, holds_text(buf.holds), capacity_text(buf.capacity_bytes),
                 with_commas(buf.capacity_bytes), std::to_string(buf.width_bits),
                 std::to_string(buf.banks)});
    b.print(out);
  }

  out << "\narea\n";
  TextTable ar({"component", "mm^2", "share"});
  const auto share = [&](double mm2) {
    return area.total_mm2 > 0 ? fixed(100.0 * mm2 / area.total_mm2, 1) + "%" : std::string("-");
  };
  ar.add_row({"MAC units", fixed(area.mac_units_mm2, 4), share(area.mac_units_mm2)});
  ar.add_row({"register files", fixed(area.register_files_mm2, 4), share(area.register_files_mm2)});
  for (const auto& [name, mm2] : area.buffers_mm2)
    ar.add_row({"buffer " + name, fixed(mm2, 4), share(mm2)});
  ar.add_rule();
  ar.add_row({"total", fixed(area.total_mm2, 4), "100.0%"});
  ar.print(out);
}

void show(const HwOptions& o, Io& io) {
  const HardwareSpec spec = load_hardware_by_name(o.hardware, o.overrides);
  const HardwareModel model(spec);
  const DramCost dram = dram_cost(spec.dram);
  const double vdd =
      spec.technology.vdd_v > 0 ? spec.technology.vdd_v : nominal_vdd_v(spec.technology.node_nm);
  if (o.format == "json") {
    io.out << json_text(spec_json(spec, dram, vdd, model.area())) << '\n';
    return;
  }
  print_table(spec, dram, vdd, model.area(), io.out);
}

void list(const HwOptions& o, Io& io) {
  const auto names = bundled_hardware_names();
  std::vector<HardwareSpec> specs;
  for (const auto& name : names)
    specs.push_back(load_hardware_by_name(name));
  if (o.format == "json") {
    auto j = nlohmann::ordered_json::array();
    for (const auto& s : specs)
      j.push_back({{"name", s.name},
                   {"rows", s.array.rows},
                   {"cols", s.array.cols},
                   {"dataflow", dataflow_name(s.array.dataflow)},
                   {"clock_mhz", s.array.clock_mhz},
                   {"mac", mac_unit_kind_name(s.array.mac.kind)},
                   {"formats", format_list(s.array.mac)},
                   {"dram", dram_kind_name(s.dram.kind)},
                   {"node_nm", s.technology.node_nm},
                   {"description", s.description}});
    io.out << json_text(j) << '\n';
    return;
  }
  TextTable t({"name", "array", "dataflow", "MHz", "node", "MAC", "formats", "DRAM"});
  for (const auto& s : specs)
    t.add_row({s.name, std::to_string(s.array.rows) + "x" + std::to_string(s.array.cols),
               dataflow_name(s.array.dataflow), num(s.array.clock_mhz),
               std::to_string(s.technology.node_nm) + " nm", mac_unit_kind_name(s.array.mac.kind),
               join(format_list(s.array.mac), " "), dram_kind_name(s.dram.kind)});
  t.print(io.out);
}

}  // namespace

void add_hw_command(CLI::App& app, Io& io) {
  auto* cmd = app.add_subcommand("hw", "Hardware configs: show one as understood, list bundled");
  cmd->require_subcommand(1);

  auto opts = std::make_shared<HwOptions>();
  auto* show_cmd =
      cmd->add_subcommand("show", "A hardware config with defaults filled in, units and area");
  show_cmd
      ->add_option("hardware", opts->hardware,
                   "Bundled config name, or a .toml file or SCALE-Sim .cfg file")
      ->required();
  show_cmd
      ->add_option("--set", opts->overrides,
                   "Override a key by its dotted path, e.g. array.rows=32 or "
                   "buffer.global_buffer.capacity_kib=256 (repeatable; docs/hardware.md)")
      ->allow_extra_args(false);
  show_cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}));
  show_cmd->callback([opts, &io] { show(*opts, io); });

  auto lopts = std::make_shared<HwOptions>();
  auto* list_cmd = cmd->add_subcommand("list", "The bundled hardware configs (configs/hw/)");
  list_cmd->add_option("--format", lopts->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}));
  list_cmd->callback([lopts, &io] { list(*lopts, io); });

  // The docs hold this table verbatim (tests/apps/test_cli_keys.cpp), so it is how they are
  // regenerated after a key changes.
  auto* keys_cmd = cmd->add_subcommand(
      "keys", "Every key of a hardware config as a markdown table (docs/hardware.md)");
  keys_cmd->callback([&io] { io.out << hardware_keys_markdown(); });
}

}  // namespace mpsim::cli
