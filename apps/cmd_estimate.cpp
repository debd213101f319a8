// mpsim estimate and mpsim simulate: a network under a precision map on a configured array,
// layer by layer, by the closed form (fast) or by the SystemC model.
#include "apps/commands.h"
#include "apps/workload_flags.h"
#include "costmodel/hardware.h"
#include "explore/cost_report.h"
#include "explore/text_table.h"
#include "formats/output_file.h"
#include "workloads/network_io.h"

namespace mpsim::cli {

namespace {

struct CostOptions {
  std::string hw;
  std::vector<std::string> sets;
  std::string workload;
  WorkloadFlags shape;
  std::string map;
  bool resolve_groups = false;
  std::string format = "table";
  std::string out;
};

void run_costing(const CostOptions& o, bool simulate, Io& io) {
  if (!o.out.empty()) check_output_path(o.out);
  const HardwareModel hw(load_hardware_by_name(o.hw, o.sets));
  const Network net = load_workload(o.workload, o.shape.options());
  const PrecisionMap map = map_for_costing(net, hw, o.map, o.resolve_groups);
  const NetworkCost cost =
      price_network(net, map, hw, simulate ? CostEngine::kSimulator : CostEngine::kClosedForm);
  const std::string text = render_cost_report(net, map, hw, cost, o.format);
  if (o.format == "csv") io.err << dram_estimate_note(hw);  // the table and JSON carry it
  if (o.out.empty()) {
    io.out << text;
  } else {
    write_file_atomically(o.out, text);
  }
}

void add_costing_command(CLI::App& app, Io& io, const char* name, const char* help, bool simulate) {
  auto opts = std::make_shared<CostOptions>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("--hw", opts->hw, "Bundled hardware config name, or a .toml / SCALE-Sim .cfg")
      ->required();
  cmd->add_option("--set", opts->sets, "Override a config key: --set array.rows=32 (repeatable)");
  cmd->add_option("--workload,-w", opts->workload, "Built-in network, or .toml/.onnx/.csv file")
      ->required();
  add_workload_flags(*cmd, opts->shape);
  cmd->add_option("--map,-m", opts->map,
                  "Precision map (TOML); default: the array's widest integer pair everywhere");
  cmd->add_flag("--resolve-groups", opts->resolve_groups,
                "Widen quantizer groups the map breaks instead of reporting them");
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--out,-o", opts->out, "Write to this file (whole or not at all)");
  cmd->callback([opts, simulate, &io] { run_costing(*opts, simulate, io); });
}

}  // namespace

void add_estimate_command(CLI::App& app, Io& io) {
  add_costing_command(app, io, "estimate",
                      "Closed-form per-layer cycles, energy and traffic of a network on an array",
                      false);
}

void add_simulate_command(CLI::App& app, Io& io) {
  add_costing_command(
      app, io, "simulate",
      "Simulate a network on the SystemC accelerator model: per-layer latency, energy, area", true);
}

}  // namespace mpsim::cli
