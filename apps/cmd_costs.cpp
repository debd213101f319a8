// mpsim costs: the cost table a precision search reads (explore/cost_table.h), as CSV or JSON.
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/commands.h"
#include "apps/cost_report.h"
#include "apps/output.h"
#include "apps/workload_flags.h"
#include "costmodel/hardware.h"
#include "explore/cost_table.h"
#include "explore/json_text.h"
#include "formats/error.h"
#include "workloads/network_io.h"

namespace mpsim::cli {

namespace {

struct CostsOptions {
  std::string hw;
  std::vector<std::string> sets;
  std::string workload;
  WorkloadFlags shape;
  std::vector<std::string> formats;
  std::string format = "csv";
  std::string out;
};

std::string num(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

void costs(const CostsOptions& o, Io& io) {
  if (!o.out.empty()) check_output_path(o.out);
  const HardwareModel hw(load_hardware_by_name(o.hw, o.sets));
  const Network net = load_workload(o.workload, o.shape.options());
  const CostTable table = build_cost_table(net, hw, o.formats);

  std::string text;
  if (o.format == "json") {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& row : table.rows) {
      const Layer& l = net.layer(row.layer);
      const LayerCost& c = row.cost;
      nlohmann::ordered_json r;
      r["layer"] = l.name;
      r["op"] = op_name(l);
      r["weight_format"] = row.pair.weight.name();
      r["activation_format"] = row.pair.activation.name();
      r.update(cost_json(c, hw));
      r["weight_bytes"] = row.weight_bytes;
      r["dram_bytes"] = row.dram_bytes;
      rows.push_back(std::move(r));
    }
    nlohmann::ordered_json j;
    j["network"] = net.name();
    j["hardware"] = hw.spec().name;
    j["area_mm2"] = table.area_mm2;
    j["dram_energy_estimated"] = hw.dram().energy_estimated;
    j["rows"] = std::move(rows);
    text = json_text(j) + "\n";
  } else {
    std::ostringstream csv;
    std::vector<std::string> header = {"layer",  "op",        "weight_format", "activation_format",
                                       "cycles", "latency_s", "utilization",   "energy_pj"};
    for (const auto& [name, v] : energy_components(EnergyBreakdown{}, hw))
      header.push_back(name + "_pj");
    header.insert(header.end(), {"macs", "bops", "weight_bytes", "dram_bytes", "area_mm2"});
    csv << csv_row(header);
    for (const auto& row : table.rows) {
      const Layer& l = net.layer(row.layer);
      const LayerCost& c = row.cost;
      std::vector<std::string> r = {l.name,
                                    op_name(l),
                                    row.pair.weight.name(),
                                    row.pair.activation.name(),
                                    std::to_string(c.total_cycles),
                                    num(c.latency_s),
                                    num(c.utilization),
                                    num(c.energy.total_pj())};
      for (const auto& [name, v] : energy_components(c.energy, hw))
        r.push_back(num(v));
      r.insert(r.end(), {std::to_string(c.macs), std::to_string(c.bops), num(row.weight_bytes),
                         num(row.dram_bytes), num(table.area_mm2)});
      csv << csv_row(r);
    }
    text = csv.str();
    io.err << dram_estimate_note(hw);  // the CSV itself stays plain
  }
  if (o.out.empty()) {
    io.out << text;
  } else {
    write_file_atomically(o.out, text);
  }
}

}  // namespace

void add_costs_command(CLI::App& app, Io& io) {
  auto opts = std::make_shared<CostsOptions>();
  auto* cmd = app.add_subcommand(
      "costs", "Cost table: every MAC layer x every supported format pair, by the simulator");
  cmd->add_option("--hw", opts->hw, "Bundled hardware config name, or a .toml / SCALE-Sim .cfg")
      ->required();
  cmd->add_option("--set", opts->sets, "Override a config key (repeatable)");
  cmd->add_option("--workload,-w", opts->workload, "Built-in network, or .toml/.onnx/.csv file")
      ->required();
  add_workload_flags(*cmd, opts->shape);
  cmd->add_option("--formats", opts->formats,
                  "Only pairs whose weight and activation formats are in this list")
      ->delimiter(',');
  cmd->add_option("--format", opts->format, "Output format")->check(CLI::IsMember({"csv", "json"}));
  cmd->add_option("--out,-o", opts->out, "Write to this file (whole or not at all)");
  cmd->callback([opts, &io] { costs(*opts, io); });
}

}  // namespace mpsim::cli
