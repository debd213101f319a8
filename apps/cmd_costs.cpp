// mpsim costs: the cost table a precision search reads (explore/cost_table.h), as CSV or JSON.

#include "apps/commands.h"
#include "apps/workload_flags.h"
#include "costmodel/hardware.h"
#include "explore/cost_report.h"
#include "explore/cost_table.h"
#include "formats/error.h"
#include "formats/output_file.h"
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

void costs(const CostsOptions& o, Io& io) {
  if (!o.out.empty()) check_output_path(o.out);
  const HardwareModel hw(load_hardware_by_name(o.hw, o.sets));
  const Network net = load_workload(o.workload, o.shape.options());
  const CostTable table = build_cost_table(net, hw, o.formats);

  const std::string text = render_cost_table(net, hw, table, o.format);
  if (o.format == "csv") io.err << dram_estimate_note(hw);  // the CSV itself stays plain
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
